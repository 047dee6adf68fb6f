/// One pair of records compared and decided: what a growing index stores and explains (the
/// batch resolver keeps only the score). Field reasons name levels and weights, never values.
public struct PairComparison: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable {
        /// The same person: a shared strong identifier, or a score at or above the link threshold.
        case link
        /// Possibly the same person: for a human to decide.
        case review
        /// Below the review threshold: nothing to do.
        case distinct
    }

    /// How one field agreed and the bits of evidence that gave.
    public struct FieldReason: Sendable, Hashable {
        public var field: ComparisonField
        /// The agreement level, 0 (disagree) up to `field.levelCount - 1` (agree exactly).
        public var level: UInt8
        /// Bits of evidence (log2 m/u) of the level: positive for, negative against.
        public var weight: Double

        public init(field: ComparisonField, level: UInt8, weight: Double) {
            self.field = field
            self.level = level
            self.weight = weight
        }

        /// The level's name, as `bus.identity` spells it (`agree`, `swapped`, `nickname`, …).
        public var levelName: String { field.levelName(level) }
    }

    /// Match probability (1 for a shared strong identifier).
    public var score: Double
    /// The match weight in bits, the evidence `score` comes from (infinite for a shared strong
    /// identifier): unlike the probability it does not round to 1, so two strong pairs can
    /// still be told apart.
    public var weight: Double
    public var decision: Decision
    /// The strong identifiers the two records share, by kind (`stateId`, `fbiNumber`, …):
    /// not empty exactly when an identifier decided the link.
    public var sharedIdentifiers: [String]
    /// Each field both records have, in `ComparisonField` order.
    public var reasons: [FieldReason]

    /// A review pair that the resolver's given-name rule alone held back from a link (a bare
    /// initial beside a full name, or a rare misspelling that only sounds like it, the dates of
    /// birth agreeing), or whose date of birth is missing: linked when nothing else could be the
    /// person (`PersonResolver.linksWhenUnambiguous`).
    public var linkableWhenUnambiguous: Bool

    /// A review pair held back only because its dates of birth differ: linked unless its two
    /// persons' records confirm two different dates (`DateOfBirth.confirmedApart`).
    public var linkableUnlessDatesConfirmedApart: Bool

    /// A review pair that would link but for its given names, which agree only as a nickname
    /// of several formal names or are close but two known names (`GivenNameDoubt`): the formal
    /// names both may stand for (empty for two known names, which never link by the model).
    /// Linked unless a record names another of the formal names. Nil for every other pair.
    public var formalNamesLeftOpen: Set<String>?

    /// A link whose given names are only close (a typing error, a short form mistyped,
    /// Jaro–Winkler ≥ 0.92) while a record lacks the sex (`PersonResolver.closeNamesWithoutBothSexes`:
    /// Mark beside a Mary without one): made unless a record of one person and a record of the
    /// other give different sexes.
    public var linkUnlessSexesDisagree = false

    public var byIdentifier: Bool { !sharedIdentifiers.isEmpty }

    /// Evidence of two people (and no strong identifier decided): the given names disagree
    /// outright, the sexes differ, the dates of birth differ in more than one component, or the
    /// records carry different numbers of one kind (`ComparisonVector.contradictsOnePerson`).
    /// Such a pair across two persons keeps a weak link between them from being made; such a
    /// partner is no rival to one.
    public var contradictsOnePerson: Bool {
        !byIdentifier && reasons.contains { reason in
            switch reason.field {
            case .givenName, .sex: reason.level == 0
            case .dateOfBirth: reason.level <= 1
            case .identifiers: reason.level == 0
            default: false
            }
        }
    }

    public init(
        score: Double, weight: Double = .infinity, decision: Decision, sharedIdentifiers: [String], reasons: [FieldReason],
        linkableWhenUnambiguous: Bool = false, linkableUnlessDatesConfirmedApart: Bool = false, formalNamesLeftOpen: Set<String>? = nil
    ) {
        self.formalNamesLeftOpen = formalNamesLeftOpen
        self.score = score
        self.weight = weight
        self.decision = decision
        self.sharedIdentifiers = sharedIdentifiers
        self.reasons = reasons
        self.linkableWhenUnambiguous = linkableWhenUnambiguous
        self.linkableUnlessDatesConfirmedApart = linkableUnlessDatesConfirmedApart
    }

    /// The fields that agreed at any level above disagreement (the strong identifiers shared
    /// when one decided), as `bus.identity.linked` lists them.
    public var agreedFields: [String] {
        if byIdentifier { return sharedIdentifiers }
        return reasons.filter { $0.level > 0 && $0.field != .identifiers }.map(\.field.description)
    }
}

extension ComparisonField {
    /// The name of `level` of this field (see the comparison functions for their meaning).
    public func levelName(_ level: UInt8) -> String {
        if level == 0 { return "disagree" }
        if Int(level) == levelCount - 1 { return "agree" }
        let names: [String] = switch self {
        case .givenName: ["disagree", "initial", "sounds_alike", "close", "nickname"]
        case .familyName: ["disagree", "sounds_alike", "close", "shares_part"]
        // Levels 2 and 3 (one component off by more, by one) share the contract's name.
        case .dateOfBirth: ["disagree", "year_within_one", "one_component", "one_component", "swapped"]
        case .address: ["disagree", "postal_code", "close_street"]
        case .ssn: ["disagree", "last_four"]
        case .sex, .identifiers: ["disagree"]
        }
        return Int(level) < names.count ? names[Int(level)] : "agree"
    }
}

extension StrongIdentifier {
    /// The identifier's kind as the records' JSON names it (`stateId`, `docNumber`, …).
    public var kind: String {
        switch self {
        case .stateId: "stateId"
        case .fbiNumber: "fbiNumber"
        case .docNumber: "docNumber"
        case .bookingNumber: "bookingNumber"
        case .rmsNumber: "rmsNumber"
        }
    }
}
