import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// Sealing orders and the police-event family's tables: an `all_records` order removes every row
/// of the person (kept bookings, contacts, incident and investigation facts, their place among
/// persons of interest, the receipts of what they were sent about) and no one else's; a person
/// an incident names, read after the order, is not kept again.
@Suite struct PoliceEventSealingTests {
    let key = NotificationSigningKey.random()

    private func on(_ topic: String, _ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent {
        try Events.admitted(event, topic: topic)
    }

    /// Reyes (CASE-1, Brooks) and Hill (CASE-2, Lee), with a booking, a contact, an incident
    /// and a routine investigation naming both.
    private func routerWithTwoPeople() async throws -> ProjectionHarness {
        let router = try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
        try await router.apply(on(RouterProjection.casesTopic, Events.caseWithAddress()))
        try await router.apply(on(RouterProjection.casesTopic, Events.caseStarted(Events.hill, caseId: "CASE-2", officer: Events.lee, id: "case-hill")))
        #expect(try await router.apply(on(PoliceEventRules.arrestsTopic, Events.booking(Events.reyes, id: "booking-reyes"))).count == 1)
        #expect(try await router.apply(on(PoliceEventRules.arrestsTopic, Events.booking(Events.hill, id: "booking-hill"))).count == 1)
        #expect(try await router.apply(on(PoliceEventRules.contactsTopic, Events.contact(.subject, id: "contact-reyes"))).count == 1)
        #expect(try await router.apply(on(PoliceEventRules.incidentsTopic,
            Events.incident(victims: [Events.reyesInvolved], suspects: [Events.hillInvolved]))).count == 2)
        #expect(try await router.apply(on(PoliceEventRules.investigationsTopic,
            Events.investigationOpened(.routine, persons: [Events.reyesInvolved, Events.hillInvolved]))).count == 2)
        return router
    }

    private func seal(_ router: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = router.projection
        return try await router.write { _, transaction in try projection.seal(order, in: transaction) }
    }

    private func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    private static let reyesNames = ["MO1234567", "734591KA2", "Darnell", "Reyes"]

    @Test func allRecordsRemovesEveryPoliceRowOfThePersonAndNoOneElses() async throws {
        let router = try await routerWithTwoPeople()
        let before = try await tablesNaming(Self.reyesNames, router)
        #expect(before.isSuperset(of: ["police_facts", "police_investigation_people", "police_investigation_receipts"]))

        let tally = try await seal(router, try Events.sealingOrder(Events.reyes))
        // Booking, contact, incident, investigation facts; his place in the investigation; its receipt.
        #expect(tally.rowsByTable["police_facts"] == 4)
        #expect(tally.rowsByTable["police_investigation_people"] == 1)
        #expect(tally.rowsByTable["police_investigation_receipts"] == 1)
        #expect(try await tablesNaming(Self.reyesNames, router).isEmpty)
        // Hill's booking, incident and investigation facts stay, and the closure still reaches Lee.
        #expect(try await router.count("police_facts") == 3)
        let purges = try await router.apply(on(PoliceEventRules.investigationsTopic, Events.investigationClosed()))
        #expect(try purges.map { try BusNotification.decode($0.value).recipient } == [.officer("PP-KC-200")])
        #expect(try await seal(router, try Events.sealingOrder(Events.reyes)).total == 0)
    }

    @Test func anOrderByFBINumberAloneFindsTheFactsKeptByStateId() async throws {
        let router = try await routerWithTwoPeople()
        let tally = try await seal(router, try Events.sealingOrder(SubjectIdentifiers(fbiNumber: "734591KA2"), expunged: true))
        #expect(tally.rowsByTable["police_facts"] == 4)
        #expect(try await tablesNaming(Self.reyesNames, router).isEmpty)
    }

    @Test func anIncidentReadAfterTheOrderDoesNotKeepThePersonAgain() async throws {
        let router = try await routerWithTwoPeople()
        let order = try Events.sealingOrder(Events.reyes)
        // As the runtime does: the order recorded in the ledger, then applied.
        let projection = router.projection
        try await router.write { storage, transaction in
            let removed = try projection.seal(order, in: transaction)
            try SealingLedger(storage).record(order, removed: removed)
        }
        let late = Events.incident(victims: [Events.reyesInvolved], at: Events.now.addingTimeInterval(-20_000), id: "late")
        #expect(try await router.apply(on(PoliceEventRules.incidentsTopic, late)).isEmpty)
        #expect(try await tablesNaming(["MO1234567"], router).isEmpty)
    }

    /// Marcus, met by police in a contact with Reyes (his household member), then sealed: the
    /// router keeps Reyes's contact without Marcus, and a late copy of the contact (read after the
    /// order, as a replay would) is kept and routed to Reyes's officer without him.
    @Test func anOrderForThePersonMetInSomeoneElsesContactRemovesThemFromIt() async throws {
        let marcusTexts = ["MO5550001", "Marcus", "1999-03-04"]
        let router = try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
        try await router.apply(on(RouterProjection.casesTopic, Events.caseWithAddress()))
        #expect(try await router.apply(on(PoliceEventRules.contactsTopic, Events.contactWithMarcus(id: "contact-household"))).count == 1)
        #expect(try await tablesNaming(marcusTexts, router).contains("police_facts"))

        let order = try Events.sealingOrder(SubjectIdentifiers(stateId: "MO5550001"), id: "order-met")
        let projection = router.projection
        let tally = try await router.write { storage, transaction in
            let removed = try projection.seal(order, in: transaction)
            try SealingLedger(storage).record(order, removed: removed)
            return removed
        }
        #expect(tally.rowsByTable["police_facts.person_contacted"] == 1)
        let naming = try await tablesNaming(marcusTexts, router)
        #expect(naming == [])
        #expect(try await router.count("police_facts") == 1)  // Reyes's contact stays

        let late = try await router.apply(on(PoliceEventRules.contactsTopic, Events.contactWithMarcus(id: "contact-household-late")))
        let notifications = try late.map { try BusNotification.decode($0.value) }
        #expect(notifications.map(\.recipient) == [.officer("PP-KC-118")])
        #expect(!notifications.contains { notification in
            let text = ([notification.summary] + notification.facts.map(\.value)).joined(separator: " ")
            return marcusTexts.contains { text.contains($0) }
        })
        #expect(try await tablesNaming(marcusTexts, router).isEmpty)
        #expect(try await router.count("police_facts") == 2)
    }

    @Test func listedCasesLeaveThePoliceFacts() async throws {
        let router = try await routerWithTwoPeople()
        let tally = try await seal(router, try Events.sealingOrder(Events.reyes, cases: ["CASE-1"]))
        #expect(tally.rowsByTable["police_facts"] == nil)
        #expect(try await router.count("police_facts") == 7)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct PoliceEventSealingPostgresTests {
    @Test func allRecords() async throws { try await PoliceEventSealingTests().allRecordsRemovesEveryPoliceRowOfThePersonAndNoOneElses() }
    @Test func byFBINumber() async throws { try await PoliceEventSealingTests().anOrderByFBINumberAloneFindsTheFactsKeptByStateId() }
    @Test func lateIncident() async throws { try await PoliceEventSealingTests().anIncidentReadAfterTheOrderDoesNotKeepThePersonAgain() }
    @Test func listedCases() async throws { try await PoliceEventSealingTests().listedCasesLeaveThePoliceFacts() }
    @Test func personMet() async throws { try await PoliceEventSealingTests().anOrderForThePersonMetInSomeoneElsesContactRemovesThemFromIt() }
}
