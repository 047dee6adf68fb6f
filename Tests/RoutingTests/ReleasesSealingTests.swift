import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// Sealing orders and the release and bulletin families' tables: an `all_records` order removes
/// every row of the person (releases, kept release events, assessment, incident involvements,
/// bulletin and its deliveries) and no one else's; a `listed_cases` order leaves them (they
/// belong to no supervision case) but removes what was routed for the listed case.
@Suite struct ReleasesSealingTests {
    let rules = ReleaseRulesTests()
    static let familyTables = [
        "releases_known", "releases_events", "releases_assessments", "releases_involvements", "bulletins_current", "bulletins_deliveries",
    ]

    /// Reyes and Hill, each with a case, a release, an assessment, an incident and a bulletin.
    func routerWithTwoPeople() async throws -> ProjectionHarness {
        let router = try await rules.routerWithDirectoryAndCase()
        try await router.apply(rules.cases(Events.caseStarted(Events.hill, address: Events.kansasCity, caseId: "CASE-2", id: "case-2")))
        for (person, name) in [(Events.reyes, "reyes"), (Events.hill, "hill")] {
            try await router.apply(rules.releases(Events.releaseScheduled(person, releaseId: "R-\(name)", expected: Events.at(days: 90), id: "release-\(name)")))
            try await router.apply(rules.assessments(Events.assessment(person, risk: .high, id: "assessment-\(name)")))
            try await router.apply(rules.incidents(Events.incident(victim: person.stateId ?? "", at: Events.at(days: -10), id: "incident-\(name)")))
            try await router.apply(rules.on(BulletinRules.bulletinsTopic, Events.bulletinPublished(person, id: "bulletin-\(name)")))
        }
        return router
    }

    func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    func seal(_ router: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = router.projection
        return try await router.write { _, transaction in try projection.seal(order, in: transaction) }
    }

    @Test func allRecordsRemovesTheFamiliesRowsOfThePersonAndNoOneElses() async throws {
        let router = try await routerWithTwoPeople()
        let before = try await tablesNaming(["MO1234567"], router)
        #expect(before.isSuperset(of: Set(Self.familyTables)))
        let tally = try await seal(router, try Events.sealingOrder(Events.reyes))
        for table in Self.familyTables { #expect((tally.rowsByTable[table] ?? 0) > 0, "\(table)") }
        // (Not the family name: Hill's bulletin names his key contact Angela Reyes.)
        #expect(try await tablesNaming(["MO1234567", "734591KA2"], router).isEmpty)
        #expect(try await tablesNaming(["MO7654321"], router).isSuperset(of: Set(Self.familyTables)))
    }

    /// A release under the FBI number alone (`custody.releases` version 2): the police notice
    /// names no state ID and is filed under the FBI number (as the outbox's message is); an
    /// order naming the state ID alone finds it through the case that pairs the two numbers,
    /// and tells the runtime the pairing (its outbox and ledger use it).
    @Test func aNoticeAboutAReleaseUnderTheFBINumberAloneGoesWithAnOrderNamingTheStateId() async throws {
        let router = try await rules.routerWithDirectoryAndCase()
        let byFBI = SubjectIdentifiers(fbiNumber: Events.reyes.fbiNumber, name: Events.reyes.name, dateOfBirth: Events.reyes.dateOfBirth)
        let messages = try await router.apply(rules.releases(Events.releaseScheduled(byFBI, expected: Events.at(days: 90))))
        // The destination's police, and the officer of the case the FBI number matched.
        #expect(try messages.map { try BusNotification.decode($0.value).reason.rule }.sorted() == [ReleaseRules.releaseIntoJurisdiction, ReleaseRules.superviseeRelease])
        let police = try #require(try messages.map { try BusNotification.decode($0.value) }.first { $0.reason.rule == ReleaseRules.releaseIntoJurisdiction })
        #expect(police.subjectStateId == nil)
        #expect(police.subjectFbiNumber == "734591KA2")
        let filedUnderFBI = { (table: String) in
            try await router.write { db, _ in
                try db.fetchAll("SELECT 1 AS found FROM \(table) WHERE subject_digest = $1", [.text(SealingDigest.fbiNumber("734591KA2"))]).count
            }
        }
        #expect(try await filedUnderFBI("notifications_sent") > 0)
        #expect(try await filedUnderFBI("kit_outbox") > 0)  // the message waiting to go out
        let stateIdOnly = SubjectIdentifiers(stateId: Events.reyes.stateId, name: Events.reyes.name)
        let tally = try await seal(router, try Events.sealingOrder(stateIdOnly))
        #expect(tally.pairedFbiNumbers == ["734591KA2"])
        #expect(try await filedUnderFBI("notifications_sent") == 0)
        #expect(try await tablesNaming(["734591KA2", "MO1234567"], router).isEmpty)
        // The runtime removes the waiting message with the pairing the tally reports
        // (`SealingRuntimeTests.messagesFiledUnderTheFBINumber`).
    }

    @Test func listedCasesKeepTheReleasesButRemoveTheNoticesRoutedForTheCase() async throws {
        let router = try await routerWithTwoPeople()
        let tally = try await seal(router, try Events.sealingOrder(Events.reyes, cases: ["CASE-1"]))
        #expect(tally.rowsByTable["releases_known"] == nil)
        #expect((tally.rowsByTable["notifications_sent"] ?? 0) > 0)
        let left = try await router.write { db, _ in try NotificationOutbox.sent(db) }
        #expect(!left.contains { $0.rule == ReleaseRules.superviseeRelease && $0.isRouted(forScope: "CASE-1") })
        #expect(left.contains { $0.rule == ReleaseRules.releaseIntoJurisdiction && $0.isAbout(stateId: "MO1234567") })
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReleasesSealingPostgresTests {
    @Test func allRecordsRemovesTheFamiliesRowsOfThePersonAndNoOneElses() async throws { try await ReleasesSealingTests().allRecordsRemovesTheFamiliesRowsOfThePersonAndNoOneElses() }
    @Test func listedCasesKeepTheReleasesButRemoveTheNoticesRoutedForTheCase() async throws { try await ReleasesSealingTests().listedCasesKeepTheReleasesButRemoveTheNoticesRoutedForTheCase() }
    @Test func aNoticeAboutAReleaseUnderTheFBINumberAloneGoesWithAnOrderNamingTheStateId() async throws {
        try await ReleasesSealingTests().aNoticeAboutAReleaseUnderTheFBINumberAloneGoesWithAnOrderNamingTheStateId()
    }
}
