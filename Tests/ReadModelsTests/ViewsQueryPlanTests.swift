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
    /// Full scans that are the point of their statement.
    static let scansAllowed = [
        // Addresses filed before `safety-v2` hold the second number only in the subject's JSON;
        // the order pairs the numbers through it (once per order, a LIKE cannot use an index).
        QueryPlan.AllowedRead("safety_addresses", by: "subject LIKE"),
        // Whether any key was ever sealed: the first row answers.
        QueryPlan.AllowedRead("kit_sealed_keys", by: "FROM kit_sealed_keys LIMIT 1"),
        // The police view's bulletins: a consent scope is read against every agency's name
        // (`BulletinConsentScope`: whether it names another agency decides who may see it);
        // reference data of a few hundred rows, once per question.
        QueryPlan.AllowedRead("directory_agencies", by: "SELECT entry FROM directory_agencies WHERE status = 'active'"),
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

        let statements = QueryPlan.statementsReadingRows(timings)
        for table in ["police_cases", "police_bulletins", "views_warrants", "views_releases", "releases_notices", "safety_household", "caseload_flags"] {
            #expect(statements.contains { $0.contains(table) }, "no statement read \(table)")
        }
        let reads = try await QueryPlan.wholeTableReads(
            statements, in: views.harness.database, wideSearches: Self.wideSearches, allowed: Self.scansAllowed)
        #expect(reads.isEmpty, "\(reads.map(\.description).joined(separator: "\n"))")
    }
}
