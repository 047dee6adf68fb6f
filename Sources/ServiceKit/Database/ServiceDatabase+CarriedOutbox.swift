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

    /// Which database a carry runs on: the statements differ in how the outbox's sequence is
    /// written (SQLite's `sqlite_sequence`, PostgreSQL's identity sequence).
    public enum OutboxDialect: Sendable {
        case sqlite, postgres
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
    /// - Throws: `StorageError`; a replaced state migrated by an older version lacks columns
    ///   and fails here, before the swap's commit point.
    public static func carryOutbox(
        from old: String, into new: String, dialect: OutboxDialect, _ transaction: any StorageTransaction
    ) throws -> CarriedOutbox {
        let columns = "seq, topic, key, value, headers, header_bytes, subject_digest, mention_digests"
        let failedColumns = columns + ", reason, failed_at"
        func count(_ table: String) throws -> Int {
            try transaction.fetchOne("SELECT count(*) AS n FROM \(old).\(table)")?.get("n", as: Int.self) ?? 0
        }
        let carried = CarriedOutbox(waiting: try count("kit_outbox"), failed: try count("kit_outbox_failed"))
        guard carried != CarriedOutbox(waiting: 0, failed: 0) else { return carried }
        let overriding = dialect == .postgres ? " OVERRIDING SYSTEM VALUE" : ""
        try transaction.execute("INSERT INTO \(new).kit_outbox (\(columns))\(overriding) SELECT \(columns) FROM \(old).kit_outbox ORDER BY seq")
        try transaction.execute("INSERT INTO \(new).kit_outbox_failed (\(failedColumns)) SELECT \(failedColumns) FROM \(old).kit_outbox_failed")
        let highest = """
            (SELECT coalesce(max(seq), 0) FROM \(new).kit_outbox), (SELECT coalesce(max(seq), 0) FROM \(new).kit_outbox_failed)
            """
        switch dialect {
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
