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

    /// The names of a record that are counted: at most one of each field.
    static func keys(of features: RecordFeatures) -> [NameKey] {
        var keys: [NameKey] = []
        if let given = features.givenNames.first?.first { keys.append(NameKey(field: .givenName, folded: given)) }
        if let family = features.familyNames.first?.compact { keys.append(NameKey(field: .familyName, folded: family)) }
        return keys
    }

    /// The counted names two records agree on exactly (the vector's top level and the same
    /// counted value): the agreements whose weight depends on how common the name is. Family
    /// first, the order a batch has always added them in (so its sums stay bit for bit).
    static func exactAgreements(_ x: RecordFeatures, _ y: RecordFeatures, _ vector: ComparisonVector) -> [NameKey] {
        var keys: [NameKey] = []
        if vector[.familyName] == UInt8(ComparisonField.familyName.levelCount - 1), let name = x.familyNames.first?.compact,
            name == y.familyNames.first?.compact
        {
            keys.append(NameKey(field: .familyName, folded: name))
        }
        if vector[.givenName] == UInt8(ComparisonField.givenName.levelCount - 1), let name = x.givenNames.first?.first,
            name == y.givenNames.first?.first
        {
            keys.append(NameKey(field: .givenName, folded: name))
        }
        return keys
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
