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

    /// The contract's own scope names one agency ("Kansas City Police Department": the
    /// directory's "Kansas City Missouri Police Department" without its state): only it receives
    /// the bulletin; the police of Independence, where the case moves, do not.
    @Test func aScopeNamingAnAgencyReachesThatAgencyOnlyEvenWhenThePersonMoves() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(rules.directory(Events.independencePDEntry))
        #expect(try rules.sent(try await router.apply(bulletins(Events.bulletinPublished()))) == ["agency:MO-KCPD routine mental-health-bulletin"])
        let moved = try rules.sent(try await router.apply(rules.cases(Events.movedToIndependence(on: Events.day(0)))))
        #expect(!moved.contains("agency:MO-INDEP-PD routine mental-health-bulletin"))
    }

    /// Police in general ("law enforcement") reach whichever police agency serves the address;
    /// a scope with a negation reaches none: the router cannot read what it excludes.
    @Test(arguments: [
        ("Local law enforcement crisis teams", true),
        ("Clinicians only, not police", false),
        ("Any police except the Independence Police Department", false),
        ("Kansas City Police Department, no other agency", false),
        ("Police don't need the key contacts", false),
        ("Independence Police Department patrol", false),
    ])
    func aScopeReachesThePoliceOfTheAddressOnlyWhenItsWordsIncludeThem(_ scope: String, reaches: Bool) async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(rules.directory(Events.independencePDEntry))
        let sent = try rules.sent(try await router.apply(bulletins(Events.bulletinPublished(scope: scope))))
        #expect(sent == (reaches ? ["agency:MO-KCPD routine mental-health-bulletin"] : []))
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
    @Test func aScopeNamingAnAgencyReachesThatAgencyOnlyEvenWhenThePersonMoves() async throws { try await BulletinRulesTests().aScopeNamingAnAgencyReachesThatAgencyOnlyEvenWhenThePersonMoves() }
    @Test func aBulletinReadBeforeTheCaseIsDeliveredWhenTheCaseArrives() async throws { try await BulletinRulesTests().aBulletinReadBeforeTheCaseIsDeliveredWhenTheCaseArrives() }
    @Test func consentStartingLaterDeliversOnItsFirstTickAndItsEndWithdraws() async throws { try await BulletinRulesTests().consentStartingLaterDeliversOnItsFirstTickAndItsEndWithdraws() }
    @Test func anExpiredConsentDeliversNothing() async throws { try await BulletinRulesTests().anExpiredConsentDeliversNothing() }
}
