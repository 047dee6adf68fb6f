import GRDB
import ServiceKit
import Storage

/// SQLite's `EXPLAIN QUERY PLAN`, for the tests that hold a service's statements to plans
/// that reach their rows through an index. Service databases are never analysed, so SQLite's
/// planner guesses from the indexes alone: a condition on a column nearly every row shares (a
/// status, a record type) can look as selective as a person's number, and a lookup of one
/// person then reads a whole table, once per event. Those tests run a scenario with
/// `ServiceDatabase.timeStatements()` and check the plan of each statement it ran.
public enum QueryPlan {
    /// The plan's lines (`SEARCH t USING INDEX …`, `SCAN t`, …) with every parameter bound to
    /// NULL (the plan does not depend on the values).
    public static func lines(of sql: String, in db: Database) throws -> [String] {
        let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
        let parameters = (1...64).last { sql.contains("$\($0)") } ?? 0
        statement.setUncheckedArguments(StatementArguments([DatabaseValue](repeating: .null, count: parameters)))
        return try Row.fetchAll(statement).map { $0["detail"] as String? ?? "" }
    }

    /// The plan's lines of `sql` in `database`, a service's SQLite database.
    public static func lines(of sql: String, in database: ServiceDatabase) async throws -> [String] {
        try await writer(of: database).read { db in try lines(of: sql, in: db) }
    }

    /// The statements `timings` recorded that read, change or remove rows, each on one line.
    public static func statementsReadingRows(_ timings: StatementTimings) -> [String] {
        timings.slowest(.max).map { oneLine($0.sql) }.filter(readsRows)
    }

    /// A whole-table read a test accepts: of `table`, by a statement containing
    /// `statementContains` (say why beside it).
    public struct AllowedRead: Sendable {
        public var table: String
        public var statementContains: String

        public init(_ table: String, by statementContains: String) {
            self.table = table
            self.statementContains = statementContains
        }
    }

    /// A statement whose plan reads tables whole.
    public struct WholeTableRead: Sendable, CustomStringConvertible {
        public var sql: String
        public var plan: [String]
        public var tables: [String]

        public var description: String { "\(tables) read whole by \(sql)\n  plan: \(plan.joined(separator: " | "))" }
    }

    /// Each of `statements` whose plan in `database` reads a table whole
    /// (``tablesReadWhole(_:of:wideSearches:)``), but for the reads `allowed`.
    public static func wholeTableReads(
        _ statements: [String], in database: ServiceDatabase, wideSearches: [String] = [], allowed: [AllowedRead] = []
    ) async throws -> [WholeTableRead] {
        var reads: [WholeTableRead] = []
        for sql in statements {
            let plan = try await lines(of: sql, in: database)
            let tables = tablesReadWhole(plan, of: sql, wideSearches: wideSearches).filter { table in
                !allowed.contains { $0.table == table && sql.contains($0.statementContains) }
            }
            if !tables.isEmpty { reads.append(WholeTableRead(sql: sql, plan: plan, tables: tables)) }
        }
        return reads
    }

    /// A plan was asked of a database that is not SQLite.
    public struct NotSQLite: Error, CustomStringConvertible {
        public var description: String { "query plans are SQLite's: the database is \(location)" }
        let location: String
    }

    private static func writer(of database: ServiceDatabase) throws -> any DatabaseWriter {
        guard let storage = database.storage as? SQLiteStorage else { throw NotSQLite(location: database.location) }
        return storage.writer
    }

    /// `sql` on one line, its runs of white space as one space.
    public static func oneLine(_ sql: String) -> String { sql.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    /// A statement that reads, changes or removes rows (not an insert, not transaction control).
    public static func readsRows(_ sql: String) -> Bool {
        ["SELECT", "DELETE", "UPDATE", "WITH"].contains { sql.hasPrefix($0) }
    }

    /// The tables `plan` (of `sql`) reads whole, by their names in `sql`: a `SCAN t` or
    /// `SCAN alias USING INDEX …` (every row or every index entry) of a table, and a search
    /// whose only constraint is one of `wideSearches` (e.g. `(status=?)`: a column nearly every
    /// row shares). A scan of a subquery's result (`(subquery-1)`, a `MATERIALIZE`d or
    /// `CO-ROUTINE` alias) is not counted.
    public static func tablesReadWhole(_ plan: [String], of sql: String, wideSearches: [String] = []) -> [String] {
        let lines = plan.map { $0.split(separator: " ").map(String.init) }
        let subqueries = Set(lines.filter { $0.count >= 2 && ["MATERIALIZE", "CO-ROUTINE"].contains($0[0]) }.map { $0[1] })
        return lines.compactMap { words in
            guard words.count >= 2, !subqueries.contains(words[1]) else { return nil }
            if words[0] == "SEARCH", wideSearches.contains(where: words.joined(separator: " ").hasSuffix) { return table(named: words[1], in: sql) }
            guard words[0] == "SCAN", !words[1].hasPrefix("("), words[1] != "CONSTANT" else { return nil }
            return table(named: words[1], in: sql)
        }
    }

    /// The table `name` stands for in `sql`: itself, or the table an alias was given to
    /// (`FROM table alias`, `JOIN table alias`).
    static func table(named name: String, in sql: String) -> String {
        let words = oneLine(sql).split(separator: " ").map(String.init)
        for index in words.indices.dropFirst(2) where words[index] == name && ["FROM", "JOIN"].contains(words[index - 2]) {
            return words[index - 1]
        }
        return name
    }
}
