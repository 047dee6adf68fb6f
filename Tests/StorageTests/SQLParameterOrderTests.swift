@testable import Storage
import Testing

/// SQLite binds `$N` parameters by the order names first appear; binding by position is right
/// only if this parser finds the same order, and says "don't know" for anything else.
@Suite struct SQLParameterOrderTests {
    @Test("parameters in order of first appearance, a name used again keeps its number", arguments: [
        ("INSERT INTO t (a, b) VALUES ($1, $2)", [1, 2]),
        ("UPDATE t SET note = $2 WHERE id = $1", [2, 1]),
        ("SELECT * FROM t WHERE id = $1 AND (note = $2 OR id = $1)", [1, 2]),
        ("SELECT '$3', \"$4\", $1 -- $5\n, /* $6 */ $2", [1, 2]),
        ("SELECT 'it''s $9', $1", [1]),
        ("SELECT $10, $2", [10, 2]),
        ("SELECT 1", []),
    ])
    func order(sql: String, numbers: [Int]) {
        #expect(SQLParameterOrder(sql)?.numbers == numbers)
    }

    @Test("other parameter forms are not described", arguments: [
        "SELECT ?", "SELECT ?1", "SELECT :name", "SELECT @name", "SELECT $name", "SELECT $1a", "SELECT $", "SELECT x::text",
    ])
    func otherForms(sql: String) {
        #expect(SQLParameterOrder(sql) == nil)
    }

    @Test func bindingByPositionMatchesBindingByName() throws {
        let storage = try SQLiteStorage.inMemory()
        let rows = try storage.writer.write { db in
            let transaction = SQLiteTransaction(db, location: "test")
            try transaction.executeScript("CREATE TABLE t (a TEXT, b TEXT, c INTEGER)")
            try transaction.execute("INSERT INTO t (c, b, a) VALUES ($3, $2, $1)", [.text("x"), .text("y"), .integer(3)])
            return try transaction.fetchAll("SELECT a, b, c FROM t WHERE c = $2 AND a = $1", [.text("x"), .integer(3)])
        }
        #expect(rows.count == 1)
        #expect(try rows.first?.get("b", as: String.self) == "y")
        // A statement naming an argument that is missing goes by name, which says so.
        try storage.writer.write { db in
            let transaction = SQLiteTransaction(db, location: "test")
            #expect(throws: StorageError.self) { try transaction.execute("INSERT INTO t (a) VALUES ($2)", [.text("only one")]) }
        }
    }
}
