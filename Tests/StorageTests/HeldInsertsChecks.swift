import Storage
import Testing

/// What a transaction ends up with when its inserts are sent without waiting is what it would
/// have with each written at once, on either database; on PostgreSQL, which holds them to write
/// several rows a statement (`HeldInserts`), in far fewer statements.
enum HeldInsertsChecks {
    /// 600 rows into each of two tables, interleaved, then read: every row is there, and on
    /// PostgreSQL each table's rows went in four statements (512 + 64 + 16 + 8).
    static func interleavedRowsAreAllWrittenInFewStatements(_ database: any StorageDatabase) async throws {
        let (counts, statements) = try await database.write { transaction in
            try transaction.execute("CREATE TABLE held_a (id BIGINT PRIMARY KEY NOT NULL, v TEXT)")
            try transaction.execute("CREATE TABLE held_b (id BIGINT PRIMARY KEY NOT NULL, v TEXT)")
            let before = transaction.statementCount
            for index in 0..<600 {
                try transaction.send("INSERT INTO held_a (id, v) VALUES ($1, $2)", [.integer(Int64(index)), .text("a\(index)")])
                try transaction.send("INSERT INTO held_b (id, v) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [.integer(Int64(index)), .text("b\(index)")])
            }
            let counts = try ["held_a", "held_b"].map { table in
                try transaction.fetchOne("SELECT count(*) AS n, min(v) AS low, max(id) AS high FROM \(table)").map {
                    "\(try $0.get("n", as: Int.self)) \(try $0.get("low", as: String.self)) \(try $0.get("high", as: Int.self))"
                }
            }
            return (counts, transaction.statementCount - before)
        }
        #expect(counts == ["600 a0 599", "600 b0 599"])
        switch database.dialect {
        case .postgres: #expect(statements == 1 + 4 + 4 + 2)  // which tables are written in order; the rows; the reads
        case .sqlite: #expect(statements == 1_200 + 2)
        }
    }

    /// Upserts of the same keys add up as they would one after the other: a `DO UPDATE` row
    /// whose key is held has what is held written first.
    static func upsertsOfOneKeyApplyInTurn(_ database: any StorageDatabase) async throws {
        let totals = try await database.write { transaction in
            try transaction.execute("CREATE TABLE held_totals (id TEXT PRIMARY KEY NOT NULL, n BIGINT NOT NULL)")
            let add = "INSERT INTO held_totals (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = held_totals.n + excluded.n"
            for (id, n) in [("k1", 1), ("k2", 1), ("k1", 1), ("k1", 10), ("k2", 5), ("k3", 7)] as [(String, Int64)] {
                try transaction.send(add, [.text(id), .integer(n)])
            }
            return try transaction.fetchAll("SELECT id, n FROM held_totals ORDER BY id").map { "\(try $0.get("id", as: String.self))=\(try $0.get("n", as: Int.self))" }
        }
        #expect(totals == ["k1=12", "k2=6", "k3=7"])
    }

    /// A child row for an existing parent, then a new parent and its child: written in the
    /// order given, since the tables are tied by a foreign key (rows grouped by table would
    /// write the new child before its parent).
    static func tablesTiedByAForeignKeyAreWrittenInOrder(_ database: any StorageDatabase) async throws {
        try await database.write { transaction in
            try transaction.execute("CREATE TABLE held_parent (id TEXT PRIMARY KEY NOT NULL)")
            try transaction.execute("CREATE TABLE held_child (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT NOT NULL REFERENCES held_parent (id))")
            try transaction.execute("INSERT INTO held_parent (id) VALUES ($1)", ["p0"])
        }
        let children = try await database.write { transaction in
            try transaction.send("INSERT INTO held_child (id, parent_id) VALUES ($1, $2)", ["c0", "p0"])
            try transaction.send("INSERT INTO held_parent (id) VALUES ($1)", ["p1"])
            try transaction.send("INSERT INTO held_child (id, parent_id) VALUES ($1, $2)", ["c1", "p1"])
            return try transaction.fetchAll("SELECT id, parent_id FROM held_child ORDER BY id").map {
                "\(try $0.get("id", as: String.self))>\(try $0.get("parent_id", as: String.self))"
            }
        }
        #expect(children == ["c0>p0", "c1>p1"])
    }

    /// Rows sent in a savepoint that is rolled back are not kept; those before and after it
    /// are. PostgreSQL drops the savepoint's held rows unwritten.
    static func rowsOfARolledBackSavepointAreNotWritten(_ database: any StorageDatabase) async throws {
        let (rows, statements) = try await database.write { transaction in
            try transaction.execute("CREATE TABLE held_kept (id BIGINT PRIMARY KEY NOT NULL)")
            let before = transaction.statementCount
            let insert = "INSERT INTO held_kept (id) VALUES ($1)"
            try transaction.send(insert, [1])
            _ = try? transaction.savepoint {
                try transaction.send(insert, [2])
                try transaction.send(insert, [3])
                throw CancellationError()
            }
            try transaction.send(insert, [4])
            let rows = try transaction.fetchAll("SELECT id FROM held_kept ORDER BY id").map { try $0.get("id", as: Int.self) }
            return (rows, transaction.statementCount - before)
        }
        #expect(rows == [1, 4])
        switch database.dialect {
        case .postgres: #expect(statements == 4)  // the catalog, row 1 (at the savepoint), row 4, the read
        case .sqlite: #expect(statements == 5)
        }
    }

    /// A foreign key added in the transaction after rows were held: the change writes what is
    /// held, and the two tables' rows go in the order given from then on (the catalog is read
    /// again), so a child written after its new parent finds it. PostgreSQL only: SQLite adds
    /// no foreign key to a table that exists.
    static func aForeignKeyAddedInTheTransactionIsSeen(_ database: any StorageDatabase) async throws {
        try await database.write { transaction in
            try transaction.execute("CREATE TABLE held_owner (id BIGINT PRIMARY KEY NOT NULL)")
            try transaction.execute("CREATE TABLE held_owned (id TEXT PRIMARY KEY NOT NULL, owner_id BIGINT NOT NULL)")
            try transaction.execute("INSERT INTO held_owner (id) VALUES (1)")
        }
        let owned = try await database.write { transaction in
            let owner = "INSERT INTO held_owner (id) VALUES ($1)", ownedRow = "INSERT INTO held_owned (id, owner_id) VALUES ($1, $2)"
            try transaction.send(owner, [5])
            try transaction.execute("ALTER TABLE held_owned ADD CONSTRAINT held_owned_owner FOREIGN KEY (owner_id) REFERENCES held_owner (id)")
            try transaction.send(ownedRow, ["y", 1])
            try transaction.send(owner, [2])
            try transaction.send(ownedRow, ["x", 2])
            return try transaction.fetchAll("SELECT id, owner_id FROM held_owned ORDER BY id").map {
                "\(try $0.get("id", as: String.self))>\(try $0.get("owner_id", as: Int.self))"
            }
        }
        #expect(owned == ["x>2", "y>1"])
    }

    /// A session setting sent without waiting (a search path naming another schema) writes
    /// what is held first: the rows go to the table the insert named when it was given.
    static func aSentSettingWritesWhatIsHeldFirst(_ database: any StorageDatabase) async throws {
        try await database.write { transaction in
            for schema in ["held_first", "held_second"] {
                try transaction.execute("CREATE SCHEMA \(schema)")
                try transaction.execute("CREATE TABLE \(schema).held_row (id TEXT PRIMARY KEY NOT NULL)")
            }
        }
        try await database.write { transaction in
            try transaction.send("SET LOCAL search_path TO held_first", [])
            try transaction.send("INSERT INTO held_row (id) VALUES ($1)", ["a"])
            try transaction.send("SET LOCAL search_path TO held_second", [])
            try transaction.send("INSERT INTO held_row (id) VALUES ($1)", ["b"])
        }
        let rows = try await database.read { transaction in
            try ["held_first", "held_second"].map { schema in
                try transaction.fetchAll("SELECT id FROM \(schema).held_row ORDER BY id").map { try $0.get("id", as: String.self) }
            }
        }
        #expect(rows == [["a"], ["b"]])
    }
}
