import Contracts
import Foundation

/// What the officer-safety check found for an address about to be visited (``SafetyStore``):
/// who is registered there, the open investigations and the recent violent incidents at or
/// around it, and which of them name the people registered there. Personal data and criminal
/// intelligence: for the officer asking, never for logs.
public struct SafetyCheckResult: Codable, Sendable, Hashable {
    /// The address asked about, normalised (``Places/AddressKey``), without its ZIP.
    public var address: String
    /// Where the address is on the map, and where that came from; nil when nothing said,
    /// in which case investigation areas and the radius could not be checked and only what
    /// is recorded at the same address is listed.
    public var coordinates: Coordinates?
    public var coordinatesFrom: SafetyCoordinatesSource
    public var radiusMeters: Int
    public var asOf: Date
    /// Incidents count from this many days before ``asOf``.
    public var incidentWindowDays: Int
    /// People whose registered address (supervision cases) is this one as of ``asOf``, with
    /// their household members.
    public var residents: [SafetyResident]
    public var investigations: [SafetyInvestigation]
    /// Newest first.
    public var incidents: [SafetyIncident]

    public init(
        address: String, coordinates: Coordinates?, coordinatesFrom: SafetyCoordinatesSource, radiusMeters: Int, asOf: Date,
        incidentWindowDays: Int, residents: [SafetyResident], investigations: [SafetyInvestigation], incidents: [SafetyIncident]
    ) {
        self.address = address
        self.coordinates = coordinates
        self.coordinatesFrom = coordinatesFrom
        self.radiusMeters = radiusMeters
        self.asOf = asOf
        self.incidentWindowDays = incidentWindowDays
        self.residents = residents
        self.investigations = investigations
        self.incidents = incidents
    }
}

/// Where the coordinates of the address asked about came from.
public enum SafetyCoordinatesSource: String, Codable, Sendable, Hashable {
    /// The caller gave them (`--lat/--lon`, or the address's own coordinates).
    case given
    /// An event recorded at the same address carried them.
    case records
    /// Nobody did: only the address itself could be matched.
    case unknown
}

/// Someone registered at the address: a supervisee (their case's registered address) or a
/// member of their household.
public struct SafetyResident: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case supervisee
        case householdMember = "household_member"
    }

    public var kind: Kind
    public var name: PersonName?
    /// The supervisee's state ID (nil for a household member, whom no number identifies).
    public var stateId: String?
    /// The supervisee's FBI number, when a record of theirs gave it.
    public var fbiNumber: String?
    public var dateOfBirth: CalendarDate?
    /// The supervisee's key (`sid:`/`fbi:`); for a household member, the key of the supervisee
    /// whose household it is.
    public var personKey: String
    /// A household member's relationship to the supervisee.
    public var relationship: String?
    /// The case whose address record registered them.
    public var caseId: String
    /// The registered address, normalised (it may name a unit the question did not).
    public var registeredAddress: String?

    public init(
        kind: Kind, name: PersonName?, stateId: String?, fbiNumber: String? = nil, dateOfBirth: CalendarDate?, personKey: String,
        relationship: String?, caseId: String, registeredAddress: String?
    ) {
        self.kind = kind
        self.name = name
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.dateOfBirth = dateOfBirth
        self.personKey = personKey
        self.relationship = relationship
        self.caseId = caseId
        self.registeredAddress = registeredAddress
    }
}

/// Why an investigation or incident is listed.
public enum SafetyMatchReason: String, Codable, Sendable, Hashable {
    /// The investigation's area contains the address.
    case withinArea = "within_area"
    /// The incident happened within the radius.
    case withinRadius = "within_radius"
    /// The incident was recorded at this address (no coordinates to measure by).
    case atAddress = "at_address"
    /// It names someone registered at the address.
    case namesResident = "names_resident"
}

/// How a person named in an event was recognised as a resident.
public enum SafetyMatchBasis: String, Codable, Sendable, Hashable {
    /// The same state ID.
    case stateId = "state_id"
    /// The same FBI number, where one side has no state ID.
    case fbiNumber = "fbi_number"
    /// The same given and family name, no state ID or date of birth against it: check it.
    case name
}

/// A resident named in an investigation or incident.
public struct SafetyMention: Codable, Sendable, Hashable {
    public enum Role: String, Codable, Sendable, Hashable {
        case personOfInterest = "person_of_interest"
        case victim
        case suspect
    }

    public var resident: SafetyResident
    public var role: Role
    public var matchedOn: SafetyMatchBasis

    public init(resident: SafetyResident, role: Role, matchedOn: SafetyMatchBasis) {
        self.resident = resident
        self.role = role
        self.matchedOn = matchedOn
    }
}

/// An open investigation at or around the address.
///
/// Only a `routine` investigation's details travel (its summary and who it names): a
/// `restricted` or `confidential` one shows that it exists, who leads it and whom to call
/// (``detailsWithheld``), as the glossary's sensitivities say.
public struct SafetyInvestigation: Codable, Sendable, Hashable {
    public var investigationId: String
    /// Nil when its opening was not read (an update only).
    public var leadAgencyId: String?
    public var sensitivity: InvestigationSensitivity?
    public var summary: String?
    public var contact: Officer?
    public var area: InvestigationArea?
    /// From the area's centre to the address, when both are on the map.
    public var distanceMeters: Double?
    public var reasons: [SafetyMatchReason]
    public var namedResidents: [SafetyMention]
    public var detailsWithheld: Bool

    public init(
        investigationId: String, leadAgencyId: String?, sensitivity: InvestigationSensitivity?, summary: String?, contact: Officer?,
        area: InvestigationArea?, distanceMeters: Double?, reasons: [SafetyMatchReason], namedResidents: [SafetyMention], detailsWithheld: Bool
    ) {
        self.investigationId = investigationId
        self.leadAgencyId = leadAgencyId
        self.sensitivity = sensitivity
        self.summary = summary
        self.contact = contact
        self.area = area
        self.distanceMeters = distanceMeters
        self.reasons = reasons
        self.namedResidents = namedResidents
        self.detailsWithheld = detailsWithheld
    }
}

/// A violent incident near the address in the window.
public struct SafetyIncident: Codable, Sendable, Hashable {
    public var incidentId: String
    public var incidentKind: ViolentIncidentKind
    public var incidentAt: Date
    public var reportNumber: String?
    /// Its address as reported, when it had one.
    public var address: Address?
    /// From the address asked about, when both are on the map.
    public var distanceMeters: Double?
    public var reasons: [SafetyMatchReason]
    public var namedResidents: [SafetyMention]

    public init(
        incidentId: String, incidentKind: ViolentIncidentKind, incidentAt: Date, reportNumber: String?, address: Address?,
        distanceMeters: Double?, reasons: [SafetyMatchReason], namedResidents: [SafetyMention]
    ) {
        self.incidentId = incidentId
        self.incidentKind = incidentKind
        self.incidentAt = incidentAt
        self.reportNumber = reportNumber
        self.address = address
        self.distanceMeters = distanceMeters
        self.reasons = reasons
        self.namedResidents = namedResidents
    }
}
