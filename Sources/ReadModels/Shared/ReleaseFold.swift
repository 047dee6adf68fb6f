import Contracts
import Foundation
import ServiceKit

/// One release's history, folded from its events in the order they happened (`occurredAt`,
/// then `recordedAt`, then event id), not the order they were read: a change read before its
/// schedule, a completion read before anything, or a replay, gives the same history.
///
/// A schedule sets every field; a change sets only those it carries; a completion sets the
/// actual release and keeps what it does not say (a destination, supervision). Only the
/// events of the agency whose schedule or completion came first count (``RecordAuthority``). A completed
/// release stays completed; a cancelled one is reopened only by a schedule that happened
/// later. Before its first schedule or completion a release has no state: a change or a
/// cancellation before it is not a release any view shows, and changes nothing.
struct ReleaseFold {
    /// The person as the latest schedule or completion named them (else the latest event),
    /// with a number that subject lacks taken from the latest event that has it, so a release
    /// is matched with warrants on every number custody gave.
    var subject: SubjectIdentifiers?
    /// Each state with the instant it took effect (ms since 1970, its event's `occurredAt`),
    /// oldest first: an event that changes nothing adds none, and events at the same
    /// millisecond give one state, the last of them.
    var history: [(from: Int64, state: ReleaseState)] = []

    /// Folds `events` (in any order).
    init(_ events: [ReleaseEvent]) {
        var current: ReleaseState?
        var definingSubject: SubjectIdentifiers?
        var latestSubject: SubjectIdentifiers?
        var latestStateId: String?
        var latestFBINumber: String?

        let ordered = events.sorted(by: ReleaseEvent.happenedBefore)
        // The release is the agency's whose schedule (or completion, without one) came first:
        // another agency's events about it are not taken (`RecordAuthority`: the warrant
        // resolver and the router dead-letter them; here they are kept, as read, and left out
        // of the fold, whatever the order they were read in).
        let owner = ordered.first(where: \.definesRelease)?.source.agencyId
        for event in ordered where owner == nil || event.source.agencyId == owner {
            latestSubject = event.subject
            latestStateId = PersonKey.nonEmpty(event.subject?.stateId) ?? latestStateId
            latestFBINumber = PersonKey.nonEmpty(event.subject?.fbiNumber) ?? latestFBINumber
            switch event {
            case .scheduled(let scheduled):
                let release = scheduled.payload
                definingSubject = scheduled.subject
                guard current?.status != .completed else { break }
                current = ReleaseState(
                    status: .scheduled, facility: release.facility, expectedAt: release.expectedAt, releasedAt: nil,
                    releaseType: release.releaseType, destination: release.destination, supervisionType: release.supervisionType,
                    supervisingAgencyId: release.supervisingAgencyId)
            case .changed(let changed):
                let change = changed.payload
                guard var state = current, state.status != .completed else { break }
                if state.status == .scheduled { state.status = .changed }
                state.expectedAt = change.expectedAt ?? state.expectedAt
                state.releaseType = change.releaseType ?? state.releaseType
                state.destination = change.destination ?? state.destination
                state.supervisionType = change.supervisionType ?? state.supervisionType
                state.supervisingAgencyId = change.supervisingAgencyId ?? state.supervisingAgencyId
                current = state
            case .cancelled:
                if let status = current?.status, status.isUpcoming { current?.status = .cancelled }
            case .completed(let completed):
                let release = completed.payload
                definingSubject = completed.subject
                current = ReleaseState(
                    status: .completed, facility: release.facility, expectedAt: current?.expectedAt, releasedAt: release.releasedAt,
                    releaseType: release.releaseType, destination: release.destination ?? current?.destination,
                    supervisionType: release.supervisionType ?? current?.supervisionType,
                    supervisingAgencyId: release.supervisingAgencyId ?? current?.supervisingAgencyId)
            }
            if let current { record(current, from: ViewTime.milliseconds(event.occurredAt)) }
        }

        var subject = definingSubject ?? latestSubject
        if PersonKey.nonEmpty(subject?.stateId) == nil, let latestStateId { subject = Self.subject(subject, stateId: latestStateId) }
        if PersonKey.nonEmpty(subject?.fbiNumber) == nil, let latestFBINumber { subject = Self.subject(subject, fbiNumber: latestFBINumber) }
        self.subject = subject
    }

    private mutating func record(_ state: ReleaseState, from: Int64) {
        if history.last?.state == state { return }  // nothing changed: the state in force goes on
        if history.last?.from == from { history.removeLast() }
        if history.last?.state != state { history.append((from, state)) }
    }

    private static func subject(_ subject: SubjectIdentifiers?, stateId: String? = nil, fbiNumber: String? = nil) -> SubjectIdentifiers {
        var merged = subject ?? SubjectIdentifiers()
        if let stateId { merged.stateId = stateId }
        if let fbiNumber { merged.fbiNumber = fbiNumber }
        return merged
    }
}

/// What a release was from one of its events to the next (``ReleaseFold``), and as a view
/// reads it back (``StoredRelease``).
struct ReleaseState: Equatable {
    var status: ReleaseStatus
    var facility: Facility?
    /// The latest expected release.
    var expectedAt: Date?
    /// When the person left (completed releases).
    var releasedAt: Date?
    var releaseType: ReleaseType?
    var destination: Address?
    var supervisionType: SupervisionType?
    var supervisingAgencyId: String?
}

/// One event of `custody.releases`, decoded.
enum ReleaseEvent {
    case scheduled(EventEnvelope<ReleaseScheduled>)
    case changed(EventEnvelope<ReleaseChanged>)
    case cancelled(EventEnvelope<ReleaseCancelled>)
    case completed(EventEnvelope<ReleaseCompleted>)

    static let types: Set<String> = [
        ReleaseScheduled.eventType, ReleaseChanged.eventType, ReleaseCancelled.eventType, ReleaseCompleted.eventType,
    ]

    /// An admitted event of one of the four types; one that does not decode is a poison message.
    init(_ event: AdmittedEvent) throws(PoisonMessage) {
        switch event.eventType {
        case ReleaseScheduled.eventType: self = .scheduled(try event.decode(ReleaseScheduled.self))
        case ReleaseChanged.eventType: self = .changed(try event.decode(ReleaseChanged.self))
        case ReleaseCancelled.eventType: self = .cancelled(try event.decode(ReleaseCancelled.self))
        case ReleaseCompleted.eventType: self = .completed(try event.decode(ReleaseCompleted.self))
        default: throw PoisonMessage(reason: "event type \(event.eventType) is not a release event")
        }
    }

    /// An event as a view stored it (its type and its bytes).
    init(storedType: String, body: [UInt8], table: String) throws(UnreadableViewRow) {
        do {
            switch storedType {
            case ReleaseScheduled.eventType: self = .scheduled(try EventCodec.decode(ReleaseScheduled.self, from: body))
            case ReleaseChanged.eventType: self = .changed(try EventCodec.decode(ReleaseChanged.self, from: body))
            case ReleaseCancelled.eventType: self = .cancelled(try EventCodec.decode(ReleaseCancelled.self, from: body))
            case ReleaseCompleted.eventType: self = .completed(try EventCodec.decode(ReleaseCompleted.self, from: body))
            default: throw UnreadableViewRow(table: table, column: "event_type", reason: "is not a release event type")
            }
        } catch let error as UnreadableViewRow {
            throw error
        } catch {
            throw UnreadableViewRow(table: table, column: "body", reason: "does not decode as a \(storedType) event")
        }
    }

    var releaseId: String {
        switch self {
        case .scheduled(let e): e.payload.releaseId
        case .changed(let e): e.payload.releaseId
        case .cancelled(let e): e.payload.releaseId
        case .completed(let e): e.payload.releaseId
        }
    }

    var subject: SubjectIdentifiers? {
        switch self {
        case .scheduled(let e): e.subject
        case .changed(let e): e.subject
        case .cancelled(let e): e.subject
        case .completed(let e): e.subject
        }
    }

    private var order: (Date, Date, String) {
        switch self {
        case .scheduled(let e): (e.occurredAt, e.recordedAt, e.eventId.uuidString.lowercased())
        case .changed(let e): (e.occurredAt, e.recordedAt, e.eventId.uuidString.lowercased())
        case .cancelled(let e): (e.occurredAt, e.recordedAt, e.eventId.uuidString.lowercased())
        case .completed(let e): (e.occurredAt, e.recordedAt, e.eventId.uuidString.lowercased())
        }
    }

    var occurredAt: Date { order.0 }

    var source: SourceAgency {
        switch self {
        case .scheduled(let e): e.source
        case .changed(let e): e.source
        case .cancelled(let e): e.source
        case .completed(let e): e.source
        }
    }

    /// A schedule or a completion: what makes a release known (`RecordAuthority.definesRelease`).
    var definesRelease: Bool { RecordAuthority.definesRelease(eventType) }

    var eventType: String {
        switch self {
        case .scheduled: ReleaseScheduled.eventType
        case .changed: ReleaseChanged.eventType
        case .cancelled: ReleaseCancelled.eventType
        case .completed: ReleaseCompleted.eventType
        }
    }

    static func happenedBefore(_ lhs: ReleaseEvent, _ rhs: ReleaseEvent) -> Bool { lhs.order < rhs.order }
}
