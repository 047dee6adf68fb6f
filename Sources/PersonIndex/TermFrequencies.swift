/// How common each name is among the records: the share of records carrying it. Two records
/// agreeing on a name shared by one record in a hundred agree by chance far more often than on
/// one shared by one in a hundred thousand; the resolver uses the share as that value's u.
struct TermFrequencies: Sendable {
    private var counts: [[UInt8]: Int] = [:]
    private let total: Double

    init<S: Sequence>(values: S, total: Int) where S.Element == [UInt8] {
        for value in values { counts[value, default: 0] += 1 }
        self.total = Double(max(total, 1))
    }

    /// The share of records with `value` (at least one record's share).
    func share(_ value: [UInt8]) -> Double {
        Double(max(counts[value] ?? 1, 1)) / total
    }
}
