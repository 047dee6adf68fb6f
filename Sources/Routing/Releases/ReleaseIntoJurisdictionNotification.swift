import Contracts
import Notifications

/// The wording of rule `release-into-jurisdiction`: what the police agency of the destination
/// reads about a release into its jurisdiction.
enum ReleaseIntoJurisdictionNotification {
    static func make(_ notice: ReleaseNotice, police: Recipient, destination: Address) -> BusNotification {
        BusNotification(
            recipient: police, priority: .routine,
            summary: "Release into your jurisdiction: \(notice.person) to \(destination.city), \(destination.state): \(notice.what)",
            reason: NotificationReason(
                rule: ReleaseRules.releaseIntoJurisdiction,
                explanation: "The person's destination is in your jurisdiction (agency directory).",
                matched: notice.matched + [MatchedIdentifier("city", "\(destination.city), \(destination.state)")]),
            facts: notice.facts,
            occurredAt: notice.occurredAt, subjectStateId: notice.subject?.stateId,
            sourceEventId: notice.eventId, sourceEventType: notice.eventType, scope: notice.releaseId,
            subjectFbiNumber: notice.subject?.fbiNumber)
    }
}
