import Contracts

/// What the engine made of one value for one requester: the value with every withheld field
/// absent, which fields were disclosed and which withheld (contract paths, never values), the
/// persons it is about, and the notices that must travel with it.
public struct Redaction: Sendable, Hashable {
    /// The value to send: the input without the withheld fields.
    public var value: JSONValue
    /// The fields kept, by contract path (`payload.charges`, `summary`), each once, sorted.
    public var disclosed: [DisclosedField]
    /// The fields taken out, each once, sorted, with why.
    public var withheld: [WithheldField]
    /// The persons whose data the input held, by identifier (from the input, withheld or not:
    /// the audit ledger records whom a disclosure was about).
    public var persons: [PersonIdentifier]
    /// Notices the recipient must receive with the value (the 42 CFR Part 2 notice when a health
    /// field is disclosed).
    public var notices: [DisclosureNotice]

    /// How many fields were withheld because their contract gives them no classification.
    public var unclassifiedCount: Int { withheld.filter { $0.reason == .unclassified }.count }
}

/// A field that was disclosed, and its classifications.
public struct DisclosedField: Sendable, Hashable, Codable, Comparable {
    /// The contract's path: dotted members, array items not numbered (`payload.keyContacts`).
    public var field: String
    public var classifications: [FieldClassification]

    public init(field: String, classifications: [FieldClassification]) {
        self.field = field
        self.classifications = classifications
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.field < rhs.field }
}

/// A field that was withheld, its classifications (empty when the contract gives none) and why.
public struct WithheldField: Sendable, Hashable, Codable, Comparable {
    public var field: String
    public var classifications: [FieldClassification]
    public var reason: WithholdingReason

    public init(field: String, classifications: [FieldClassification], reason: WithholdingReason) {
        self.field = field
        self.classifications = classifications
        self.reason = reason
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.field < rhs.field }
}

/// Why a field was withheld; the codes are those of the `bus.audit` contract.
public enum WithholdingReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// No grant of the policy covers one of its classifications for the requester's roles,
    /// agency kind and purpose.
    case notGranted = "not_granted"
    /// A health field, and no consent of the person is in force for this disclosure.
    case consentNotInForce = "consent_not_in_force"
    /// A criminal-intelligence field, and the requester holds no subscription on a 28 CFR Part
    /// 23 basis.
    case noPart23Basis = "no_part23_basis"
    /// The contract gives the field no classification (or there is no contract for the value):
    /// what is not classified is not shown.
    case unclassified

    /// In words, for API responses and the CLI.
    public var explanation: String {
        switch self {
        case .notGranted: "the access policy grants this classification to none of your roles for your agency's kind and purpose"
        case .consentNotInForce: "health information: no consent of the person is in force for this disclosure (HIPAA, 42 CFR Part 2)"
        case .noPart23Basis: "criminal intelligence: only for holders of a subscription on a 28 CFR Part 23 basis"
        case .unclassified: "the field has no classification in its contract, and what is not classified is not disclosed"
        }
    }
}

/// A notice that must accompany disclosed data.
public enum DisclosureNotice: String, Sendable, Hashable, Codable, CaseIterable {
    /// Health or substance-use treatment information was disclosed under consent.
    case part2Redisclosure = "42_cfr_part_2"

    /// The text to show with the data. The first sentence is the abbreviated notice that
    /// 42 CFR 2.32 allows; the rest says what it means here.
    public var text: String {
        switch self {
        case .part2Redisclosure:
            "42 CFR part 2 prohibits unauthorized use or disclosure of these records. "
                + "This health information was disclosed with the person's consent, for the stated purpose only: "
                + "do not pass it on, and do not use it against the person, unless the consent or the regulation allows it."
        }
    }
}

/// One identifier of a person, as events carry them.
public struct PersonIdentifier: Sendable, Hashable, Codable, Comparable {
    /// `stateId`, `fbiNumber`, `docNumber`, `bookingNumber` or `rmsNumber`.
    public var identifier: String
    public var value: String

    public init(identifier: String, value: String) {
        self.identifier = identifier
        self.value = value
    }

    /// The identifiers the envelope's subject may carry, in the order they are preferred.
    public static let kinds = ["stateId", "fbiNumber", "docNumber", "bookingNumber", "rmsNumber"]

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.identifier, lhs.value) < (rhs.identifier, rhs.value) }
}
