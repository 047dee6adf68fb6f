import Foundation

/// How common each name is among the records: the share of records carrying it. Two records
/// agreeing on a name shared by one record in a hundred agree by chance far more often than on
/// one shared by one in a hundred thousand; the resolver uses the share as that value's u.
/// Shares are blended with the field's average (as if seen on 1,000 more records), so a small
/// batch — where every name is "common" — keeps the average.
struct TermFrequencies: Sendable {
    private var counts: [[UInt8]: Int] = [:]
    private let total: Int
    private let average: Double
    private static let pseudoRecords = 1_000.0

    init<S: Sequence>(values: S, total: Int, average: Double) where S.Element == [UInt8] {
        for value in values { counts[value, default: 0] += 1 }
        self.total = total
        self.average = average
    }

    /// How many records carry `value`.
    func count(_ value: [UInt8]) -> Int { counts[value] ?? 0 }

    /// The blended share of records with `value`.
    func share(_ value: [UInt8]) -> Double {
        Self.blendedShare(count: counts[value] ?? 1, total: total, average: average)
    }

    /// `count` records of `total` carrying a value, blended with `average`: the share an index
    /// weighs a name by (``NameCounts``) and a batch too.
    static func blendedShare(count: Int, total: Int, average: Double) -> Double {
        (Double(count) + pseudoRecords * average) / (Double(max(total, 1)) + pseudoRecords)
    }

    /// Bits to add to the weight of an agreement on an address `count` of `total` records give
    /// (`u`: the field's exact level's u): only ever fewer. The pair's own records among those
    /// counted (`ownRecordsCounted`: both in a batch; in an index the candidate at most, never
    /// the record being added) are left out: two records agreeing on an address is what is
    /// being weighed, and in a batch of a few hundred records two alone would already be a
    /// share far above the field's u. So an address no other record gives keeps the model's
    /// weight, as does a family's in a large batch; one many records give (a shelter's) weighs
    /// less, down to log2(m / share).
    static func addressAdjustment(count: Int, ownRecordsCounted: Int, total: Int, u: Double) -> Double {
        min(0, log2(u / blendedShare(count: max(count - ownRecordsCounted, 0), total: total, average: u)))
    }
}
