/// The fields the model compares, each with its number of agreement levels (0 = disagree,
/// the highest = agree exactly).
public enum ComparisonField: Int, Sendable, CaseIterable, CustomStringConvertible {
    case givenName, familyName, dateOfBirth, sex, address, ssn, identifiers

    /// Levels of this field (see the comparison functions for their meaning).
    public var levelCount: Int {
        switch self {
        case .givenName, .dateOfBirth: 6
        case .familyName: 5
        case .sex: 2
        case .address: 4
        case .ssn: 3
        case .identifiers: 2
        }
    }

    public var description: String {
        switch self {
        case .givenName: "givenName"
        case .familyName: "familyName"
        case .dateOfBirth: "dateOfBirth"
        case .sex: "sex"
        case .address: "address"
        case .ssn: "ssn"
        case .identifiers: "identifiers"
        }
    }
}

/// How two records agree, field by field: a level per field, or nil where either record lacks
/// the field (a missing field is no evidence either way). Packed four bits a field, so equal
/// vectors can be counted together (the EM works on distinct vectors and their counts).
public struct ComparisonVector: Sendable, Hashable {
    static let missing: UInt32 = 0xF
    /// Four bits per field, in `ComparisonField` order.
    public private(set) var packed: UInt32

    public init() {
        packed = 0
        for field in ComparisonField.allCases { packed |= Self.missing << (4 * UInt32(field.rawValue)) }
    }

    public init(packed: UInt32) {
        self.packed = packed
    }

    public subscript(field: ComparisonField) -> UInt8? {
        get {
            let value = (packed >> (4 * UInt32(field.rawValue))) & 0xF
            return value == Self.missing ? nil : UInt8(value)
        }
        set {
            let shift = 4 * UInt32(field.rawValue)
            packed = (packed & ~(0xF << shift)) | (UInt32(newValue ?? UInt8(Self.missing)) << shift)
        }
    }
}

/// Compares two prepared records into a `ComparisonVector`.
enum RecordComparison {
    static func compare(_ a: RecordFeatures, _ b: RecordFeatures) -> ComparisonVector {
        var vector = ComparisonVector()
        vector[.givenName] = best(a.givenNames, b.givenNames, top: 5, NameLevel.given)
        vector[.familyName] = best(a.familyNames, b.familyNames, top: 4, NameLevel.family)
        if let x = a.dateOfBirth, let y = b.dateOfBirth { vector[.dateOfBirth] = DateOfBirth.agreementLevel(x, y) }
        if let x = a.sex, let y = b.sex { vector[.sex] = x == y ? 1 : 0 }
        vector[.address] = addressLevel(a, b)
        if let x = a.ssn, let y = b.ssn {
            vector[.ssn] = x.count == 9 && x == y ? 2 : (x.suffix(4) == y.suffix(4) ? 1 : 0)
        }
        vector[.identifiers] = identifierLevel(a.strongIdentifiers, b.strongIdentifiers)
        return vector
    }

    /// Whether the records' given names leave open which formal name is meant, and if so the
    /// formal names both may stand for (spellings of one name as one, `Nicknames.oneSpelling`):
    /// - level 4, nicknames: when no pair of the records' given names (aliases included)
    ///   reaching it names one formal name for certain (`NameLevel.isAmbiguousNickname`):
    ///   "Tina" beside "Christina" gives Christina, though Christine is a Tina too;
    /// - level 3, close: when both read as names the table knows (an unknown name as one typo
    ///   of a known one) and those differ: none in common (Christina and Christine, or
    ///   "Chrisbsy", a Chrissy, beside Christina) gives the empty set, some in common (a
    ///   mistyped "Tina" beside Christina) those in common.
    ///
    /// Nil at any other level, or when the names name the same formal names.
    static func formalNamesLeftOpen(_ a: RecordFeatures, _ b: RecordFeatures, _ vector: ComparisonVector) -> Set<String>? {
        if vector[.givenName] == 3 {
            let x = a.formalGivenNames, y = b.formalGivenNames
            guard !x.isEmpty, !y.isEmpty, x != y else { return nil }
            return x.intersection(y)
        }
        guard vector[.givenName] == 4 else { return nil }
        var shared = Set<String>()
        for x in a.givenNames {
            for y in b.givenNames where NameLevel.given(x, y) == 4 {
                let (mine, theirs) = (x.formalNamesAsOneSpelling, y.formalNamesAsOneSpelling)
                guard mine != theirs else { return nil }  // `NameLevel.isAmbiguousNickname`
                shared.formUnion(mine.intersection(theirs))
            }
        }
        return shared
    }

    /// The best level over every pair of names (the names themselves and the aliases').
    private static func best(_ a: [NameFeatures], _ b: [NameFeatures], top: UInt8, _ level: (NameFeatures, NameFeatures) -> UInt8) -> UInt8? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var best: UInt8 = 0
        for x in a {
            for y in b {
                best = max(best, level(x, y))
                if best == top { return best }
            }
        }
        return best
    }

    /// 3 same street line and the same postal code or city; 2 a close street line (Jaro–Winkler
    /// ≥ 0.9) in the same postal code or city; 1 only the postal code agrees; 0 different.
    static func addressLevel(_ a: RecordFeatures, _ b: RecordFeatures) -> UInt8? {
        let sameArea: Bool? = if let x = a.postalCode, let y = b.postalCode { x == y }
            else if let x = a.city, let y = b.city { x == y }
            else { nil }
        if let x = a.addressLine, let y = b.addressLine {
            if x == y && sameArea != false { return 3 }
            if sameArea == true && JaroWinkler.similarity(x, y) >= 0.9 { return 2 }
            return sameArea == true ? 1 : 0
        }
        guard let sameArea else { return nil }
        return sameArea ? 1 : 0
    }

    /// 1 a strong identifier agrees; 0 one of a kind a person has only one of (state ID, FBI
    /// number, DOC number in the same state) differs; nil when no kind is shared.
    static func identifierLevel(_ a: [StrongIdentifier], _ b: [StrongIdentifier]) -> UInt8? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var level: UInt8?
        for x in a {
            if b.contains(x) { return 1 }
            if let scope = x.scope, b.contains(where: { $0.scope == scope }) { level = 0 }
        }
        return level
    }
}
