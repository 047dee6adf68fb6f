import Foundation

/// A value counted for weighing an exact agreement on it by how common it is: a name — the
/// first word of a record's first given name, or its first family name run together (a batch
/// counts the same: `PairScorer`) — or an address, its street line with its postal code or with
/// its city. Two "John"s agree by chance far more often than two "Zebulon"s, so their agreement
/// is weaker evidence of one person; so is an address hundreds of records give (a shelter, a
/// halfway house) beside one a family's few records give.
public struct NameKey: Hashable, Sendable {
    public enum Field: String, Sendable, CaseIterable {
        case givenName = "given"
        case familyName = "family"
        /// The street line in its postal code.
        case address = "address"
        /// The street line in its city: how two records are weighed when one lacks the postal
        /// code (the address's agreement then rests on the cities, `RecordComparison.addressLevel`).
        case addressInCity = "address_city"

        var comparisonField: ComparisonField {
            switch self {
            case .givenName: .givenName
            case .familyName: .familyName
            case .address, .addressInCity: .address
            }
        }
    }

    public let field: Field
    /// The folded name as compared (lower-case letters, no separators); for an address, the
    /// postal code or city and the normalised street line (`RecordFeatures.addressKey(inCity:)`).
    public let folded: [UInt8]

    /// The value of `field` a record is counted under: the first word of its first given name,
    /// its first family name run together, its address line in its postal code or in its city;
    /// nil when it has none.
    static func counted(_ field: Field, of features: RecordFeatures) -> [UInt8]? {
        switch field {
        case .givenName: features.givenNames.first?.first
        case .familyName: features.familyNames.first?.compact
        case .address: features.addressKey(inCity: false)
        case .addressInCity: features.addressKey(inCity: true)
        }
    }

    /// The values of a record that are counted: at most one of each field, the addresses only
    /// with `weighAddresses` (`ResolverConfiguration.addressFrequencyAdjustment`: nothing is
    /// counted that nothing weighs).
    static func keys(of features: RecordFeatures, weighAddresses: Bool) -> [NameKey] {
        Field.allCases.compactMap { field in
            guard weighAddresses || field.comparisonField != .address else { return nil }
            return counted(field, of: features).map { NameKey(field: field, folded: $0) }
        }
    }

    /// The counted values two records agree on exactly (the vector's top level and the same
    /// counted value): the agreements whose weight depends on how common the value is. Family
    /// first, the order a batch has always added them in (so its sums stay bit for bit); then,
    /// with `weighAddresses`, the address: in the postal code when both records give one, else
    /// in the city when both give one, as the comparison judged the area (a line agreeing
    /// without an area to compare is not weighed by any count).
    static func exactAgreements(_ x: RecordFeatures, _ y: RecordFeatures, _ vector: ComparisonVector, weighAddresses: Bool) -> [NameKey] {
        var agreements = [Field.familyName, .givenName].compactMap { field in exactAgreement(field, x, y, vector) }
        if weighAddresses, let address = exactAgreement(x.postalCode != nil && y.postalCode != nil ? .address : .addressInCity, x, y, vector) {
            agreements.append(address)
        }
        return agreements
    }

    private static func exactAgreement(_ field: Field, _ x: RecordFeatures, _ y: RecordFeatures, _ vector: ComparisonVector) -> NameKey? {
        let comparison = field.comparisonField
        guard vector[comparison] == UInt8(comparison.levelCount - 1), let value = counted(field, of: x), value == counted(field, of: y)
        else { return nil }
        return NameKey(field: field, folded: value)
    }
}

extension PreparedRecord {
    /// The names (and, with `weighAddresses`, the address) this record adds to an index's
    /// counts (``NameCounts``).
    public func nameKeys(weighAddresses: Bool) -> [NameKey] { NameKey.keys(of: features, weighAddresses: weighAddresses) }
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
        if field == .address {
            // The record being added is not among the counted; the candidate is when the
            // learning's sample held it, as it does in an index no larger than the sample.
            return TermFrequencies.addressAdjustment(count: try count(name), ownRecordsCounted: 1, total: records, u: u)
        }
        let share = TermFrequencies.blendedShare(count: max(try count(name), 1), total: records, average: u)
        return log2(u / share)
    }
}
