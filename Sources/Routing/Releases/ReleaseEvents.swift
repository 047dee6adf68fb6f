import Contracts
import Foundation
import ServiceKit

/// How a release event changes what the router knows of the release (`KnownRelease`) and what
/// its notice says (`ReleaseNotice`): a plain function of the event and the release as known
/// before, no storage, no clock.
enum ReleaseEvents {
    static let eventTypes: Set<String> = [
        ReleaseScheduled.eventType, ReleaseChanged.eventType, ReleaseCancelled.eventType, ReleaseCompleted.eventType,
    ]

    /// The release after `event` and the event's notice.
    ///
    /// - Throws: `PoisonMessage` naming the field when the event does not decode, or when a
    ///   version 1 event names no person (`subject.stateId`: the topic is keyed by it; an FBI
    ///   number alone is accepted). Version 2 admits a release under another number (a jail's
    ///   booking number): its rules about places and short notice need no person, and those
    ///   about a supervisee find no case.
    static func apply(_ event: AdmittedEvent, to previous: KnownRelease?) throws -> (KnownRelease, ReleaseNotice) {
        let (known, notice, source) = try applied(event, to: previous)
        // Only the agency that made the release known speaks for it (the warrant resolver and
        // the views refuse the same events).
        try RecordAuthority.releaseChanged(event.eventType, releaseId: known.releaseId, by: source, releasingAgency: previous?.releasingAgencyId)
        var release = known
        release.releasingAgencyId = previous?.releasingAgencyId ?? (RecordAuthority.definesRelease(event.eventType) ? source.agencyId : nil)
        return (release, notice)
    }

    private static func applied(_ event: AdmittedEvent, to previous: KnownRelease?) throws -> (KnownRelease, ReleaseNotice, SourceAgency) {
        switch event.eventType {
        case ReleaseScheduled.eventType:
            let scheduled = try event.decode(ReleaseScheduled.self)
            try requirePerson(scheduled.subject, event)
            let payload = scheduled.payload
            var release = previous ?? KnownRelease(releaseId: payload.releaseId, subject: scheduled.subject, status: .scheduled, wasScheduled: true)
            release.subject = scheduled.subject
            release.status = .scheduled
            release.wasScheduled = true
            release.facility = payload.facility
            release.releaseType = payload.releaseType.rawValue
            release.setExpected(payload.expectedAt, by: event.eventId, type: event.eventType, occurredAt: scheduled.occurredAt)
            release.destination = payload.destination ?? release.destination
            release.supervisingAgencyId = payload.supervisingAgencyId ?? release.supervisingAgencyId
            let short = payload.expectedAt.timeIntervalSince(scheduled.occurredAt) < ReleaseNotice.shortNoticeWindow
            return (release, notice(scheduled, .scheduled, release, at: payload.expectedAt, previousAt: nil, reason: nil, short: short), scheduled.source)
        case ReleaseChanged.eventType:
            let changed = try event.decode(ReleaseChanged.self)
            try requirePerson(changed.subject, event)
            let payload = changed.payload
            var release = previous ?? KnownRelease(releaseId: payload.releaseId, subject: changed.subject, status: .scheduled, wasScheduled: true)
            release.subject = changed.subject ?? release.subject
            release.wasScheduled = true
            let previousAt = payload.previousExpectedAt ?? release.expectedAt
            if let expectedAt = payload.expectedAt {
                release.setExpected(expectedAt, by: event.eventId, type: event.eventType, occurredAt: changed.occurredAt)
            }
            release.releaseType = payload.releaseType?.rawValue ?? release.releaseType
            release.destination = payload.destination ?? release.destination
            release.supervisingAgencyId = payload.supervisingAgencyId ?? release.supervisingAgencyId
            let short = payload.expectedAt.map { $0.timeIntervalSince(changed.occurredAt) < ReleaseNotice.shortNoticeWindow } ?? false
            return (release, notice(changed, .changed, release, at: release.expectedAt,
                                    previousAt: payload.expectedAt == nil ? nil : previousAt, reason: payload.reason, short: short), changed.source)
        case ReleaseCancelled.eventType:
            let cancelled = try event.decode(ReleaseCancelled.self)
            try requirePerson(cancelled.subject, event)
            var release = previous ?? KnownRelease(
                releaseId: cancelled.payload.releaseId, subject: cancelled.subject, status: .cancelled, wasScheduled: true)
            release.subject = cancelled.subject ?? release.subject
            release.status = .cancelled
            return (release, notice(cancelled, .cancelled, release, at: release.expectedAt, previousAt: nil, reason: cancelled.payload.reason, short: false), cancelled.source)
        case ReleaseCompleted.eventType:
            let completed = try event.decode(ReleaseCompleted.self)
            try requirePerson(completed.subject, event)
            let payload = completed.payload
            // Short notice unless a schedule is in force: a cancelled one announced nothing to come.
            let wasScheduled = previous.map { $0.wasScheduled && $0.status != .cancelled } ?? false
            var release = previous ?? KnownRelease(releaseId: payload.releaseId, subject: completed.subject, status: .completed, wasScheduled: false)
            release.subject = completed.subject ?? release.subject
            release.status = .completed
            release.facility = payload.facility
            release.releaseType = payload.releaseType.rawValue
            release.destination = payload.destination ?? release.destination
            release.supervisingAgencyId = payload.supervisingAgencyId ?? release.supervisingAgencyId
            return (release, notice(completed, .completed, release, at: payload.releasedAt, previousAt: nil, reason: nil, short: !wasScheduled), completed.source)
        default:
            throw PoisonMessage(reason: "\(event.eventType): not a release event")
        }
    }

    private static func requirePerson(_ subject: SubjectIdentifiers?, _ event: AdmittedEvent) throws(PoisonMessage) {
        if subject?.stateId != nil || subject?.fbiNumber != nil { return }
        // Version 2 (the same for the four release events) may name the person otherwise.
        if event.schemaVersion == ReleaseScheduled.stateIdOptionalVersion { return }
        throw PoisonMessage(reason: "\(event.eventType): subject.stateId: the release rules need the person (state ID or FBI number)")
    }

    private static func notice<Payload>(
        _ envelope: EventEnvelope<Payload>, _ kind: ReleaseNotice.Kind, _ release: KnownRelease, at: Date?, previousAt: Date?,
        reason: String?, short: Bool
    ) -> ReleaseNotice {
        ReleaseNotice(
            eventId: envelope.eventId.uuidString.lowercased(), eventType: envelope.eventType, kind: kind, occurredAt: envelope.occurredAt,
            releaseId: release.releaseId, subject: envelope.subject ?? release.subject, facility: release.facility,
            releaseType: release.releaseType, at: at, previousAt: previousAt, destination: release.destination,
            supervisingAgencyId: release.supervisingAgencyId, reason: reason, isShortNotice: short)
    }
}

extension KnownRelease {
    init(releaseId: String, subject: SubjectIdentifiers?, status: Status, wasScheduled: Bool) {
        self.init(
            releaseId: releaseId, subject: subject, status: status, wasScheduled: wasScheduled, facility: nil, releaseType: nil,
            expectedAt: nil, expectedEventId: nil, expectedEventType: nil, expectedEventOccurredAt: nil, destination: nil,
            supervisingAgencyId: nil, releasingAgencyId: nil)
    }

    /// A new expected time, set by `eventId`; the same time re-sent keeps the event that set it
    /// (the pre-release notices derive from it, and do not repeat for the same date).
    mutating func setExpected(_ expectedAt: Date, by eventId: String, type: String, occurredAt: Date) {
        guard self.expectedAt != expectedAt || expectedEventId == nil else { return }
        self.expectedAt = expectedAt
        expectedEventId = eventId
        expectedEventType = type
        expectedEventOccurredAt = occurredAt
    }
}
