import Contracts
import Foundation
import Notifications
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import Warrants

/// The warrant resolver looks a person's warrants and detainers up at each release, and its
/// checks up at each warrant, detainer and minute tick: each statement must reach its rows
/// through an index, not read a whole table once per event (SQLite's planner, without
/// statistics, can take a condition on a status nearly every row shares for a selective one;
/// the router and the views each had such queries). This runs a scenario through every kind of
/// event the resolver reads, and an order, and holds each statement's plan to searches.
@Suite struct WarrantResolverQueryPlanTests {
    /// Full scans that are the point of their statement.
    static let scansAllowed = [
        // Whether any key was ever sealed: the first row answers.
        QueryPlan.AllowedRead("kit_sealed_keys", by: "FROM kit_sealed_keys LIMIT 1"),
    ]

    /// Searches on a column nearly every row shares: they read the table all the same.
    static let wideSearches = ["(status=?)", "(closed=?)"]

    @Test func everyStatementSearchesItsRowsThroughAnIndex() async throws {
        let resolver = try ProjectionHarness(WarrantResolverProjection(signingKey: .random()))
        let timings = try #require(try await resolver.database.timeStatements())
        for entry in Events.directory + Events.prosecutors { try await resolver.apply(Events.admitted(Events.described(entry))) }
        let events: [AdmittedEvent] = [
            try Events.admitted(Events.issued("W-1", caseNumber: "CR-1")),
            try Events.admitted(Events.issued("W-2", agency: "MO-CIRCUIT7", caseNumber: "CR-2")),
            try Events.admitted(Events.lodged("D-1")),
            try Events.admitted(Events.scheduled("R-1")),
            try Events.admitted(Events.issued("W-9", subject: Events.reyes, caseNumber: "CR-9")),
            try Events.admitted(Events.scheduled("R-9", subject: Events.reyes)),
            try Events.admitted(Events.changed("R-1", expectedAt: Events.releaseAt.addingTimeInterval(86_400))),
            Events.admitted(Events.tick(daysBeforeRelease: 30)),
            Events.admitted(Events.tick(daysBeforeRelease: 1)),
            try Events.admitted(Events.recalled("W-1")),
            try Events.admitted(Events.served("W-2")),
            try Events.admitted(Events.lifted("D-1")),
            try Events.admitted(Events.completed("R-1", at: Events.releaseAt)),
            try Events.admitted(Events.completed("R-5")),
            try Events.admitted(Events.retired("MO-IPD")),
        ]
        for event in events { try await resolver.apply(event) }
        let projection = resolver.projection
        for order in [try Events.sealingOrder(Events.reyes, cases: ["CR-9"], id: "listed"), try Events.sealingOrder(Events.hill, id: "all")] {
            _ = try await resolver.write { _, transaction in try projection.seal(order, in: transaction) }
        }

        let statements = QueryPlan.statementsReadingRows(timings)
        for table in ["warrants", "detainers", "warrant_checks", "warrant_check_items"] {
            #expect(statements.contains { $0.contains("FROM \(table) ") }, "no statement read \(table)")
        }
        let reads = try await QueryPlan.wholeTableReads(
            statements, in: resolver.database, wideSearches: Self.wideSearches, allowed: Self.scansAllowed)
        #expect(reads.isEmpty, "\(reads.map(\.description).joined(separator: "\n"))")
    }
}
