import Contracts
import Foundation
import ServiceKit

/// One release's state, folded from its events in the order they happened (`occurredAt`,
/// then `recordedAt`, then event id), not the order they were read: a change read before its
/// schedule, or a replay, gives the same state.
///
/// A schedule sets every field; a change sets only those it carries; a completion sets the
/// actual release and keeps what it does not say (a destination, supervision). A completed
/// release stays completed; a cancelled one is reopened only by a later schedule.
struct ReleaseFold {
    var status: ReleaseStatus?
    /// The person as the latest schedule or completion named them (else the latest event).
    var subject: SubjectIdentifiers?
    var facility: Facility?
    var expectedAt: Date?
    var releasedAt: Date?
    var releaseType: ReleaseType?
    var destination: Address?
    var supervisionType: SupervisionType?
    var supervisingAgencyId: String?

    /// Folds `events` (in any order).
    init(_ events: [ReleaseEvent]) {
        var definingSubject: SubjectIdentifiers?
        var latestSubject: SubjectIdentifiers?
        for event in events.sorted(by: ReleaseEvent.happenedBefore) {
            latestSubject = event.subject
            switch event {
            case .scheduled(let scheduled):
                let release = scheduled.payload
                definingSubject = scheduled.subject
                if status != .completed {
                    status = .scheduled
                    facility = release.facility
                    expectedAt = release.expectedAt
                    releaseType = release.releaseType
                    destination = release.destination
                    supervisionType = release.supervisionType
                    supervisingAgencyId = release.supervisingAgencyId
                }
            case .changed(let changed):
                let change = changed.payload
                guard status != .completed else { continue }
                if status != .cancelled { status = .changed }
                expectedAt = change.expectedAt ?? expectedAt
                releaseType = change.releaseType ?? releaseType
                destination = change.destination ?? destination
                supervisionType = change.supervisionType ?? supervisionType
                supervisingAgencyId = change.supervisingAgencyId ?? supervisingAgencyId
            case .cancelled:
                if status != .completed { status = .cancelled }
            case .completed(let completed):
                let release = completed.payload
                definingSubject = completed.subject
                status = .completed
                facility = release.facility
                releasedAt = release.releasedAt
                releaseType = release.releaseType
                destination = release.destination ?? destination
                supervisionType = release.supervisionType ?? supervisionType
                supervisingAgencyId = release.supervisingAgencyId ?? supervisingAgencyId
            }
        }
        subject = definingSubject ?? latestSubject
    }
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
    init(storedType: String, body: [UInt8], table: String) throws(StoredValueError) {
        do {
            switch storedType {
            case ReleaseScheduled.eventType: self = .scheduled(try EventCodec.decode(ReleaseScheduled.self, from: body))
            case ReleaseChanged.eventType: self = .changed(try EventCodec.decode(ReleaseChanged.self, from: body))
            case ReleaseCancelled.eventType: self = .cancelled(try EventCodec.decode(ReleaseCancelled.self, from: body))
            case ReleaseCompleted.eventType: self = .completed(try EventCodec.decode(ReleaseCompleted.self, from: body))
            default: throw StoredValueError(table: table, column: "event_type")
            }
        } catch let error as StoredValueError {
            throw error
        } catch {
            throw StoredValueError(table: table, column: "body")
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

    static func happenedBefore(_ lhs: ReleaseEvent, _ rhs: ReleaseEvent) -> Bool { lhs.order < rhs.order }
}
