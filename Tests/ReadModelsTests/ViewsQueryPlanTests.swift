import Contracts
import Foundation
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import ReadModels

/// A view's query asks about one officer, agency, court, facility, place or address, and a
/// sealing order about one person: each must reach its rows through an index, not by reading
/// a whole table of every agency's data. Without one, the release board joined each release
/// on it to every warrant of the state (4.9 s for one prison's board at 200,000 events), the
/// police view of one city read every case, bulletin and warrant (a lookup of each one's
/// address), and an order read the whole of four tables: costs that grow with the state, not
/// with the answer. This runs every view's queries and two orders over the sealing scenario's
/// data and holds each statement's plan (SQLite's `EXPLAIN QUERY PLAN`) to searches.
@Suite struct ViewsQueryPlanTests {
    /// Full scans that are the point of their statement, with why.
    static let scansAllowed: [(table: String, statementContains: String, why: String)] = [
        // Addresses filed before `safety-v2` hold the second number only in the subject's JSON;
        // the order pairs the numbers through it (once per order, a LIKE cannot use an index).
        ("safety_addresses", "subject LIKE", "pairs numbers of rows kept before safety-v2"),
        // Whether any key was ever sealed: the first row answers.
        ("kit_sealed_keys", "FROM kit_sealed_keys LIMIT 1", "reads one row"),
    ]

    /// Searches that read nearly a whole table all the same: a warrant ledger's primary key
    /// starts with the record's type (warrant or detainer), which nearly every row shares.
    static let wideSearches = ["(record_type=?)"]

    @Test func everyQueryAndOrderSearchesItsRowsThroughAnIndex() async throws {
        let views = try await SealingHarness.views(SealingScenarios.stores)  // SQLite: not under the PostgreSQL trait
        let timings = try #require(try await views.harness.database.timeStatements())
        try await views.apply(try SealingEvents.everything())
        _ = try await SealingScenarios.answers(views)  // each view's queries, for their plans
        try await views.seal(try SealingEvents.order(.expunged, .listedCases, cases: ["CASE-R1", SealingEvents.sharedCourtCase]))
        try await views.seal(try SealingEvents.order(.expunged, .allRecords))

        let writer = try #require((views.harness.database.storage as? SQLiteStorage)?.writer)
        let statements = timings.slowest(100_000).map(\.sql).map(QueryPlan.oneLine).filter(QueryPlan.readsRows)
        for table in ["police_cases", "police_bulletins", "police_warrants", "releases_notices", "safety_household", "caseload_flags"] {
            #expect(statements.contains { $0.contains(table) }, "no statement read \(table)")
        }
        for sql in statements {
            let plan = try await writer.read { db in try QueryPlan.lines(of: sql, in: db) }
            let scans = QueryPlan.tablesReadWhole(plan, of: sql, wideSearches: Self.wideSearches).filter { table in
                !Self.scansAllowed.contains { $0.table == table && sql.contains($0.statementContains) }
            }
            #expect(scans.isEmpty, "\(sql)\n  plan: \(plan.joined(separator: " | "))")
        }
    }
}
