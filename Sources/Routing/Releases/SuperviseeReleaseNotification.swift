import Contracts
import Notifications

/// The wording of rule `supervisee-release`: what the supervising officer (or agency) reads
/// about a release event of their supervisee.
enum SuperviseeReleaseNotification {
    /// To the officer (or agency) of `supervision`, routed for the case (its scope), so a
    /// sealing order for the case finds it.
    static func make(_ notice: ReleaseNotice, supervision: SupervisionCase, recipient: Recipient) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .routine,
            summary: "Your supervisee \(notice.person): \(notice.what)"
                + (notice.facility.map { " (\($0.name))" } ?? ""),
            reason: NotificationReason(
                rule: ReleaseRules.superviseeRelease,
                explanation: "You supervise case \(supervision.caseId), active on the day of the release or of this event.",
                matched: notice.matched),
            facts: notice.facts + [NotificationFact("case", "\(supervision.caseId) (\(supervision.supervisionType), \(supervision.agencyId))")],
            occurredAt: notice.occurredAt, subjectStateId: notice.subject?.stateId ?? supervision.stateId,
            sourceEventId: notice.eventId, sourceEventType: notice.eventType,
            scope: supervision.caseId, recipientAgencyId: supervision.agencyId,
            subjectFbiNumber: notice.subject?.fbiNumber ?? supervision.fbiNumber)
    }

    /// To the agency the release names as supervising, always: also when the router holds no
    /// case of the person (parole that starts at the release).
    static func make(_ notice: ReleaseNotice, supervisingAgencyId: String) -> BusNotification {
        BusNotification(
            recipient: .agency(supervisingAgencyId), priority: .routine,
            summary: "Release to your supervision: \(notice.person): \(notice.what)",
            reason: NotificationReason(
                rule: ReleaseRules.superviseeRelease,
                explanation: "The releasing facility names your agency as supervising this person after release.",
                matched: notice.matched + [MatchedIdentifier("supervisingAgencyId", supervisingAgencyId)]),
            facts: notice.facts,
            occurredAt: notice.occurredAt, subjectStateId: notice.subject?.stateId,
            sourceEventId: notice.eventId, sourceEventType: notice.eventType, scope: notice.releaseId,
            subjectFbiNumber: notice.subject?.fbiNumber)
    }
}
