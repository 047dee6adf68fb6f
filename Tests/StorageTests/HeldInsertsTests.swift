import Testing

@testable import Storage

/// Which sent inserts a PostgreSQL transaction may hold and write several rows a statement
/// (``HeldInserts``), and in what order what it holds is written.
@Suite struct HeldInsertsTests {
    @Test func formsOfSingleRowInsertsWithoutParametersInTheirTail() throws {
        let plain = try #require(HeldInserts.Form("INSERT INTO t (a, b) VALUES ($1, $2)"))
        #expect(plain.table == "t" && plain.width == 2 && plain.updateKey == nil && plain.tail == "")
        #expect(plain.sql(rows: 2) == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)")
        let ignoring = try #require(HeldInserts.Form("""
            INSERT INTO flags (kind, record_id, detail)
            VALUES ($1, $2, $3) ON CONFLICT (kind, record_id) DO NOTHING
            """))
        #expect(ignoring.updateKey == nil)
        #expect(ignoring.sql(rows: 2) == "INSERT INTO flags (kind, record_id, detail) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT (kind, record_id) DO NOTHING")
        let upserting = try #require(HeldInserts.Form(
            "INSERT INTO Offsets (topic, part, next) VALUES ($1, $2, $3) ON CONFLICT (part, topic) DO UPDATE SET next = excluded.next WHERE offsets.next < excluded.next"))
        #expect(upserting.table == "offsets")
        #expect(upserting.updateKey == [1, 0])
        #expect(HeldInserts.Form("INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING")?.updateKey == nil)
        // An update computed from the conflicting row and `excluded` alone, as the stores write them.
        let computed = HeldInserts.Form("""
            INSERT INTO feeds (id, first_ms, kind) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET kind = COALESCE(excluded.kind, feeds.kind),
                first_ms = CASE WHEN feeds.first_ms IS NULL OR excluded.first_ms < feeds.first_ms THEN excluded.first_ms ELSE feeds.first_ms END
            WHERE feeds.first_ms < excluded.first_ms OR (feeds.first_ms = excluded.first_ms AND feeds.kind < excluded.kind)
            """)
        #expect(computed?.updateKey == [0])
    }

    @Test(arguments: [
        "UPDATE t SET a = $1",
        "DELETE FROM t WHERE a = $1",
        "INSERT INTO t (a, b) VALUES ($2, $1)",  // parameters out of order
        "INSERT INTO t (a, b) VALUES ($1, 'x')",  // a literal in the row
        "INSERT INTO t (a) VALUES ($1), ($2)",  // already several rows
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = $2",  // a parameter in the tail
        "INSERT INTO t (a) VALUES ($1) RETURNING a",
        "INSERT INTO t (a) VALUES (lower($1))",
        "INSERT INTO t (a) SELECT $1",
        "INSERT INTO t (a) VALUES ($1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (c) DO UPDATE SET b = excluded.b",  // a key not among the columns
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = (SELECT max(b) FROM t)",  // a subquery
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = clock_timestamp()",  // a volatile function
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = 'x'",  // a literal
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = excluded.b -- newest\n WHERE t.b < excluded.b",
        "INSERT INTO \"T\" (a) VALUES ($1)",  // a quoted name
    ])
    func otherStatementsAreNotHeld(sql: String) {
        #expect(HeldInserts.Form(sql) == nil)
    }

    /// Rows of one statement are written together, statements in the order first given;
    /// another statement on a held table, or a `DO UPDATE` row whose key is held, asks for what
    /// is held to be written first.
    @Test func rowsGoTogetherInTheOrderTheirStatementsCame() throws {
        let flags = "INSERT INTO flags (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
        let officers = "INSERT INTO officers (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        let otherFlags = "INSERT INTO flags (id, kind) VALUES ($1, $2)"
        let form = { (sql: String) in try #require(HeldInserts.Form(sql)) }
        var held = HeldInserts()
        do { let accepted = held.hold(["f1", "arrest"], of: flags, form: try form(flags)); #expect(accepted) }
        do { let accepted = held.hold(["o1", "Lee"], of: officers, form: try form(officers)); #expect(accepted) }
        do { let accepted = held.hold(["f2", "contact"], of: flags, form: try form(flags)); #expect(accepted) }
        do { let accepted = held.hold(["o2", "Ng"], of: officers, form: try form(officers)); #expect(accepted) }
        do { let accepted = held.hold(["o1", "Lee Ann"], of: officers, form: try form(officers)); #expect(!accepted) }
        do { let accepted = held.hold(["f3", "booking"], of: otherFlags, form: try form(otherFlags)); #expect(!accepted) }
        let written = held.take()
        #expect(held.isEmpty)
        #expect(written.map(\.sql) == [
            "INSERT INTO flags (id, kind) VALUES ($1, $2), ($3, $4) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO officers (id, name) VALUES ($1, $2), ($3, $4) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        ])
        #expect(written.map(\.arguments) == [["f1", "arrest", "f2", "contact"], ["o1", "Lee", "o2", "Ng"]])
        // Once written, the refused rows are held.
        do { let accepted = held.hold(["o1", "Lee Ann"], of: officers, form: try form(officers)); #expect(accepted) }
        #expect(held.take().map(\.sql) == [officers])
    }

    /// A statement has the held rows of the tables it names written first, and no others
    /// (a name is a whole word: `flags_archive` is not `flags`); one naming a table written in
    /// order (a trigger's, a view) has everything written first.
    @Test func aStatementHasTheRowsOfTheTablesItNamesWrittenFirst() throws {
        let flags = "INSERT INTO flags (id, kind) VALUES ($1, $2)"
        let officers = "INSERT INTO officers (id, name) VALUES ($1, $2)"
        var held = HeldInserts()
        for (sql, row) in [(flags, ["f1", "arrest"]), (officers, ["o1", "Lee"]), (flags, ["f2", "contact"])] as [(String, [SQLValue])] {
            let accepted = held.hold(row, of: sql, form: try #require(HeldInserts.Form(sql)))
            #expect(accepted)
        }
        #expect(held.take(for: "SELECT * FROM flags_archive JOIN caseload ON true", inOrder: ["audit"]).isEmpty)
        #expect(held.take(for: "SELECT name FROM Officers WHERE id = $1", inOrder: ["audit"]).map(\.arguments) == [["o1", "Lee"]])
        #expect(held.take(for: "SELECT name FROM officers", inOrder: ["audit"]).isEmpty)
        let otherRow = held.hold(["o2", "Ng"], of: officers, form: try #require(HeldInserts.Form(officers)))
        #expect(otherRow)
        #expect(held.take(for: "DELETE FROM audit WHERE id = $1", inOrder: ["audit"]).map(\.arguments) == [["f1", "arrest", "f2", "contact"], ["o2", "Ng"]])
        #expect(held.isEmpty)
    }

    /// 1,100 rows: chunks of 512, 512, 64, 8, 4 in order, no row lost or repeated; wide rows in
    /// smaller chunks.
    @Test func manyRowsGoInChunksOfPowersOfTwo() throws {
        let sql = "INSERT INTO t (a) VALUES ($1)"
        let form = try #require(HeldInserts.Form(sql))
        var held = HeldInserts()
        var refused = 0
        for index in 0..<1_100 where !held.hold([.integer(Int64(index))], of: sql, form: form) { refused += 1 }
        #expect(refused == 0)
        let written = held.take()
        #expect(written.map { $0.arguments.count } == [512, 512, 64, 8, 4])
        #expect(written.flatMap(\.arguments) == (0..<1_100).map { .integer(Int64($0)) })
        #expect(written.allSatisfy { $0.sql == form.sql(rows: $0.arguments.count) })
        // Rows of 200 values: at most 256 a statement (65,535 values bound at most).
        let columns = (1...200).map { "c\($0)" }
        let wide = "INSERT INTO wide (\(columns.joined(separator: ", "))) VALUES (\((1...200).map { "$\($0)" }.joined(separator: ", ")))"
        let wideForm = try #require(HeldInserts.Form(wide))
        for index in 0..<300 where !held.hold(Array(repeating: .integer(Int64(index)), count: 200), of: wide, form: wideForm) { refused += 1 }
        #expect(refused == 0)
        #expect(held.take().map { $0.arguments.count / 200 } == [256, 32, 8, 4])
    }
}
