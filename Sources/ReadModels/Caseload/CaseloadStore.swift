import Contracts
import ServiceKit
import Storage

/// The supervision caseload (`caseload-view`): for each officer and each supervising agency,
/// every supervisee with their case (type, conditions, registered address and household,
/// officer), their latest risk assessment, and dated flags from other agencies: arrests,
/// bookings, police contacts, violent incidents naming them as victim or suspect, active
/// warrants and detainers, scheduled releases. Queries:
/// ``caseload(officerId:asOf:since:kinds:in:)`` and ``caseload(agencyId:asOf:since:kinds:in:)``.
///
/// Rules, each over the events alone (no clock):
/// - A case is on the caseload on the days from its start date to its end date, both
///   included (UTC days, as the router reads them); an ended case leaves the day after.
/// - Officer, address and conditions are kept as dated history per case: an assignment
///   takes effect at its event's `occurredAt` (a case's first officer from the start of its
///   start day, or earlier if the case was opened earlier), an address or a list of
///   conditions on its effective date. A query shows those in force at the moment asked
///   about, so a reassignment moves the supervisee from one officer's caseload to the other's.
/// - Flags are kept per person (whatever the case), and joined to a case when read, on the
///   state ID or the FBI number: an arrest read before the case starts shows once it has
///   started. A flag dated before the case began still shows (the officer should know); a
///   query's `since` and `kinds` narrow them.
/// - Police contacts are filed under the event's subject, the supervisee, whoever police met:
///   the flag says whether it was the supervisee (`relationToSubject` `self`, `.subject` in Swift) or a household
///   member or associate (`personContacted`, not kept), and whether it was at their address.
/// - A violent incident names its people in the payload, by state ID only; a victim or
///   suspect without one is not kept (the incident is valid, it names nobody the view can
///   match), and an incident naming nobody by state ID changes nothing.
/// - Warrants and detainers as ``WarrantLedger`` keeps them, releases as ``ReleaseLedger``
///   (the release as it stood at the moment asked about).
/// - Each fact's newest event (by `occurredAt`) wins, so a repeated or late old event
///   changes nothing.
/// - An event about a person (every type except incidents) without a state ID or FBI number
///   is a `PoisonMessage`, refused before anything is written.
public struct CaseloadStore: ReadModelStore {
    public static let casesTopic = "supervision.cases"
    public static let assessmentsTopic = "supervision.assessments"
    public static let arrestsTopic = "police.arrests"
    public static let contactsTopic = "police.contacts"
    public static let incidentsTopic = "police.incidents"
    public static let warrantsTopic = "courts.warrants"
    public static let releasesTopic = "custody.releases"

    public let name = "caseload-view"
    public let topics = [
        Self.casesTopic, Self.assessmentsTopic, Self.arrestsTopic, Self.contactsTopic, Self.incidentsTopic,
        Self.warrantsTopic, Self.releasesTopic,
    ]
    public var migrations: [StorageMigration] { Self.migrationSteps }

    static let warrants = WarrantLedger.views
    static let releases = ReleaseLedger.views

    public init() {}

    private static let ownEventTypes: Set<String> = [
        CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, ConditionsSet.eventType,
        AddressChanged.eventType, AssessmentCompleted.eventType, ArrestMade.eventType, BookingRecorded.eventType,
        ContactRecorded.eventType, ViolentIncidentReported.eventType,
    ]

    public func handles(eventType: String) -> Bool {
        Self.ownEventTypes.contains(eventType) || Self.warrants.handles(eventType: eventType) || Self.releases.handles(eventType: eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case CaseStarted.eventType: try caseStarted(try event.decode(CaseStarted.self), transaction)
        case CaseEnded.eventType: try caseEnded(try event.decode(CaseEnded.self), transaction)
        case OfficerAssigned.eventType:
            let assigned = try event.decode(OfficerAssigned.self)
            try saveOfficer(
                assigned.payload.officer, caseId: assigned.payload.caseId, personKey: try PersonKey(subject: assigned.subject).value,
                effectiveAt: ViewTime.milliseconds(assigned.occurredAt), transaction)
        case ConditionsSet.eventType: try conditionsSet(try event.decode(ConditionsSet.self), transaction)
        case AddressChanged.eventType: try addressChanged(try event.decode(AddressChanged.self), transaction)
        case AssessmentCompleted.eventType: try assessmentCompleted(try event.decode(AssessmentCompleted.self), transaction)
        case ArrestMade.eventType: try arrestMade(try event.decode(ArrestMade.self), transaction)
        case BookingRecorded.eventType: try bookingRecorded(try event.decode(BookingRecorded.self), transaction)
        case ContactRecorded.eventType: try contactRecorded(try event.decode(ContactRecorded.self), transaction)
        case ViolentIncidentReported.eventType: try incidentReported(try event.decode(ViolentIncidentReported.self), transaction)
        case let type where Self.warrants.handles(eventType: type): try Self.warrants.apply(event, in: transaction)
        case let type where Self.releases.handles(eventType: type): try Self.releases.apply(event, in: transaction)
        default: return
        }
    }
}
