import Foundation
import Storage

/// The ledger's tables and the only SQL on them. Entries are appended, never updated or
/// deleted: triggers refuse both (so a bug or a careless operator cannot rewrite history
/// through the database's own interface; `verify` finds what is done around them).
///
/// - `audit_entries`: one row per entry, its encoded bytes and their hash, by sequence.
/// - `audit_persons`: which persons each entry is about, for `search`.
/// - `audit_outbox`: entries not yet acknowledged by the broker on `bus.audit`.
enum AuditStore {
    static let migrations: [StorageMigration] = [
        StorageMigration("audit-v1") { transaction in
            try transaction.executeScript("""
                CREATE TABLE audit_entries (
                    sequence BIGINT PRIMARY KEY NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    at_ms BIGINT NOT NULL,
                    body BYTEA NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TABLE audit_persons (
                    sequence BIGINT NOT NULL,
                    identifier TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (sequence, identifier, value)
                );
                CREATE INDEX audit_persons_by_value ON audit_persons (value);
                CREATE TABLE audit_outbox (
                    sequence BIGINT PRIMARY KEY NOT NULL
                );
                """)
            // One statement each: trigger and function bodies hold `;`s of their own.
            switch transaction.dialect {
            case .sqlite:
                for operation in ["UPDATE", "DELETE"] {
                    try transaction.execute("""
                        CREATE TRIGGER audit_entries_no_\(operation.lowercased()) BEFORE \(operation) ON audit_entries
                        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
                        """)
                }
            case .postgres:
                try transaction.execute("""
                    CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$
                    """)
                try transaction.execute("""
                    CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                    """)
            }
        },
    ]

    /// The last entry's sequence and hash; nil for an empty ledger. On PostgreSQL the table is
    /// locked first, so that two appenders (two gateway instances) take turns instead of
    /// chaining two entries to the same predecessor.
    static func head(_ transaction: any StorageTransaction) throws -> (sequence: Int64, hash: String)? {
        if transaction.dialect == .postgres {
            try transaction.execute("LOCK TABLE audit_entries IN SHARE ROW EXCLUSIVE MODE")
        }
        guard let row = try transaction.fetchOne("SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1") else { return nil }
        return (try row.get("sequence", as: Int64.self), try row.get("hash", as: String.self))
    }

    static func insert(_ entry: AuditEntry, body: [UInt8], hash: String, _ transaction: any StorageTransaction) throws {
        try transaction.execute(
            "INSERT INTO audit_entries (sequence, id, at_ms, body, hash) VALUES ($1, $2, $3, $4, $5)",
            [.integer(entry.sequence), .text(entry.id), .integer(Int64((entry.at.timeIntervalSince1970 * 1000).rounded(.down))),
             .bytes(body), .text(hash)])
        for person in Set(entry.persons) {
            try transaction.execute(
                "INSERT INTO audit_persons (sequence, identifier, value) VALUES ($1, $2, $3)",
                [.integer(entry.sequence), .text(person.identifier), .text(person.value)])
        }
        try transaction.execute("INSERT INTO audit_outbox (sequence) VALUES ($1)", [.integer(entry.sequence)])
    }

    /// One stored row, as `verify` reads it (the bytes undecoded: decoding is part of checking).
    struct StoredRow: Sendable {
        var sequence: Int64
        var body: [UInt8]
        var hash: String
    }

    /// At most `limit` rows after `sequence`, in order.
    static func rows(after sequence: Int64, limit: Int, _ transaction: any StorageTransaction) throws -> [StoredRow] {
        try transaction.fetchAll(
            "SELECT sequence, body, hash FROM audit_entries WHERE sequence > $1 ORDER BY sequence LIMIT $2",
            [.integer(sequence), .integer(Int64(limit))]
        ).map { row in
            StoredRow(sequence: try row.get("sequence", as: Int64.self), body: try row.get("body", as: [UInt8].self), hash: try row.get("hash", as: String.self))
        }
    }

    /// The bytes of the entries about a person with identifier value `person`, in order.
    static func bodies(about person: String, _ transaction: any StorageTransaction) throws -> [[UInt8]] {
        try transaction.fetchAll(
            "SELECT body FROM audit_entries WHERE sequence IN (SELECT sequence FROM audit_persons WHERE value = $1) ORDER BY sequence",
            [.text(person)]
        ).map { try $0.get("body", as: [UInt8].self) }
    }

    /// At most `limit` entries still to publish, in order.
    static func pending(limit: Int, _ transaction: any StorageTransaction) throws -> [StoredRow] {
        try transaction.fetchAll(
            """
            SELECT e.sequence AS sequence, e.body AS body, e.hash AS hash FROM audit_outbox o
            JOIN audit_entries e ON e.sequence = o.sequence ORDER BY o.sequence LIMIT $1
            """,
            [.integer(Int64(limit))]
        ).map { row in
            StoredRow(sequence: try row.get("sequence", as: Int64.self), body: try row.get("body", as: [UInt8].self), hash: try row.get("hash", as: String.self))
        }
    }

    static func removeFromOutbox(through sequence: Int64, _ transaction: any StorageTransaction) throws {
        try transaction.execute("DELETE FROM audit_outbox WHERE sequence <= $1", [.integer(sequence)])
    }

    static func pendingCount(_ transaction: any StorageTransaction) throws -> Int {
        // Counted as `pending` reads them: an entry removed from under the ledger is not sent.
        try transaction.fetchOne("SELECT count(*) AS n FROM audit_outbox o JOIN audit_entries e ON e.sequence = o.sequence")?.get("n", as: Int.self) ?? 0
    }
}
