import Foundation

/// A name as it is counted for weighing an exact agreement on it by how common it is: the
/// first word of a record's first given name, or its first family name run together (a batch
/// counts the same: `PairScorer`). Two "John"s agree by chance far more often than two
/// "Zebulon"s, so their agreement is weaker evidence of one person.
public struct NameKey: Hashable, Sendable {
    public enum Field: String, Sendable, CaseIterable {
        case givenName = "given"
        case familyName = "family"

        var comparisonField: ComparisonField {
            switch self {
            case .givenName: .givenName
            case .familyName: .familyName
            }
        }
    }

    public let field: Field
    /// The folded name as compared (lower-case letters, no separators).
    public let folded: [UInt8]

    /// The name of `field` a record is counted under: the first word of its first given name,
    /// or its first family name run together; nil when it has none.
    static func counted(_ field: Field, of features: RecordFeatures) -> [UInt8]? {
        switch field {
        case .givenName: features.givenNames.first?.first
        case .familyName: features.familyNames.first?.compact
        }
    }

    /// The names of a record that are counted: at most one of each field.
    static func keys(of features: RecordFeatures) -> [NameKey] {
        Field.allCases.compactMap { field in counted(field, of: features).map { NameKey(field: field, folded: $0) } }
    }

    /// The counted names two records agree on exactly (the vector's top level and the same
    /// counted value): the agreements whose weight depends on how common the name is. Family
    /// first, the order a batch has always added them in (so its sums stay bit for bit).
    static func exactAgreements(_ x: RecordFeatures, _ y: RecordFeatures, _ vector: ComparisonVector) -> [NameKey] {
        [Field.familyName, .givenName].compactMap { field in
            let comparison = field.comparisonField
            guard vector[comparison] == UInt8(comparison.levelCount - 1), let name = counted(field, of: x), name == counted(field, of: y)
            else { return nil }
            return NameKey(field: field, folded: name)
        }
    }
}

extension PreparedRecord {
    /// The names this record adds to an index's counts (``NameCounts``).
    public var nameKeys: [NameKey] { NameKey.keys(of: features) }
}

/// How many of an index's records carry each name, so that an ``IncrementalMatcher`` weighs
/// an exact agreement on a name by how common it is among those records, as a batch does among
/// its own. The index keeps the counts (its store); the matcher only asks.
public struct NameCounts {
    /// The records counted.
    public var records: Int
    /// How many of them carry a name.
    public var count: (NameKey) throws -> Int

    public init(records: Int, count: @escaping (NameKey) throws -> Int) {
        self.records = records
        self.count = count
    }

    /// Bits to add to the weight of an exact agreement on `name`: log2(u / share), the share
    /// blended with the field's u as a batch blends it (``TermFrequencies``), so a name seen
    /// in few records of a small index keeps about the field's average weight.
    func adjustment(_ name: NameKey, model: FellegiSunterModel) throws -> Double {
        let field = name.field.comparisonField
        let u = model.u[field.rawValue][field.levelCount - 1]
        let share = TermFrequencies.blendedShare(count: max(try count(name), 1), total: records, average: u)
        return log2(u / share)
    }
}
