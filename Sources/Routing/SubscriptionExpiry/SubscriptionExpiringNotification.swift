import Contracts
import Foundation
import Notifications
import Subscriptions

/// The wording of rule `subscription-expiring`, to the subscriber. It names what is followed
/// (identifiers the subscriber gave) and the expiry, never the purpose (which may be criminal
/// intelligence).
enum SubscriptionExpiringNotification {
    static func make(_ subscription: Subscription) -> BusNotification {
        let expiry = ReleaseClock.instant(subscription.effectiveExpiry)
        let kinds = subscription.eventKinds.map(\.rawValue).joined(separator: ", ")
        var matched = [MatchedIdentifier("subscriptionId", subscription.id)]
        if case .person(let stateId, _) = subscription.subject, let stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        var subjectStateId: String?
        if case .person(let stateId, _) = subscription.subject { subjectStateId = stateId }
        return BusNotification(
            recipient: Recipient(kind: SubscriptionReleaseNotification.recipientKind(subscription.subscriber.kind), id: subscription.subscriber.id),
            priority: .routine,
            summary: "Your subscription to \(kinds) of \(subscription.subject) expires \(expiry): renew it to keep being told",
            reason: NotificationReason(
                rule: SubscriptionExpiryRules.rule,
                explanation: "Explicit subscriptions last at most a year unless renewed; this one expires within 30 days. Renew with `reentrybus subscriptions renew \(subscription.id)`.",
                matched: matched),
            facts: [
                NotificationFact("subscription", subscription.id),
                NotificationFact("follows", subscription.subject.description),
                NotificationFact("kinds", kinds),
                NotificationFact("expires", expiry),
            ],
            occurredAt: subscription.effectiveExpiry.addingTimeInterval(-Double(SubscriptionExpiryRules.warningDays) * 86_400),
            subjectStateId: subjectStateId, sourceEventId: subscription.id, sourceEventType: SubscriptionRecorded.eventType,
            scope: expiry, recipientAgencyId: subscription.subscriberAgencyId)
    }
}
