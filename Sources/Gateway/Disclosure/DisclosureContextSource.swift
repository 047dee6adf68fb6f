import Contracts
import Foundation
import Notifications
import Policy
import ReadModels
import Storage
import Subscriptions

/// What a disclosure of one notification depends on beyond who asks (`DisclosureContext`): is
/// the consent of the health information it carries in force, and does the requester hold a
/// 28 CFR Part 23 subscription covering it. One entry point, so every response path (the inbox,
/// and later webhooks and the live stream) asks the same question the same way.
public protocol DisclosureContextSource: Sendable {
    /// The context of showing `notification` to `requester` now. Throws when the data that
    /// decides it cannot be read: the caller then discloses nothing (it does not guess "no").
    func context(for requester: Requester, notification: BusNotification) async throws -> DisclosureContext

    /// The contexts of showing each of `notifications` to `requester` now, in their order: what
    /// a page or a pushed batch asks, so a source can read its data once for all of them.
    /// Throws as `context(for:notification:)`. By default, that question for each.
    func contexts(for requester: Requester, notifications: [BusNotification]) async throws -> [DisclosureContext]
}

extension DisclosureContextSource {
    public func contexts(for requester: Requester, notifications: [BusNotification]) async throws -> [DisclosureContext] {
        var contexts: [DisclosureContext] = []
        for notification in notifications { contexts.append(try await context(for: requester, notification: notification)) }
        return contexts
    }
}

/// Knows nothing: no consent, no Part 23 subscription, so health and intelligence fields are
/// always withheld. The default of a gateway built without its data sources.
public struct NoDisclosureContext: DisclosureContextSource {
    public init() {}

    public func context(for requester: Requester, notification: BusNotification) async throws -> DisclosureContext {
        DisclosureContext()
    }
}

/// The context from the data the bus keeps: the police view's bulletins (the views service's
/// database) for consent, and the explicit subscriptions (the router's database) for Part 23.
///
/// - Consent: the notification is about a mental-health bulletin (its reason names
///   `bulletinId`, or a fact labelled `bulletin` does), the view holds that bulletin, not
///   withdrawn, with its consent in force now, and the requester's agency is police or a
///   sheriff that the consent's scope includes (the agencies it names, else police in general:
///   `PoliceViewStore.consentsInForce(bulletinIds:for:asOf:in:)`, as the police view decides).
/// - Part 23: the notification was routed for an explicit subscription (its id derives from
///   `subscription:<id>`, or its reason names `subscriptionId`) that is active now, has the
///   `criminal_intelligence` basis, covers the kind its rule names (`subscription-<kind>`),
///   and is the requester's: of their agency, addressed to the notification's recipient.
///
/// A page or a batch is answered with one read of each database (`contexts(for:notifications:)`).
/// Each database is opened when a question first needs it (`views`, `subscriptions` may throw
/// until their service has created it; the response is then 503, nothing shown).
public struct StorageDisclosureContextSource: DisclosureContextSource {
    let views: @Sendable () throws -> any StorageDatabase
    let subscriptions: @Sendable () throws -> any StorageDatabase
    let now: @Sendable () -> Date

    /// The agency kinds a bulletin's consent covers: its scope must name police, law
    /// enforcement or a sheriff for the view to keep it.
    static let consentedKinds: Set<String> = [AgencyKind.police.rawValue, AgencyKind.sheriff.rawValue]

    public init(
        views: @escaping @Sendable () throws -> any StorageDatabase, subscriptions: @escaping @Sendable () throws -> any StorageDatabase,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.views = views
        self.subscriptions = subscriptions
        self.now = now
    }

    public func context(for requester: Requester, notification: BusNotification) async throws -> DisclosureContext {
        try await contexts(for: requester, notifications: [notification])[0]
    }

    /// Each database is read once for the whole batch (one transaction each, and each bulletin
    /// and subscription asked once however many of the notifications name it).
    public func contexts(for requester: Requester, notifications: [BusNotification]) async throws -> [DisclosureContext] {
        let moment = now()
        // Consent: the bulletins named, when the requester is of a kind a consent may cover.
        var bulletinIds: Set<String> = []
        if let agencyId = requester.agencyId, let kind = requester.agencyKind, Self.consentedKinds.contains(kind) {
            bulletinIds = Set(notifications.compactMap(Self.bulletinId(of:)))
            if !bulletinIds.isEmpty {
                let view = PoliceViewStore()
                let asked = bulletinIds
                let inForce = try await views().read { transaction in
                    try view.consentsInForce(bulletinIds: asked, for: agencyId, asOf: moment, in: transaction)
                }
                bulletinIds = Set(inForce.keys)
            }
        }
        // Part 23: the subscriptions the notifications of a subscription rule may be routed for.
        let candidates = Set(notifications.flatMap { Self.subscriptionKind(of: $0) == nil ? [] : Self.subscriptionIds(of: $0) })
        var found: [Subscription] = []
        if !candidates.isEmpty {
            found = try await subscriptions().read { transaction in
                try candidates.sorted().compactMap { try SubscriptionStore(transaction).subscription($0) }
            }
        }
        return notifications.map { notification in
            var context = DisclosureContext()
            if let bulletinId = Self.bulletinId(of: notification) { context.consentInForce = bulletinIds.contains(bulletinId) }
            let candidates = Self.subscriptionIds(of: notification)
            if !candidates.isEmpty, let kind = Self.subscriptionKind(of: notification) {
                context.holdsPart23Subscription = found.contains { subscription in
                    candidates.contains(subscription.id)
                        && subscription.legalBasis.basis == .criminalIntelligence && subscription.isActive(asOf: moment) && subscription.covers(kind)
                        && subscription.subscriberAgencyId == requester.agencyId
                        && Self.recipient(subscription.subscriber) == notification.recipient
                        && (notification.isRouted(forScope: "subscription:\(subscription.id)")
                            || notification.reason.matched.contains { $0.name == "subscriptionId" && $0.value == subscription.id })
                }
            }
            return context
        }
    }

    /// The bulletin a notification is about: `bulletinId` in its reason, else its `bulletin` fact.
    static func bulletinId(of notification: BusNotification) -> String? {
        notification.reason.matched.first { $0.name == "bulletinId" }?.value
            ?? notification.facts.first { $0.label == "bulletin" }?.value
    }

    /// The subscriptions a notification may have been routed for: `subscriptionId` in its
    /// reason, and the first word of its `subscription` fact (`<id> (basis …)`). Each is
    /// checked against the notification's id before it counts.
    static func subscriptionIds(of notification: BusNotification) -> [String] {
        var ids = notification.reason.matched.filter { $0.name == "subscriptionId" }.map(\.value)
        for fact in notification.facts where fact.label == "subscription" {
            if let id = fact.value.split(separator: " ").first { ids.append(String(id)) }
        }
        return Array(Set(ids)).sorted()
    }

    /// The kind of an explicit subscription's rule (`subscription-investigations` →
    /// `investigations`); nil for any other rule.
    static func subscriptionKind(of notification: BusNotification) -> SubscriptionEventKind? {
        let prefix = "subscription-"
        guard notification.reason.rule.hasPrefix(prefix) else { return nil }
        return SubscriptionEventKind(rawValue: String(notification.reason.rule.dropFirst(prefix.count)))
    }

    /// Where the router addresses a subscriber's notifications.
    static func recipient(_ subscriber: Subscriber) -> Recipient {
        switch subscriber.kind {
        case .officer: .officer(subscriber.id)
        case .unit: .unit(subscriber.id)
        case .agency: .agency(subscriber.id)
        }
    }
}
