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

    /// The withdrawals in `messages`: (recipient, bulletin id, reason).
    func withdrawals(_ messages: [OutgoingMessage]) throws -> [String] {
        var lines: [String] = []
        for message in messages {
            let notification = try BusNotification.decode(message.value)
            guard notification.reason.rule == BulletinRules.withdrawn else { continue }
            let bulletin: String = notification.facts.first(where: { $0.label == "bulletin" })?.value ?? "-"
            let reason: String = notification.facts.first(where: { $0.label == "reason" })?.value ?? "-"
            lines.append("\(notification.recipient) \(bulletin) \(reason)")
        }
        return lines
    }

    /// A new bulletin whose scope leaves police out replaces the one KCPD holds: KCPD is told to
    /// delete the earlier one, and its consent's end later sends nothing more.
    @Test func aReplacementWithANarrowerScopeWithdrawsTheEarlierBulletin() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(Events.tick(Events.now))
        #expect(try rules.sent(try await router.apply(bulletins(Events.bulletinPublished(expires: Events.day(60))))) == ["agency:MO-KCPD routine mental-health-bulletin"])
        let replaced = try await router.apply(bulletins(Events.bulletinPublished(scope: "Treatment providers only", id: "bulletin-2")))
        #expect(try withdrawals(replaced) == ["agency:MO-KCPD MHB-bulletin superseded"])
        #expect(try rules.sent(replaced) == ["agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try await router.apply(Events.tick(Events.at(days: 61))).isEmpty)
    }

    /// A shorter consent replaces the bulletin: KCPD receives the new one, deletes the old one,
    /// and the new consent's end withdraws the new one.
    @Test func aReplacementWithAShorterConsentWithdrawsTheEarlierAndExpiresOnItsOwnEnd() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(Events.tick(Events.now))
        try await router.apply(bulletins(Events.bulletinPublished()))
        let replaced = try await router.apply(bulletins(Events.bulletinPublished(expires: Events.day(10), id: "bulletin-2")))
        #expect(try rules.sent(replaced).sorted() == ["agency:MO-KCPD routine mental-health-bulletin", "agency:MO-KCPD routine mental-health-bulletin-withdrawn"])
        #expect(try withdrawals(replaced) == ["agency:MO-KCPD MHB-bulletin superseded"])
        #expect(try withdrawals(try await router.apply(Events.tick(Events.at(days: 11)))) == ["agency:MO-KCPD MHB-bulletin-2 consent_expired"])
        #expect(try await router.apply(Events.tick(Events.at(days: 201))).isEmpty)
    }

    /// Police in general: the person moves from Kansas City to Independence; Independence's
    /// police receive the bulletin and KCPD, no longer the police of the address, deletes it.
    @Test func anAddressMoveToAnotherPoliceAgencyWithdrawsTheBulletinFromTheFormerOne() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(rules.directory(Events.independencePDEntry))
        try await router.apply(Events.tick(Events.now))
        #expect(try rules.sent(try await router.apply(bulletins(Events.bulletinPublished(scope: "Local law enforcement crisis teams")))) == ["agency:MO-KCPD routine mental-health-bulletin"])
        let moved = try await router.apply(rules.cases(Events.movedToIndependence(on: Events.day(0))))
        #expect(try rules.sent(moved).contains("agency:MO-INDEP-PD routine mental-health-bulletin"))
        #expect(try withdrawals(moved) == ["agency:MO-KCPD MHB-bulletin no_longer_covered"])
        // Its consent's end withdraws it from Independence alone.
        #expect(try withdrawals(try await router.apply(Events.tick(Events.at(days: 201)))) == ["agency:MO-INDEP-PD MHB-bulletin consent_expired"])
    }

    /// Withdrawn from Kansas City's police when the person moved to Independence, the bulletin
    /// reaches them again when the person moves back: a new notice (the first one's id is still
    /// in the outbox, which would drop a notice of the same id).
    @Test func aBulletinWithdrawnFromAnAgencyReachesItAgainWhenThePersonMovesBack() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(rules.directory(Events.independencePDEntry))
        try await router.apply(Events.tick(Events.now))
        let first = try await router.apply(bulletins(Events.bulletinPublished(scope: "Local law enforcement crisis teams")))
        _ = try await router.apply(rules.cases(Events.movedToIndependence(on: Events.day(0))))
        let movedBack = EventEnvelope(
            eventId: Events.id("moved-back"), occurredAt: Events.now, recordedAt: Events.now, source: Events.parole, subject: Events.reyes,
            payload: AddressChanged(caseId: "CASE-1", address: Events.kansasCity, effectiveDate: Events.day(1)))
        let back = try await router.apply(rules.cases(movedBack))
        #expect(try rules.sent(back).contains("agency:MO-KCPD routine mental-health-bulletin"))
        #expect(try withdrawals(back) == ["agency:MO-INDEP-PD MHB-bulletin no_longer_covered"])
        let firstIds = Set(try first.map { try BusNotification.decode($0.value).id })
        let again = try back.map { try BusNotification.decode($0.value) }.filter { $0.recipient == .agency("MO-KCPD") && $0.reason.rule == "mental-health-bulletin" }
        #expect(again.count == 1 && !firstIds.contains(again[0].id), "a new notice, not the withdrawn one's id")
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
    @Test func aBulletinWithdrawnFromAnAgencyReachesItAgainWhenThePersonMovesBack() async throws {
        try await BulletinRulesTests().aBulletinWithdrawnFromAnAgencyReachesItAgainWhenThePersonMovesBack()
    }
    @Test func aReplacementWithANarrowerScopeWithdrawsTheEarlierBulletin() async throws { try await BulletinRulesTests().aReplacementWithANarrowerScopeWithdrawsTheEarlierBulletin() }
    @Test func aReplacementWithAShorterConsentWithdrawsTheEarlierAndExpiresOnItsOwnEnd() async throws { try await BulletinRulesTests().aReplacementWithAShorterConsentWithdrawsTheEarlierAndExpiresOnItsOwnEnd() }
    @Test func anAddressMoveToAnotherPoliceAgencyWithdrawsTheBulletinFromTheFormerOne() async throws { try await BulletinRulesTests().anAddressMoveToAnotherPoliceAgencyWithdrawsTheBulletinFromTheFormerOne() }
}
