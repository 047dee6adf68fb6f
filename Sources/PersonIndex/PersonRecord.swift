/// One agency's record of a person, as the person index reads it: whatever the agency knows
/// (names, date of birth, sex, an address, identifiers), any of it possibly missing or wrong.
/// Records are linked to one another; none is ever edited by the index.
public struct PersonRecord: Sendable, Hashable {
    /// Unique among all records read together: links and decisions name records by it.
    public var recordId: String
    /// The agency or system the record came from (booking and RMS numbers are scoped by it).
    public var source: String
    public var givenName: String?
    public var familyName: String?
    /// Other names the person is known by, each a full name ("Bill Smith"): the first word is
    /// taken as the given name, the rest as the family name.
    public var aliases: [String]
    public var dateOfBirth: DateOfBirth?
    public var sex: Sex?
    public var address: PostalAddress?
    public var identifiers: PersonIdentifiers

    public init(
        recordId: String, source: String, givenName: String? = nil, familyName: String? = nil,
        aliases: [String] = [], dateOfBirth: DateOfBirth? = nil, sex: Sex? = nil,
        address: PostalAddress? = nil, identifiers: PersonIdentifiers = PersonIdentifiers()
    ) {
        self.recordId = recordId
        self.source = source
        self.givenName = givenName
        self.familyName = familyName
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.address = address
        self.identifiers = identifiers
    }
}

/// Sex as agencies record it. `unknown` and `unspecified` are compared as missing.
public enum Sex: String, Sendable, Hashable, CaseIterable {
    case male = "M"
    case female = "F"
    case unspecified = "X"
    case unknown = "U"

    /// Whether the value says anything a comparison can use.
    public var isInformative: Bool { self == .male || self == .female }
}

/// A postal address as written by the agency; compared after normalisation.
public struct PostalAddress: Sendable, Hashable {
    public var line1: String?
    public var line2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?

    public init(line1: String? = nil, line2: String? = nil, city: String? = nil, state: String? = nil, postalCode: String? = nil) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.state = state
        self.postalCode = postalCode
    }
}

/// Identifiers agencies assign. State ID and FBI number identify a person everywhere; a DOC
/// number only within its state (`docState`), booking and RMS numbers only within the record's
/// source. SSN (full or its last four digits) is evidence for the model, never a link by itself.
public struct PersonIdentifiers: Sendable, Hashable {
    public var stateId: String?
    public var fbiNumber: String?
    public var ssn: String?
    public var docNumber: String?
    /// The state whose department of corrections issued `docNumber` (two letters).
    public var docState: String?
    public var bookingNumber: String?
    public var rmsNumber: String?

    public init(
        stateId: String? = nil, fbiNumber: String? = nil, ssn: String? = nil, docNumber: String? = nil,
        docState: String? = nil, bookingNumber: String? = nil, rmsNumber: String? = nil
    ) {
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.ssn = ssn
        self.docNumber = docNumber
        self.docState = docState
        self.bookingNumber = bookingNumber
        self.rmsNumber = rmsNumber
    }

    /// The identifier types the reader accepts, as the JSON keys under `identifiers`.
    public static let keys: [String] = ["stateId", "fbiNumber", "ssn", "docNumber", "docState", "bookingNumber", "rmsNumber"]
}
