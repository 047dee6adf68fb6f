import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// The resident rules (`ResidentRules`: a police agency follows the warrants and supervision of
/// supervisees registered in its jurisdiction) and the issuing-court rules
/// (`IssuedWarrantRules`: a court follows the warrants it issued), as the runtime drives them,
/// with facts read in both orders and redelivered.
@Suite struct ResidentRulesTests {
    let rules = ReleaseRulesTests()

    func sent(_ messages: [OutgoingMessage]) throws -> [String] { try rules.sent(messages) }
    func warrants(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.on(ResidentRules.warrantsTopic, event) }
    func arrests(_ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent { try rules.on(RouterProjection.arrestsTopic, event) }

    /// The directory (KCPD, Independence PD).
    func routerWithDirectory() async throws -> ProjectionHarness {
        let router = try await rules.router()
        try await router.apply(rules.directory(Events.kcpdEntry))
        try await router.apply(rules.directory(Events.independencePDEntry))
        return router
    }

    // MARK: Residents

    @Test func aSupervisionStartAndTheSuperviseesWarrantEventsReachThePoliceOfTheRegisteredAddressOnce() async throws {
        let router = try await routerWithDirectory()
        #expect(try sent(try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))) == [
            "agency:MO-KCPD routine resident-supervision-started",
        ])
        let issued = try warrants(Events.warrantIssued())
        #expect(try sent(try await router.apply(issued)) == [
            "agency:MO-KCPD routine resident-warrant",
            "agency:MO-CIRCUIT16 routine issued-warrant-subject-supervised",
        ])
        #expect(try await router.apply(issued).isEmpty)  // redelivered: nothing twice
        #expect(try sent(try await router.apply(warrants(Events.detainerLodged()))) == ["agency:MO-KCPD routine resident-warrant"])
        // Served by the police: the court that issued it is told too.
        #expect(try sent(try await router.apply(warrants(Events.warrantServed()))) == [
            "agency:MO-KCPD routine resident-warrant",
            "agency:MO-CIRCUIT16 routine issued-warrant-resolved",
        ])
        #expect(try sent(try await router.apply(rules.cases(Events.caseEnded(on: Events.day(-1))))) == [
            "agency:MO-KCPD routine resident-supervision-ended",
        ])
    }

    @Test func aWarrantEventReadBeforeTheCaseReachesThePoliceWhenTheCaseArrives() async throws {
        let router = try await routerWithDirectory()
        #expect(try await router.apply(warrants(Events.warrantIssued())).isEmpty)
        #expect(try sent(try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))) == [
            "agency:MO-KCPD routine resident-supervision-started",
            "agency:MO-KCPD routine resident-warrant",
            "agency:MO-CIRCUIT16 routine issued-warrant-subject-supervised",
        ])
        // A re-sent start: nothing routed twice, and the police are not told again.
        #expect(try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity, id: "case-again"))).isEmpty)
    }

    @Test func aWarrantBeforeTheCaseStartedOrOfSomeoneUnsupervisedTellsNoPolice() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))
        // Issued before the case started (day -30) and served after it: only the service routes.
        let issued = Events.warrantIssued(on: Events.day(-60))
        #expect(try sent(try await router.apply(warrants(issued))) == ["agency:MO-CIRCUIT16 routine issued-warrant-subject-supervised"])
        #expect(try await router.apply(warrants(Events.warrantIssued(Events.hill, warrantId: "W-HILL", id: "issued-hill"))).isEmpty)
    }

    /// A warrant under the records system's number only (`courts.warrants` version 2) is not a
    /// poison message; neither the resident rules nor the issuing court's rules can match it to
    /// a case (they match on state ID or FBI number), so nobody is told and nothing is kept.
    @Test func aWarrantWithoutAStateIdOrFbiNumberTellsNobodyAndIsNotRefused() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))
        let unnumbered = SubjectIdentifiers(rmsNumber: "C16-2025-0091", name: PersonName(given: "Darnell", family: "Reyes"))
        let issued = Events.warrantIssued(unnumbered, warrantId: "W-RMS", id: "issued-rms")
        #expect(issued.schemaVersion == 2)
        #expect(try await router.apply(warrants(issued)).isEmpty)
        #expect(try await router.count("issued_warrants") == 0)
        // Version 1 names the person by state ID: one without is refused, naming the field.
        var broken = issued
        broken.schemaVersion = WarrantIssued.schemaVersion
        let refusal = await #expect(throws: PoisonMessage.self) { try await router.apply(warrants(broken)) }
        #expect(refusal?.reason.contains("subject.stateId") == true)
    }

    @Test func aMoveTellsBothPoliceAndEachWarrantEventGoesToThePoliceOfItsDaysAddress() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))
        #expect(try sent(try await router.apply(rules.cases(Events.movedToIndependence()))) == [
            "agency:MO-INDEP-PD routine resident-moved-in",
            "agency:MO-KCPD routine resident-moved-out",
        ])
        // Issued on day -20 (Kansas City then), served on day -5 (Independence since day -10).
        #expect(try sent(try await router.apply(warrants(Events.warrantIssued()))).first == "agency:MO-KCPD routine resident-warrant")
        #expect(try sent(try await router.apply(warrants(Events.warrantServed()))).first == "agency:MO-INDEP-PD routine resident-warrant")
        // A move within one jurisdiction tells nobody.
        let sameCity = EventEnvelope(
            eventId: Events.id("moved-again"), occurredAt: Events.now, recordedAt: Events.now, source: Events.parole, subject: Events.reyes,
            payload: AddressChanged(caseId: "CASE-1", address: Address(line1: "9 N Liberty St", city: "Independence", state: "MO"), effectiveDate: Events.day(-2)))
        #expect(try await router.apply(rules.cases(sameCity)).isEmpty)
    }

    @Test func anAddressChangeReadAfterAWarrantEventOfItsPeriodSendsItToTheNewPolice() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(rules.cases(Events.caseStarted(address: Events.kansasCity)))
        try await router.apply(warrants(Events.warrantIssued()))
        // Served on day -5 and read before the move of day -10: KCPD, as far as the router knew.
        #expect(try sent(try await router.apply(warrants(Events.warrantServed()))).first == "agency:MO-KCPD routine resident-warrant")
        #expect(try sent(try await router.apply(rules.cases(Events.movedToIndependence()))) == [
            "agency:MO-INDEP-PD routine resident-moved-in",
            "agency:MO-KCPD routine resident-moved-out",
            "agency:MO-INDEP-PD routine resident-warrant",  // the service, not the issue of day -20
        ])
    }

    @Test func withoutADirectoryEntryTheNoticeGoesToThePlacesFallbackAddress() async throws {
        let router = try await rules.router()
        #expect(try sent(try await router.apply(rules.cases(Events.caseStarted(address: Events.independence)))) == [
            "agency:police:MO:Independence routine resident-supervision-started",
        ])
    }

    // MARK: Issuing court

    @Test func theIssuingCourtIsToldOfAServiceOrAQuashByOthersButNotOfItsOwnRecall() async throws {
        let router = try await routerWithDirectory()
        try await router.apply(warrants(Events.warrantIssued()))
        try await router.apply(warrants(Events.warrantIssued(warrantId: "W-2", id: "issued-2")))
        #expect(try await router.apply(warrants(Events.warrantRecalled())).isEmpty)
        let appeals = SourceAgency(agencyId: "MO-COA-WD", agencyKind: .court)
        #expect(try sent(try await router.apply(warrants(Events.warrantQuashed(warrantId: "W-2", by: appeals)))) == [
            "agency:MO-CIRCUIT16 routine issued-warrant-resolved",
        ])
    }

    @Test func anArrestWhileTheWarrantIsActiveReachesTheIssuingCourtWhicheverIsReadFirst() async throws {
        let router = try await routerWithDirectory()
        let arrest = Events.arrest(Events.hill, at: Events.at(days: -2), id: "arrest-hill")
        #expect(try await router.apply(arrests(arrest)).isEmpty)
        #expect(try sent(try await router.apply(warrants(Events.warrantIssued(Events.hill, warrantId: "W-HILL", id: "issued-hill")))) == [
            "agency:MO-CIRCUIT16 routine issued-warrant-subject-arrested",
        ])
        #expect(try await router.apply(arrests(arrest)).isEmpty)  // redelivered
        // Before the warrant was issued, or after it was served: nothing.
        #expect(try await router.apply(arrests(Events.arrest(Events.hill, at: Events.at(days: -40), id: "arrest-before"))).isEmpty)
        try await router.apply(warrants(Events.warrantServed(Events.hill, warrantId: "W-HILL", at: Events.at(days: -1), id: "served-hill")))
        #expect(try await router.apply(arrests(Events.arrest(Events.hill, at: Events.now, id: "arrest-after"))).isEmpty)
    }
}

/// The same on PostgreSQL 15; skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ResidentRulesPostgresTests {
    @Test func supervisionStartAndWarrants() async throws { try await ResidentRulesTests().aSupervisionStartAndTheSuperviseesWarrantEventsReachThePoliceOfTheRegisteredAddressOnce() }
    @Test func warrantBeforeCase() async throws { try await ResidentRulesTests().aWarrantEventReadBeforeTheCaseReachesThePoliceWhenTheCaseArrives() }
    @Test func notCovered() async throws { try await ResidentRulesTests().aWarrantBeforeTheCaseStartedOrOfSomeoneUnsupervisedTellsNoPolice() }
    @Test func move() async throws { try await ResidentRulesTests().aMoveTellsBothPoliceAndEachWarrantEventGoesToThePoliceOfItsDaysAddress() }
    @Test func moveReadLate() async throws { try await ResidentRulesTests().anAddressChangeReadAfterAWarrantEventOfItsPeriodSendsItToTheNewPolice() }
    @Test func fallback() async throws { try await ResidentRulesTests().withoutADirectoryEntryTheNoticeGoesToThePlacesFallbackAddress() }
    @Test func court() async throws { try await ResidentRulesTests().theIssuingCourtIsToldOfAServiceOrAQuashByOthersButNotOfItsOwnRecall() }
    @Test func arrest() async throws { try await ResidentRulesTests().anArrestWhileTheWarrantIsActiveReachesTheIssuingCourtWhicheverIsReadFirst() }
}
