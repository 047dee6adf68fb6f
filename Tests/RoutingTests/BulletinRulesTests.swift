import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// Mental-health bulletins (`BulletinRules`): to the police of the registered address only
/// under consent in force whose scope includes police; withdrawn by the supervising agency or
/// by a tick past the consent's end.
@Suite struct BulletinRulesTests {
    let rules = ReleaseRulesTests()

    func bulletins(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.on(BulletinRules.bulletinsTopic, event) }

    @Test func aBulletinReachesThePoliceOfTheRegisteredAddressAndItsWithdrawalToo() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        let messages = try await router.apply(bulletins(Events.bulletinPublished()))
        #expect(try rules.sent(messages) == ["agency:MO-KCPD routine mental-health-bulletin"])
        let bulletin = try BusNotification.decode(messages[0].value)
        #expect(bulletin.facts.contains(NotificationFact("key contact", "Angela Reyes (mother) +1 816 555 0142")))
        #expect(try await router.apply(bulletins(Events.bulletinPublished())).isEmpty)  // redelivered
        #expect(try rules.sent(try await router.apply(bulletins(Events.bulletinWithdrawn()))) == ["agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try await router.apply(bulletins(Events.bulletinWithdrawn(id: "withdrawn-again"))).isEmpty)
    }

    @Test func aScopeWithoutPoliceSendsNothing() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        #expect(try await router.apply(bulletins(Events.bulletinPublished(scope: "Treatment provider and family only"))).isEmpty)
    }

    @Test func aBulletinReadBeforeTheCaseIsDeliveredWhenTheCaseArrives() async throws {
        let router = try await rules.router()
        try await router.apply(rules.directory(Events.kcpdEntry))
        #expect(try await router.apply(bulletins(Events.bulletinPublished())).isEmpty)
        #expect(try rules.sent(try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))) == [
            "agency:MO-KCPD routine mental-health-bulletin",
            "agency:MO-KCPD routine resident-supervision-started",
        ])
    }

    @Test func consentStartingLaterDeliversOnItsFirstTickAndItsEndWithdraws() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(Events.tick(Events.now))
        #expect(try await router.apply(bulletins(Events.bulletinPublished(granted: Events.day(3), expires: Events.day(40)))).isEmpty)
        #expect(try await router.apply(Events.tick(Events.at(days: 2))).isEmpty)
        #expect(try rules.sent(try await router.apply(Events.tick(Events.at(days: 3)))) == ["agency:MO-KCPD routine mental-health-bulletin"])
        #expect(try await router.apply(Events.tick(Events.at(days: 40))).isEmpty)  // still the last day of consent
        let withdrawal = try await router.apply(Events.tick(Events.at(days: 41)))
        #expect(try rules.sent(withdrawal) == ["agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try BusNotification.decode(withdrawal[0].value).facts.contains(NotificationFact("reason", "consent_expired")))
        #expect(try await router.apply(Events.tick(Events.at(days: 42))).isEmpty)
    }

    @Test func anExpiredConsentDeliversNothing() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(Events.tick(Events.now))
        #expect(try await router.apply(bulletins(Events.bulletinPublished(granted: Events.day(-400), expires: Events.day(-1)))).isEmpty)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct BulletinRulesPostgresTests {
    @Test func aBulletinReachesThePoliceOfTheRegisteredAddressAndItsWithdrawalToo() async throws { try await BulletinRulesTests().aBulletinReachesThePoliceOfTheRegisteredAddressAndItsWithdrawalToo() }
    @Test func aScopeWithoutPoliceSendsNothing() async throws { try await BulletinRulesTests().aScopeWithoutPoliceSendsNothing() }
    @Test func aBulletinReadBeforeTheCaseIsDeliveredWhenTheCaseArrives() async throws { try await BulletinRulesTests().aBulletinReadBeforeTheCaseIsDeliveredWhenTheCaseArrives() }
    @Test func consentStartingLaterDeliversOnItsFirstTickAndItsEndWithdraws() async throws { try await BulletinRulesTests().consentStartingLaterDeliversOnItsFirstTickAndItsEndWithdraws() }
    @Test func anExpiredConsentDeliversNothing() async throws { try await BulletinRulesTests().anExpiredConsentDeliversNothing() }
}
