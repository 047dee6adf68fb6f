import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// Sealing orders and the resident and issuing-court families' tables: an `all_records` order
/// removes the person's addresses, kept warrant events and warrants, and no one else's; a
/// `listed_cases` order removes the listed case's addresses and what was routed for the case.
@Suite struct ResidentsSealingTests {
    let rules = ResidentRulesTests()
    static let familyTables = ["residents_addresses", "residents_warrant_events", "issued_warrants"]

    /// Reyes and Hill, each with a case in Kansas City and a warrant.
    func routerWithTwoPeople() async throws -> ProjectionHarness {
        let router = try await rules.routerWithDirectory()
        for (person, name, caseId) in [(Events.reyes, "reyes", "CASE-1"), (Events.hill, "hill", "CASE-2")] {
            try await router.apply(rules.rules.cases(Events.caseStarted(person, address: Events.kansasCity, caseId: caseId, id: "case-\(name)")))
            try await router.apply(rules.warrants(Events.warrantIssued(person, warrantId: "W-\(name)", id: "issued-\(name)")))
        }
        return router
    }

    @Test func allRecordsRemovesTheFamiliesRowsOfThePersonAndNoOneElses() async throws {
        let router = try await routerWithTwoPeople()
        let sealing = ReleasesSealingTests()
        #expect(try await sealing.tablesNaming(["MO1234567"], router).isSuperset(of: Set(Self.familyTables)))
        let tally = try await sealing.seal(router, try Events.sealingOrder(Events.reyes))
        for table in Self.familyTables { #expect((tally.rowsByTable[table] ?? 0) > 0, "\(table)") }
        #expect(try await sealing.tablesNaming(["MO1234567", "734591KA2"], router).isEmpty)
        #expect(try await sealing.tablesNaming(["MO7654321"], router).isSuperset(of: Set(Self.familyTables)))
        // A warrant event of the person read after the order is not applied by the runtime; one
        // already kept is gone, so a case read later routes nothing about it.
        let later = try rules.sent(try await router.apply(rules.rules.cases(Events.caseStarted(address: Events.kansasCity, id: "case-later"))))
        #expect(later == ["agency:MO-KCPD routine resident-supervision-started"])
    }

    @Test func listedCasesRemoveTheCasesAddressesAndTheNoticesRoutedForIt() async throws {
        let router = try await routerWithTwoPeople()
        let sealing = ReleasesSealingTests()
        let tally = try await sealing.seal(router, try Events.sealingOrder(Events.reyes, cases: ["CASE-1"]))
        #expect(tally.rowsByTable["residents_addresses"] == 1)
        #expect(tally.rowsByTable["residents_warrant_events"] == nil)
        let left = try await router.write { db, _ in try NotificationOutbox.sent(db) }
        #expect(!left.contains { $0.isRouted(forScope: "CASE-1") })
        #expect(left.contains { $0.rule == ResidentRules.residentWarrant && $0.isRouted(forScope: "CASE-2") })
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ResidentsSealingPostgresTests {
    @Test func allRecords() async throws { try await ResidentsSealingTests().allRecordsRemovesTheFamiliesRowsOfThePersonAndNoOneElses() }
    @Test func listedCases() async throws { try await ResidentsSealingTests().listedCasesRemoveTheCasesAddressesAndTheNoticesRoutedForIt() }
}
