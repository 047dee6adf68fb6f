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
}
