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

/// How long an urgent notification to someone of an agency may go unacknowledged before it is
/// escalated to the agency's duty desk, then to its supervisors.
public struct AgencyEscalation: Codable, Sendable, Hashable {
    /// Used when an agency's entry sets none.
    public static let standard = AgencyEscalation(dutyDeskAfterMinutes: 15, supervisorAfterMinutes: 30)

    public var dutyDeskAfterMinutes: Int
    public var supervisorAfterMinutes: Int

    public init(dutyDeskAfterMinutes: Int, supervisorAfterMinutes: Int) {
        self.dutyDeskAfterMinutes = dutyDeskAfterMinutes
        self.supervisorAfterMinutes = supervisorAfterMinutes
    }
}

/// How often an agency's system is expected to publish to one topic (feed liveness).
public struct FeedCadence: Codable, Sendable, Hashable {
    public var topic: String
    public var everyMinutes: Int

    public init(topic: String, everyMinutes: Int) {
        self.topic = topic
        self.everyMinutes = everyMinutes
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
    /// Who looks after the agency's connection to the bus; told when one of its feeds falls silent.
    public var integratorContact: DutyContact?
    /// When an unacknowledged urgent notification is escalated; nil means ``AgencyEscalation/standard``.
    public var escalation: AgencyEscalation?
    /// Expected publishing cadences overriding the defaults for the agency's kind.
    public var feedCadences: [FeedCadence]?
    /// For a prosecutor (required there): the courts whose cases it prosecutes.
    public var courts: [String]?

    public init(
        agencyId: String, kind: AgencyKind, name: String, jurisdiction: AgencyJurisdiction, dutyContact: DutyContact? = nil,
        courts: [String]? = nil, integratorContact: DutyContact? = nil, escalation: AgencyEscalation? = nil,
        feedCadences: [FeedCadence]? = nil
    ) {
        self.agencyId = agencyId
        self.kind = kind
        self.name = name
        self.jurisdiction = jurisdiction
        self.dutyContact = dutyContact
        self.courts = courts
        self.integratorContact = integratorContact
        self.escalation = escalation
        self.feedCadences = feedCadences
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
