import Contracts
import Foundation
import Notifications
import ServiceKit
import Subscriptions
import Timers

/// Rule `subscription-expiring`: thirty days before an explicit subscription expires (its
/// effective expiry: the one-year limit counts), its subscriber is told, once per expiry, on
/// the first tick of the bus's clock at or after expiry − 30 days. A renewal moves the expiry,
/// so the next warning is a new notification; a cancelled or expired subscription is not warned.
///
/// Order: the clock and the subscriptions are both read in full, in any interleaving (a replay
/// reads them before anything else). A subscription read after a tick that was already within
/// 30 days of its expiry is warned at once (the latest tick is the release rules' clock,
/// `ReleaseStore.lastTick`), so the warning does not depend on which was read first.
///
/// Every router instance reads the clock and the subscriptions in full, so every instance
/// sends the warning: the same id (source: the subscription; scope: its expiry), which the inbox
/// keeps once.
struct SubscriptionExpiryRules: RouterRuleSet {
    static let rule = "subscription-expiring"
    /// How long before the expiry the subscriber is told.
    static let warningDays = 30

    var topics: [String] { [TimerTick.topic] }
    var referenceTopics: [String] { [TimerTick.topic] }

    func handles(eventType: String) -> Bool { eventType == TimerTick.eventType || eventType == SubscriptionRecorded.eventType }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        if event.eventType == SubscriptionRecorded.eventType {
            let recorded = try event.decode(SubscriptionRecorded.self).payload
            guard let lastTick = try ReleaseStore(context.storage).lastTick(),
                  let subscription = try context.subscriptions.subscription(recorded.subscriptionId) else { return }
            let now = ReleaseClock.date(lastTick)
            if subscription.status == .active, Self.isDue(subscription, at: now) { try warn(subscription, context) }
            return
        }
        let tick = try TimerTick.decode(event)
        for subscription in try context.subscriptions.expiring(withinDays: Self.warningDays, of: tick.at) {
            try warn(subscription, context)
        }
    }

    /// Whether `moment` is at or after the warning time and before the expiry.
    static func isDue(_ subscription: Subscription, at moment: Date) -> Bool {
        let expiry = subscription.effectiveExpiry
        return moment < expiry && expiry.timeIntervalSince(moment) <= Double(warningDays) * 86_400
    }

    private func warn(_ subscription: Subscription, _ context: RouterContext) throws {
        // Remembered until the expiry: after it the subscription is no longer "expiring".
        try context.send([SubscriptionExpiringNotification.make(subscription)],
                         forgetAfterMilliseconds: ReleaseClock.milliseconds(subscription.effectiveExpiry))
    }
}
