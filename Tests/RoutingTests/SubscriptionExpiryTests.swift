import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// `subscription-expiring`: the subscriber is told once, on the first tick at or after
/// expiry − 30 days; a renewal moves it; a cancelled subscription is not warned.
@Suite struct SubscriptionExpiryTests {
    let rules = ReleaseRulesTests()
    let place = SubscriptionSubject(place: SubscribedPlace(state: "MO", place: "Kansas City"))

    @Test func theSubscriberIsToldOnceThirtyDaysAheadAndAgainAfterARenewal() async throws {
        let router = try await rules.router()
        try await router.apply(rules.subscriptions(Events.subscription(place, expiresAt: Events.at(days: 40))))
        #expect(try await router.apply(Events.tick(Events.at(days: 9))).isEmpty)
        let warning = try await router.apply(Events.tick(Events.at(days: 10.5)))
        #expect(try rules.sent(warning) == ["unit:MO-KCPD-VCU routine subscription-expiring"])
        #expect(try BusNotification.decode(warning[0].value).recipientAgencyId == "MO-KCPD")
        #expect(try await router.apply(Events.tick(Events.at(days: 11))).isEmpty)
        // Renewed (same subscription, later expiry): warned again 30 days before the new one.
        try await router.apply(rules.subscriptions(Events.subscription(place, expiresAt: Events.at(days: 100))))
        #expect(try await router.apply(Events.tick(Events.at(days: 69))).isEmpty)
        #expect(try rules.sent(try await router.apply(Events.tick(Events.at(days: 70.2)))) == ["unit:MO-KCPD-VCU routine subscription-expiring"])
    }

    /// The clock and the subscriptions are read in any interleaving: a subscription read after
    /// a tick already inside its warning time is warned at once.
    @Test func aSubscriptionReadAfterATickInsideItsWarningTimeIsWarnedAtOnce() async throws {
        let router = try await rules.router()
        try await router.apply(Events.tick(Events.at(days: 11)))
        #expect(try rules.sent(try await router.apply(rules.subscriptions(Events.subscription(place, expiresAt: Events.at(days: 40)))))
            == ["unit:MO-KCPD-VCU routine subscription-expiring"])
        #expect(try await router.apply(Events.tick(Events.at(days: 12))).isEmpty)
    }

    @Test func aCancelledSubscriptionIsNotWarned() async throws {
        let router = try await rules.router()
        try await router.apply(rules.subscriptions(Events.subscription(place, expiresAt: Events.at(days: 40), status: .cancelled)))
        #expect(try await router.apply(Events.tick(Events.at(days: 20))).isEmpty)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SubscriptionExpiryPostgresTests {
    @Test func theSubscriberIsToldOnceThirtyDaysAheadAndAgainAfterARenewal() async throws { try await SubscriptionExpiryTests().theSubscriberIsToldOnceThirtyDaysAheadAndAgainAfterARenewal() }
    @Test func aSubscriptionReadAfterATickInsideItsWarningTimeIsWarnedAtOnce() async throws { try await SubscriptionExpiryTests().aSubscriptionReadAfterATickInsideItsWarningTimeIsWarnedAtOnce() }
    @Test func aCancelledSubscriptionIsNotWarned() async throws { try await SubscriptionExpiryTests().aCancelledSubscriptionIsNotWarned() }
}
