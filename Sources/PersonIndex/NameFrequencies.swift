import Foundation

/// A value counted for weighing an exact agreement on it by how common it is: a name — the
/// first word of a record's first given name, or its first family name run together (a batch
/// counts the same: `PairScorer`) — or an address, its street line with its postal code (or
/// city). Two "John"s agree by chance far more often than two "Zebulon"s, so their agreement
/// is weaker evidence of one person; so is an address hundreds of records give (a shelter, a
/// halfway house) beside one a family's few records give.
public struct NameKey: Hashable, Sendable {
    public enum Field: String, Sendable, CaseIterable {
        case givenName = "given"
        case familyName = "family"
        case address = "address"

        var comparisonField: ComparisonField {
            switch self {
            case .givenName: .givenName
            case .familyName: .familyName
            case .address: .address
            }
        }
    }

    public let field: Field
    /// The folded name as compared (lower-case letters, no separators); for an address, the
    /// area and the normalised street line (`RecordFeatures.sharedAddressKey`).
    public let folded: [UInt8]

    /// The name of `field` a record is counted under: the first word of its first given name,
    /// or its first family name run together, or its address line with the area; nil when it
    /// has none.
    static func counted(_ field: Field, of features: RecordFeatures) -> [UInt8]? {
        switch field {
        case .givenName: features.givenNames.first?.first
        case .familyName: features.familyNames.first?.compact
        case .address: features.sharedAddressKey
        }
    }

    /// The values of a record that are counted: at most one of each field.
    static func keys(of features: RecordFeatures) -> [NameKey] {
        Field.allCases.compactMap { field in counted(field, of: features).map { NameKey(field: field, folded: $0) } }
    }

    /// The counted values two records agree on exactly (the vector's top level and the same
    /// counted value): the agreements whose weight depends on how common the value is. Family
    /// first, the order a batch has always added them in (so its sums stay bit for bit); the
    /// address only with `weighAddresses` (`ResolverConfiguration.addressFrequencyAdjustment`).
    static func exactAgreements(_ x: RecordFeatures, _ y: RecordFeatures, _ vector: ComparisonVector, weighAddresses: Bool) -> [NameKey] {
        (weighAddresses ? [Field.familyName, .givenName, .address] : [Field.familyName, .givenName]).compactMap { field in
            let comparison = field.comparisonField
            guard vector[comparison] == UInt8(comparison.levelCount - 1), let name = counted(field, of: x), name == counted(field, of: y)
            else { return nil }
            return NameKey(field: field, folded: name)
        }
    }
}

extension PreparedRecord {
    /// The names (and the address) this record adds to an index's counts (``NameCounts``).
    public var nameKeys: [NameKey] { NameKey.keys(of: features) }
}

/// How many of an index's records carry each name (and address), so that an ``IncrementalMatcher`` weighs
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
        if name.field == .address { return TermFrequencies.addressAdjustment(count: try count(name), total: records, u: u) }
        let share = TermFrequencies.blendedShare(count: max(try count(name), 1), total: records, average: u)
        return log2(u / share)
    }
}
