import Foundation
import Storage
import Testing

@testable import ServiceKit

/// Timing a service's statements: each statement's calls and time summed under its text, the
/// values bound to it never kept.
@Suite struct StatementTimingsTests {
    let directory = TemporaryDirectory()

    @Test func sumsEachStatementUnderItsTextWithoutItsValues() async throws {
        let database = try ServiceDatabase(
            path: directory.path("timed.sqlite"),
            migrations: [.script("people-1", "CREATE TABLE people (state_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL)")])
        let timings = try #require(try await database.timeStatements())
        let insert = "INSERT INTO people (state_id, name) VALUES ($1, $2)"
        let lookup = "SELECT name FROM people WHERE state_id = $1"
        try await database.write { transaction in
            for number in 0..<50 { _ = try transaction.execute(insert, [.text("MO\(number)"), .text("Jane Roe \(number)")]) }
            for number in 0..<20 { _ = try transaction.fetchOne(lookup, [.text("MO\(number)")]) }
            // A statement that takes long: SQLite times each call to the millisecond, so only
            // sums over many short calls, or a long one, show.
            _ = try transaction.fetchOne(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) AS n FROM c")
        }
        let slowest = timings.slowest(10)
        let inserts = try #require(slowest.first { $0.sql.contains("INSERT INTO people") })
        let lookups = try #require(slowest.first { $0.sql.contains("SELECT name FROM people") })
        #expect(inserts.calls == 50 && lookups.calls == 20)
        // Longest first: the counting statement, which took tens of milliseconds at least.
        #expect(slowest.first?.sql.contains("WITH RECURSIVE") == true && (slowest.first?.seconds ?? 0) > 0.01, "\(slowest)")
        #expect(zip(slowest, slowest.dropFirst()).allSatisfy { $0.seconds >= $1.seconds })
        #expect(timings.totalSeconds >= slowest.reduce(0) { $0 + $1.seconds } - 1e-9)
        // Personal data bound as values never reaches the sums.
        #expect(!slowest.contains { $0.sql.contains("Jane Roe") || $0.sql.contains("MO1") })
    }
}
