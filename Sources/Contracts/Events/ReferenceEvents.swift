/// Where an agency serves: its state and, within it, the whole state, counties or places.
public struct AgencyJurisdiction: Codable, Sendable, Hashable {
    /// Two-letter state code.
    public var state: String
    /// Serves the whole state (a state police, a department of corrections).
    public var statewide: Bool?
    public var counties: [String]?
    /// Cities, towns and other places, as named in addresses.
    public var places: [String]?

    public init(state: String, statewide: Bool? = nil, counties: [String]? = nil, places: [String]? = nil) {
        self.state = state
        self.statewide = statewide
        self.counties = counties
        self.places = places
    }
}

/// An agency's duty desk: who is told when an urgent notification goes unacknowledged.
/// Contact details (`pii` in the contract): never logged above debug.
public struct DutyContact: Codable, Sendable, Hashable {
    public var phone: String?
    public var email: String?

    public init(phone: String? = nil, email: String? = nil) {
        self.phone = phone
        self.email = email
    }
}

/// `reference.agency.described` version 1: the whole directory entry of an agency, new or
/// changed; it replaces the previous one (the topic is compacted, so no event is partial).
public struct AgencyDescribed: EventPayload {
    public static let eventType = "reference.agency.described"
    public static let schemaVersion = 1

    public var agencyId: String
    public var kind: AgencyKind
    public var name: String
    public var jurisdiction: AgencyJurisdiction
    public var dutyContact: DutyContact?
    /// For a prosecutor (required there): the courts whose cases it prosecutes.
    public var courts: [String]?

    public init(
        agencyId: String, kind: AgencyKind, name: String, jurisdiction: AgencyJurisdiction, dutyContact: DutyContact? = nil,
        courts: [String]? = nil
    ) {
        self.agencyId = agencyId
        self.kind = kind
        self.name = name
        self.jurisdiction = jurisdiction
        self.dutyContact = dutyContact
        self.courts = courts
    }
}

/// `reference.agency.retired` version 1: the agency left the bus and no longer answers any
/// directory lookup (a later `AgencyDescribed` brings it back).
public struct AgencyRetired: EventPayload {
    public static let eventType = "reference.agency.retired"
    public static let schemaVersion = 1

    public var agencyId: String
    public var retiredOn: CalendarDate
    /// The agency that took over its work, if any.
    public var successorAgencyId: String?
    public var reason: String?

    public init(agencyId: String, retiredOn: CalendarDate, successorAgencyId: String? = nil, reason: String? = nil) {
        self.agencyId = agencyId
        self.retiredOn = retiredOn
        self.successorAgencyId = successorAgencyId
        self.reason = reason
    }
}
