import Contracts
import Foundation
import GRDB
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
        let statements = timings.slowest(100_000).map(\.sql).map(Self.oneLine).filter(Self.readsRows)
        for table in ["police_cases", "police_bulletins", "police_warrants", "releases_notices", "safety_household", "caseload_flags"] {
            #expect(statements.contains { $0.contains(table) }, "no statement read \(table)")
        }
        for sql in statements {
            let plan = try await writer.read { db in try Self.queryPlan(of: sql, in: db) }
            let scans = plan.compactMap { Self.scannedTable($0, in: sql) }.filter { table in
                !Self.scansAllowed.contains { $0.table == table && sql.contains($0.statementContains) }
            }
            #expect(scans.isEmpty, "\(sql)\n  plan: \(plan.joined(separator: " | "))")
        }
    }

    /// A statement that reads or removes rows of the views (not an insert, not transaction
    /// control): a SELECT, a DELETE or an UPDATE.
    private static func readsRows(_ sql: String) -> Bool {
        sql.hasPrefix("SELECT") || sql.hasPrefix("DELETE") || sql.hasPrefix("UPDATE") || sql.hasPrefix("WITH")
    }

    /// The table a plan line reads whole (`SCAN t`, `SCAN alias USING INDEX …`: every row or
    /// every index entry; a wide search), by its name in `sql`; nil for a search, a scan of a
    /// subquery's result or another kind of line.
    private static func scannedTable(_ line: String, in sql: String) -> String? {
        if line.hasPrefix("SEARCH "), wideSearches.contains(where: line.hasSuffix) {
            return line.split(separator: " ").dropFirst().first.map { table(named: String($0), in: sql) }
        }
        guard line.hasPrefix("SCAN "), let name = line.dropFirst(5).split(separator: " ").first.map(String.init),
              !name.hasPrefix("("), name != "CONSTANT"
        else { return nil }
        return table(named: name, in: sql)
    }

    /// The table `name` stands for in `sql`: itself, or the table an alias was given to
    /// (`FROM table alias`, `JOIN table alias`).
    private static func table(named name: String, in sql: String) -> String {
        let words = sql.split(separator: " ").map(String.init)
        for index in words.indices.dropFirst(2) where words[index] == name && ["FROM", "JOIN"].contains(words[index - 2]) {
            return words[index - 1]
        }
        return name
    }

    /// `EXPLAIN QUERY PLAN`'s lines with every parameter bound to NULL (service databases are
    /// never analysed, so the plan does not depend on the values).
    private static func queryPlan(of sql: String, in db: Database) throws -> [String] {
        let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
        let parameters = (1...64).last { sql.contains("$\($0)") } ?? 0
        statement.setUncheckedArguments(StatementArguments([DatabaseValue](repeating: .null, count: parameters)))
        return try Row.fetchAll(statement).map { $0["detail"] as String? ?? "" }
    }

    private static func oneLine(_ sql: String) -> String { sql.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
