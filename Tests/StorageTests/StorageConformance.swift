import Storage
import Testing

/// The behaviour every storage backend must share, run against SQLite and PostgreSQL alike
/// (SQLiteStorageTests, PostgresStorageTests): stores are written once and tested on both.
enum StorageConformance {
    struct Failure: Error, Equatable {}

    static let personTable = """
        CREATE TABLE person (
            id TEXT PRIMARY KEY,
            age BIGINT,
            photo BYTEA,
            note TEXT,
            score DOUBLE PRECISION,
            email TEXT UNIQUE
        );
        CREATE UNIQUE INDEX person_by_note ON person (note);
        """

    static func createPeople(_ database: any StorageDatabase) async throws {
        try await database.write { try $0.executeScript(personTable) }
    }

    static func ids(_ database: any StorageDatabase) async throws -> [String] {
        try await database.write { transaction in
            try transaction.fetchAll("SELECT id FROM person ORDER BY id").map { try $0.get("id", as: String.self) }
        }
    }

    /// Text, 64-bit integers, bytes (zero bytes, not UTF-8), doubles and NULL come back as stored.
    static func typedValuesRoundTrip(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        let photo: [UInt8] = [0, 255, 0, 1, 0xC3, 0x28]
        try await database.write { transaction in
            try transaction.execute(
                "INSERT INTO person (id, age, photo, note, score) VALUES ($1, $2, $3, $4, $5)",
                ["p-1", .integer(.max), .bytes(photo), "Zoë Ångström — 東京", 2.5])
            try transaction.execute("INSERT INTO person (id, age) VALUES ($1, $2)", ["p-2", .integer(.min)])
        }
        let rows = try await database.write { try $0.fetchAll("SELECT id, age, photo, note, score FROM person ORDER BY id") }
        #expect(rows.count == 2)
        #expect(try rows[0].get("age", as: Int64.self) == .max)
        #expect(try rows[0].get("photo", as: [UInt8].self) == photo)
        #expect(try rows[0].get("note", as: String.self) == "Zoë Ångström — 東京")
        #expect(try rows[0].get("score", as: Double.self) == 2.5)
        #expect(try rows[1].get("age", as: Int64.self) == .min)
        #expect(try rows[1].get("photo", as: [UInt8]?.self) == nil)
        #expect(try rows[1].get("note", as: String?.self) == nil)
        #expect(rows[1]["score"] == .null)
        // Asking for the wrong type names the column, and NULL is not a value.
        let mismatch = #expect(throws: StorageError.self) { try rows[0].get("note", as: Int64.self) }
        #expect(mismatch?.kind == .typeMismatch(column: "note", expected: "Int64", found: "text"))
        let null = #expect(throws: StorageError.self) { try rows[1].get("note", as: String.self) }
        #expect(null?.kind == .typeMismatch(column: "note", expected: "String", found: "NULL"))
        let missing = #expect(throws: StorageError.self) { try rows[1].get("nickname", as: String.self) }
        #expect(missing?.kind == .noSuchColumn("nickname"))
        let count = try await database.write { try $0.fetchOne("SELECT count(*) AS n FROM person")?.get("n", as: Int.self) }
        #expect(count == 2)
    }

    /// `ON CONFLICT DO NOTHING` reports 0 changed rows and keeps the first row; `DO UPDATE` with
    /// `excluded` replaces it.
    static func conflictIgnoreAndUpsert(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        let changes = try await database.write { transaction in
            let insert = "INSERT INTO person (id, age) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
            return [try transaction.execute(insert, ["p-1", 30]), try transaction.execute(insert, ["p-1", 31])]
        }
        #expect(changes == [1, 0])
        let upserted = try await database.write { transaction in
            try transaction.execute(
                "INSERT INTO person (id, age) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET age = excluded.age", ["p-1", 32])
        }
        #expect(upserted == 1)
        let age = try await database.write { try $0.fetchOne("SELECT age FROM person WHERE id = $1", ["p-1"])?.get("age", as: Int64.self) }
        #expect(age == 32)
    }

    /// `$2` before `$1`, and `$1` twice, bind as numbered (SQLite numbers by appearance otherwise).
    static func placeholdersBindByNumber(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        let row = try await database.write { transaction in
            try transaction.execute("INSERT INTO person (id, note) VALUES ($1, $2)", ["p-1", "before"])
            try transaction.execute("UPDATE person SET note = $2 WHERE id = $1", ["p-1", "after"])
            return try transaction.fetchOne("SELECT note, id FROM person WHERE id = $1 AND (note = $2 OR id = $1)", ["p-1", "after"])
        }
        #expect(try row?.get("note", as: String.self) == "after")
        #expect(row?.columns == ["note", "id"])
    }

    /// A transaction whose body throws leaves nothing behind and rethrows the body's error.
    static func rollbackLeavesNothing(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        await #expect(throws: Failure()) {
            try await database.write { transaction in
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"])
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-2"])
                throw Failure()
            }
        }
        #expect(try await ids(database) == [])
    }

    /// `writeBlocking` (a service's own thread) is the same transaction as `write`: committed
    /// when its body returns, nothing left when it throws, a failed statement fails it all.
    static func blockingWriteIsOneTransaction(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        try database.writeBlocking { try $0.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"]) }
        #expect(throws: Failure()) {
            try database.writeBlocking { transaction in
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-2"])
                throw Failure()
            }
        }
        let failed = #expect(throws: StorageError.self) {
            try database.writeBlocking { transaction in
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-3"])
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"])
            }
        }
        #expect(failed?.kind == .uniqueViolation(constraint: "person_pkey"))
        #expect(try await ids(database) == ["p-1"])
    }

    /// A duplicate key is `.uniqueViolation` naming the constraint as PostgreSQL names it, for a
    /// primary key, a UNIQUE column and a unique index; the description holds no value.
    static func uniqueViolationNamesConstraint(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        try await database.write { transaction in
            try transaction.execute("INSERT INTO person (id, email, note) VALUES ($1, $2, $3)", ["p-1", "a@example.org", "n-1"])
        }
        let cases: [(sql: String, arguments: [SQLValue], constraint: String)] = [
            ("INSERT INTO person (id) VALUES ($1)", ["p-1"], "person_pkey"),
            ("INSERT INTO person (id, email) VALUES ($1, $2)", ["p-2", "a@example.org"], "person_email_key"),
            ("INSERT INTO person (id, note) VALUES ($1, $2)", ["p-3", "n-1"], "person_by_note"),
        ]
        for (sql, arguments, constraint) in cases {
            let error = await #expect(throws: StorageError.self) {
                try await database.write { try $0.execute(sql, arguments) }
            }
            #expect(error?.kind == .uniqueViolation(constraint: constraint))
            #expect(error?.database == database.location)
            #expect(error.map { !"\($0)".contains("a@example.org") && !"\($0)".contains("p-") } == true)
        }
        #expect(try await ids(database) == ["p-1"])
    }

    /// A failing statement fails the whole transaction: earlier writes are rolled back, later
    /// statements are refused, and swallowing the error does not commit anything.
    static func transactionIsAllOrNothing(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        try await database.write { try $0.execute("INSERT INTO person (id) VALUES ($1)", ["p-0"]) }
        let uncaught = await #expect(throws: StorageError.self) {
            try await database.write { transaction in
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"])
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-0"])
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-2"])
            }
        }
        #expect(uncaught?.kind == .uniqueViolation(constraint: "person_pkey"))
        let swallowed = await #expect(throws: StorageError.self) {
            try await database.write { transaction in
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-3"])
                do {
                    try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-0"])
                } catch {
                    let refused = #expect(throws: StorageError.self) {
                        try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-4"])
                    }
                    #expect(refused?.kind == .transactionAborted)
                }
            }
        }
        #expect(swallowed?.kind == .transactionAborted)
        #expect(try await ids(database) == ["p-0"])
    }

    /// A savepoint that throws (a failed statement or the caller's error) rolls back only its own
    /// statements; the transaction goes on and commits the rest (one event's changes in a batch).
    static func savepointRollsBackItsPartOnly(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        try await database.write { transaction in
            try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"])
            #expect(throws: Failure()) {
                try transaction.savepoint {
                    try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-2"])
                    throw Failure()
                }
            }
            let duplicate = #expect(throws: StorageError.self) {
                try transaction.savepoint {
                    try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-3"])
                    try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"])
                }
            }
            #expect(duplicate?.kind == .uniqueViolation(constraint: "person_pkey"))
            let kept = try transaction.savepoint {
                try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-4"])
            }
            #expect(kept == 1)
            try transaction.execute("INSERT INTO person (id) VALUES ($1)", ["p-5"])
        }
        #expect(try await ids(database) == ["p-1", "p-4", "p-5"])
    }

    /// Statements sent without waiting for their answers (`send`) run in the order given: a
    /// later query sees them, and they commit with the transaction.
    static func sentStatementsRunInOrder(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        let seen = try await database.write { transaction in
            for index in 1...50 { try transaction.send("INSERT INTO person (id, age) VALUES ($1, $2)", [.text("p-\(index)"), .integer(Int64(index))]) }
            try transaction.send("UPDATE person SET age = age + 100 WHERE id = $1", ["p-7"])
            try transaction.send("DELETE FROM person WHERE id = $1", ["p-8"])
            return try transaction.fetchAll("SELECT id, age FROM person WHERE id IN ('p-7', 'p-8', 'p-50') ORDER BY id")
                .map { "\(try $0.get("id", as: String.self))=\(try $0.get("age", as: Int.self))" }
        }
        #expect(seen == ["p-50=50", "p-7=107"])
        #expect(try await ids(database).count == 49)
    }

    /// A sent statement that fails is reported as itself (which constraint, not "aborted") by
    /// whatever checks its answer — the next query, a savepoint's end, the commit — and nothing
    /// of its transaction (or savepoint) is kept.
    static func aFailedSentStatementIsReportedAsItself(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        try await database.write { try $0.execute("INSERT INTO person (id, email) VALUES ($1, $2)", ["p-0", "a@example.org"]) }
        // Checked by the next query.
        let byQuery = await #expect(throws: StorageError.self) {
            try await database.write { transaction in
                try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-1"])
                try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-0"])
                try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-2"])
                _ = try transaction.fetchAll("SELECT id FROM person")
            }
        }
        #expect(byQuery?.kind == .uniqueViolation(constraint: "person_pkey"))
        // Checked by the commit: the last statement of the transaction.
        let byCommit = await #expect(throws: StorageError.self) {
            try await database.write { transaction in
                try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-3"])
                try transaction.send("INSERT INTO person (id, email) VALUES ($1, $2)", ["p-4", "a@example.org"])
            }
        }
        #expect(byCommit?.kind == .uniqueViolation(constraint: "person_email_key"))
        #expect(try await ids(database) == ["p-0"])
        // Checked at the savepoint's end: only its part is rolled back, the rest commits.
        try await database.write { transaction in
            try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-5"])
            let inSavepoint = #expect(throws: StorageError.self) {
                try transaction.savepoint {
                    try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-6"])
                    try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-0"])
                }
            }
            #expect(inSavepoint?.kind == .uniqueViolation(constraint: "person_pkey"))
            try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-7"])
        }
        #expect(try await ids(database) == ["p-0", "p-5", "p-7"])
    }

    /// A read remembered in the transaction's scratch is read once, and again only after its
    /// family was forgotten or a savepoint was rolled back (which may have undone what it saw).
    static func rememberedReadsLastUntilForgottenOrRolledBack(_ database: any StorageDatabase) async throws {
        try await createPeople(database)
        let (seen, reads) = try await database.write { transaction in
            var reads = 0
            var seen: [Int] = []
            func count() throws -> Int {
                try transaction.scratch.remembered("people", key: "count") {
                    reads += 1
                    return try transaction.fetchOne("SELECT count(*) AS n FROM person")?.get("n", as: Int.self) ?? -1
                }
            }
            seen.append(try count())
            try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-1"])
            seen.append(try count())  // still remembered: forgetting is the writer's to do
            transaction.scratch.forget("people")
            seen.append(try count())
            _ = try? transaction.savepoint {
                try transaction.send("INSERT INTO person (id) VALUES ($1)", ["p-2"])
                transaction.scratch.forget("people")
                seen.append(try count())
                throw Failure()
            }
            seen.append(try count())
            // A remembered "nothing" (an optional value) is remembered too, and a key never
            // read is read, not taken for nothing.
            var absentReads = 0
            for _ in 0..<2 {
                let absent: Int? = transaction.scratch.remembered("people", key: "absent") { absentReads += 1; return nil }
                #expect(absent == nil)
            }
            let present: Int? = transaction.scratch.remembered("people", key: "present") { 7 }
            #expect(present == 7)
            #expect(absentReads == 1)
            return (seen, reads)
        }
        #expect(seen == [0, 0, 1, 2, 1])
        #expect(reads == 4)
    }

    /// A transaction's statement time grows by what its statements take and by nothing else: time
    /// spent in the caller's code between statements is not counted (what tells a service's
    /// batch stages apart, `BatchStages` in ServiceKit).
    static func statementTimeCountsStatementsOnly(_ database: any StorageDatabase) async throws {
        // A statement that works for a while on either database: counting to 300,000.
        let counting = """
            WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 300000) SELECT count(*) AS n FROM c
            """
        let (outside, inside, statementWall) = try await database.write { transaction in
            let atStart = transaction.statementTime
            // The caller's own code: 30 ms on the clock, no statement.
            let spinning = ContinuousClock.now
            while ContinuousClock.now - spinning < .milliseconds(30) {}
            let outside = transaction.statementTime - atStart
            let before = ContinuousClock.now
            let counted = try transaction.fetchOne(counting)?.get("n", as: Int.self)
            let statementWall = ContinuousClock.now - before
            #expect(counted == 300_000)
            return (outside, transaction.statementTime - atStart - outside, statementWall)
        }
        #expect(outside == .zero)
        #expect(inside > .zero)
        #expect(inside <= statementWall)
        #expect(inside >= statementWall / 2)
    }
    /// A transaction counts each statement it is given once, whether its answer is awaited,
    /// sent without waiting (PostgreSQL checks that answer with the next statement, which is
    /// not counted twice) or run in a savepoint; BEGIN, COMMIT and the savepoints are not
    /// counted. What `bench pipeline` and `bench replay` print as statements a message.
    static func statementCountCountsEachStatementOnce(_ database: any StorageDatabase) async throws {
        let counts = try await database.write { transaction in
            let atStart = transaction.statementCount
            var counts: [Int] = []
            let note = { counts.append(transaction.statementCount - atStart) }
            try transaction.execute("CREATE TABLE counted (n INTEGER PRIMARY KEY NOT NULL)")
            note()
            try transaction.send("INSERT INTO counted (n) VALUES (1)")
            try transaction.send("INSERT INTO counted (n) VALUES (2)")
            note()
            _ = try transaction.fetchAll("SELECT n FROM counted ORDER BY n")
            note()
            try transaction.savepoint { try transaction.execute("INSERT INTO counted (n) VALUES (3)") }
            note()
            _ = try? transaction.savepoint { try transaction.execute("INSERT INTO counted (n) VALUES (3)") }
            note()
            _ = try transaction.fetchOne("SELECT count(*) AS n FROM counted")
            note()
            return counts
        }
        #expect(counts == [1, 3, 4, 5, 6, 7])
    }
}
