import Storage

extension ServiceDatabase {
    /// What a replaced state still owed the bus, carried into the state replacing it.
    public struct CarriedOutbox: Sendable, Equatable {
        /// Messages committed and never acknowledged (a crash, or a delivery that failed and
        /// stopped the service): a service started on the new state sends them.
        public var waiting: Int
        /// Messages the broker refused for good, kept for the operator (`kit_outbox_failed`).
        public var failed: Int
    }

    /// Copies the outbox of the state in schema `old` into the rebuilt state in schema `new`,
    /// in `transaction` (the swap's, before its commit point), each row with its sequence
    /// number, and sets the new outbox's sequence past every carried number.
    ///
    /// A rebuild deletes what its own outbox queued (``EventConsumerService/finishReplay(at:)``):
    /// what it applied was notified already, by the state it replaces. But that state may hold
    /// messages it committed and never delivered; swapping it away without them would lose
    /// them for good, its offsets being past their events. The sequence matters: an
    /// acknowledgement removes every row up to its number, so a message queued after the swap
    /// must never be numbered below a carried one; and a carried refused message keeps a number
    /// no later refusal can take.
    ///
    /// - Parameters:
    ///   - old: the replaced state's schema (SQLite: `main`; PostgreSQL: the service's schema).
    ///   - new: the rebuilt state's (SQLite: the attached rebuilt file; PostgreSQL: `<schema>_replay`).
    /// A replaced state last opened by an older version (replayed right after an upgrade, before
    /// the service started) may lack columns later versions added: what it has is carried, the
    /// rest left empty, as that version's rows would read after the migration.
    ///
    /// - Throws: `StorageError`, before the swap's commit point.
    public static func carryOutbox(from old: String, into new: String, _ transaction: any StorageTransaction) throws -> CarriedOutbox {
        let wanted = ["seq", "topic", "key", "value", "headers", "header_bytes", "subject_digest", "mention_digests"]
        func count(_ table: String) throws -> Int {
            guard try !transaction.columns(of: table, inSchema: old).isEmpty else { return 0 }  // before servicekit-v2
            return try transaction.fetchOne("SELECT count(*) AS n FROM \(old).\(table)")?.get("n", as: Int.self) ?? 0
        }
        func copy(_ table: String, _ wanted: [String], overriding: String = "") throws {
            let present = try transaction.columns(of: table, inSchema: old)
            let columns = wanted.filter(present.contains).joined(separator: ", ")
            try transaction.execute("INSERT INTO \(new).\(table) (\(columns))\(overriding) SELECT \(columns) FROM \(old).\(table) ORDER BY seq")
        }
        let carried = CarriedOutbox(waiting: try count("kit_outbox"), failed: try count("kit_outbox_failed"))
        guard carried != CarriedOutbox(waiting: 0, failed: 0) else { return carried }
        try copy("kit_outbox", wanted, overriding: transaction.dialect == .postgres ? " OVERRIDING SYSTEM VALUE" : "")
        try copy("kit_outbox_failed", wanted + ["reason", "failed_at"])
        let highest = """
            (SELECT coalesce(max(seq), 0) FROM \(new).kit_outbox), (SELECT coalesce(max(seq), 0) FROM \(new).kit_outbox_failed)
            """
        switch transaction.dialect {
        case .sqlite:
            try transaction.execute("""
                INSERT INTO \(new).sqlite_sequence (name, seq) SELECT 'kit_outbox', 0
                WHERE NOT EXISTS (SELECT 1 FROM \(new).sqlite_sequence WHERE name = 'kit_outbox')
                """)
            try transaction.execute("UPDATE \(new).sqlite_sequence SET seq = max(seq, \(highest)) WHERE name = 'kit_outbox'")
        case .postgres:
            let sequence = "pg_get_serial_sequence('\(new).kit_outbox', 'seq')"
            _ = try transaction.fetchOne("SELECT setval(\(sequence), GREATEST(nextval(\(sequence)), \(highest))) AS n")
        }
        return carried
    }
}
