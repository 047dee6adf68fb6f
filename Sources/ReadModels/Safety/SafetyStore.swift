import Contracts
import ServiceKit
import Storage

/// The officer-safety check (`safety-check`): before a home visit, what the bus knows about the
/// address (``check(address:coordinates:radiusMeters:asOf:in:)``):
///
/// - open investigations whose area contains it (`police.investigations`; a closed one is
///   purged on arrival and never shows again, whatever arrives later);
/// - violent incidents within the radius in the 30 days before the moment asked about
///   (`police.incidents`);
/// - the people registered there: supervisees whose registered address it is
///   (`supervision.cases`: a case's start address, later address changes) while a case of
///   theirs is active, and their household members; and which of the investigations and
///   incidents name them. An investigation or incident that names one of them is listed even
///   when it is elsewhere.
///
/// Places are compared on coordinates where the events carry them (haversine distance after a
/// latitude/longitude rectangle in SQL) and otherwise on the normalised address
/// (``SafetyPlace``). Facts are kept per event and joined when asked, so the order in which
/// the topics are read does not matter. Every row about a person carries their `person_key`
/// and its source record's id (case, incident, investigation) for sealing.
public struct SafetyStore: ReadModelStore {
    public static let casesTopic = "supervision.cases"
    public static let incidentsTopic = "police.incidents"
    public static let investigationsTopic = "police.investigations"

    /// Incidents are listed from this many days before the moment asked about.
    public static let incidentWindowDays = 30
    /// The largest radius asked for, in metres: a safety check is about one visit.
    public static let maximumRadiusMeters = 50_000
    /// Two places without comparable addresses are the same when their coordinates are this
    /// close: geocoders place one address a few metres apart, neighbouring houses are further.
    static let sameAddressMeters = 15.0

    public let name = "safety-check"
    public let topics = [Self.casesTopic, Self.incidentsTopic, Self.investigationsTopic]

    static let caseTypes: Set<String> = [CaseStarted.eventType, CaseEnded.eventType, AddressChanged.eventType]
    static let investigationTypes: Set<String> = [
        InvestigationOpened.eventType, InvestigationUpdated.eventType, InvestigationClosed.eventType,
    ]

    public init() {}

    /// Every table of the view, for sealing and tests.
    public var tables: [String] {
        [
            Table.cases, Table.caseEnds, Table.addresses, Table.household, Table.incidents, Table.incidentPeople,
            Table.investigations, Table.investigationPeople, Table.closedInvestigations,
        ]
    }

    public var migrations: [StorageMigration] {
        [.script("safety-v1", Self.schema), .script("safety-v2", Self.numbersStep), .script("safety-v3", Self.householdByCaseStep)]
    }

    public func handles(eventType: String) -> Bool {
        Self.caseTypes.contains(eventType) || Self.investigationTypes.contains(eventType)
            || eventType == ViolentIncidentReported.eventType
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let type = event.eventType
        if Self.caseTypes.contains(type) {
            try applyCase(event, in: transaction)
        } else if Self.investigationTypes.contains(type) {
            try applyInvestigation(event, in: transaction)
        } else if type == ViolentIncidentReported.eventType {
            try applyIncident(event, in: transaction)
        }
    }

    enum Table {
        static let cases = "safety_cases"
        static let caseEnds = "safety_case_ends"
        static let addresses = "safety_addresses"
        static let household = "safety_household"
        static let incidents = "safety_incidents"
        static let incidentPeople = "safety_incident_people"
        static let investigations = "safety_investigations"
        static let investigationPeople = "safety_investigation_people"
        static let closedInvestigations = "safety_closed_investigations"
    }
}
