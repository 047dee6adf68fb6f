import Contracts
import Notifications
import Subscriptions

/// The wording of rule `subscription-release`: what an explicit subscriber (a person or a place
/// followed for `releases`) reads about a release event: the same facts as the implicit
/// notices, URGENT when the release is short notice.
enum SubscriptionReleaseNotification {
    static func make(_ notice: ReleaseNotice, subscription: Subscription) -> BusNotification {
        BusNotification(
            recipient: Recipient(kind: recipientKind(subscription.subscriber.kind), id: subscription.subscriber.id),
            priority: notice.isShortNotice ? .urgent : .routine,
            summary: (notice.isShortNotice ? "URGENT: " : "") + "Release you follow: \(notice.person): \(notice.what)"
                + (notice.destination.map { " to \($0.city), \($0.state)" } ?? ""),
            reason: NotificationReason(
                rule: ReleaseRules.subscriptionRelease,
                explanation: "Your subscription \(subscription.id) follows releases of \(subscription.subject.kindDescription).",
                matched: notice.matched + [MatchedIdentifier("subscriptionId", subscription.id)]),
            facts: notice.facts,
            occurredAt: notice.occurredAt, subjectStateId: notice.subject?.stateId,
            sourceEventId: notice.eventId, sourceEventType: notice.eventType, scope: subscription.id,
            recipientAgencyId: subscription.subscriberAgencyId, subjectFbiNumber: notice.subject?.fbiNumber)
    }

    static func recipientKind(_ kind: Subscriber.Kind) -> Recipient.Kind {
        switch kind {
        case .officer: .officer
        case .unit: .unit
        case .agency: .agency
        }
    }
}

extension Subscription.Subject {
    /// "this person" or "Kansas City, MO": what a subscription follows, for an explanation.
    var kindDescription: String {
        switch self {
        case .person: "this person"
        case .place(let state, let place): "\(place), \(state)"
        case .county(let state, let county): "\(county) County, \(state)"
        case .agencyFeed(let agencyId): "the feed of \(agencyId)"
        }
    }
}
