import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// Place and county subscriptions to releases (`subscription-release`): a county is matched
/// through the directory (an agency listing the destination's city and the county), and a
/// place or county subscription read after the release still receives its notice, once.
@Suite struct ReleaseSubscriptionTests {
    let rules = ReleaseRulesTests()

    /// KCPD, listing Kansas City with the four counties it spans.
    static let kcpdWithCounties = EventEnvelope(
        eventId: Events.id("agency-MO-KCPD-counties"), occurredAt: Events.now, recordedAt: Events.now,
        source: SourceAgency(agencyId: "MO-BUS-OPS", agencyKind: .fusionCenter), subject: nil,
        payload: AgencyDescribed(agencyId: "MO-KCPD", kind: .police, name: "Kansas City Missouri Police Department",
                                 jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson", "Clay", "Platte", "Cass"], places: ["Kansas City"])))

    static func place(_ name: String) -> SubscriptionSubject { SubscriptionSubject(place: SubscribedPlace(state: "MO", place: name)) }
    static func county(_ name: String) -> SubscriptionSubject { SubscriptionSubject(place: SubscribedPlace(state: "MO", county: name)) }

    func routerWithDirectory() async throws -> ProjectionHarness {
        let router = try await rules.router()
        try await router.apply(rules.directory(Self.kcpdWithCounties))
        return router
    }

    @Test func aCountySubscriptionReceivesReleasesIntoAPlaceTheDirectoryPutsInIt() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.subscriptions(Events.subscription(Self.county("Clay"), subscriber: "unit:MO-CLAY-SO-WARRANTS", id: "clay")))
        try await router.apply(rules.subscriptions(Events.subscription(Self.county("Greene"), subscriber: "unit:MO-GREENE-SO", id: "greene")))
        #expect(try rules.sent(try await router.apply(rules.releases(Events.releaseScheduled(Events.hill, expected: Events.at(days: 90))))) == [
            "agency:MO-KCPD routine release-into-jurisdiction",
            "unit:MO-CLAY-SO-WARRANTS routine subscription-release",
        ])
    }

    @Test func aPlaceSubscriptionReadAfterTheReleaseReceivesItsNoticeOnce() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.releases(Events.releaseScheduled(Events.hill, expected: Events.at(days: 90))))
        let subscription = try rules.subscriptions(Events.subscription(Self.place("kansas city"), id: "kc"))
        #expect(try rules.sent(try await router.apply(subscription)) == ["unit:MO-KCPD-VCU routine subscription-release"])
        #expect(try await router.apply(subscription).isEmpty)  // redelivered
        // Elsewhere, or starting after the release event: nothing.
        #expect(try await router.apply(rules.subscriptions(Events.subscription(Self.place("Independence"), id: "indep"))).isEmpty)
        #expect(try await router.apply(rules.subscriptions(Events.subscription(
            Self.place("Kansas City"), startsAt: Events.at(days: 1), id: "kc-later"))).isEmpty)
    }

    /// A subscription written with a start before its creation follows from its creation
    /// (`Subscription.isActive`): a release that occurred between the two is no notice for it,
    /// whichever of the two topics is read first (read first, the subscription received it).
    @Test func aBackdatedSubscriptionReceivesNoReleaseFromBeforeItWasCreatedInEitherOrder() async throws {
        let backdated = try rules.subscriptions(Events.subscription(
            Self.place("Kansas City"), startsAt: Events.at(days: -10), id: "kc-backdated", createdAt: Events.at(days: 1)))
        let release = try rules.releases(Events.releaseScheduled(Events.hill, expected: Events.at(days: 90)))
        let subscriptionFirst = try await routerWithDirectory()
        try await subscriptionFirst.apply(backdated)
        #expect(try rules.sent(try await subscriptionFirst.apply(release)) == ["agency:MO-KCPD routine release-into-jurisdiction"])
        let releaseFirst = try await routerWithDirectory()
        try await releaseFirst.apply(release)
        #expect(try await releaseFirst.apply(backdated).isEmpty)
    }

    @Test func aCountySubscriptionReadAfterTheReleaseReceivesItsNoticeWithTheSameId() async throws {
        let first = try await routerWithDirectory()
        let subscription = try rules.subscriptions(Events.subscription(Self.county("Jackson"), id: "jackson"))
        let release = try rules.releases(Events.releaseScheduled(Events.hill, expected: Events.at(days: 90)))
        try await first.apply(subscription)
        let before = try await first.apply(release).map { try BusNotification.decode($0.value) }.filter { $0.reason.rule == ReleaseRules.subscriptionRelease }
        let second = try await routerWithDirectory()
        try await second.apply(release)
        let after = try await second.apply(subscription).map { try BusNotification.decode($0.value) }
        #expect(before.count == 1)
        #expect(after.map(\.id) == before.map(\.id))
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReleaseSubscriptionPostgresTests {
    @Test func county() async throws { try await ReleaseSubscriptionTests().aCountySubscriptionReceivesReleasesIntoAPlaceTheDirectoryPutsInIt() }
    @Test func placeReadLate() async throws { try await ReleaseSubscriptionTests().aPlaceSubscriptionReadAfterTheReleaseReceivesItsNoticeOnce() }
    @Test func countyReadLate() async throws { try await ReleaseSubscriptionTests().aCountySubscriptionReadAfterTheReleaseReceivesItsNoticeWithTheSameId() }
    @Test func backdated() async throws { try await ReleaseSubscriptionTests().aBackdatedSubscriptionReceivesNoReleaseFromBeforeItWasCreatedInEitherOrder() }
}
