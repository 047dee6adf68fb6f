import Contracts
import Foundation
import GRDB
import ServiceKit

/// The inbox's database (`<data-dir>/inbox.sqlite`): its migrations, the one transaction
/// (store a notification once per id) and the queries by recipient. The only SQL of the inbox.
///
/// The inbox is the read model itself: its rows are what recipients read, so they are not
/// pruned by a retention window.
public enum InboxStore {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("inbox-v1") { db in
            try db.execute(sql: """
                CREATE TABLE inbox (
                    id TEXT PRIMARY KEY NOT NULL,
                    recipient TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    body BLOB NOT NULL,
                    produced_at_ms INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX inbox_by_recipient ON inbox (recipient, occurred_at);
                """)
        }
        // v2: a rowid table with the id in a unique index (rows of ~1 KiB inserted at random
        // keys split pages; see NotificationOutbox's notifications-v2).
        migrator.registerMigration("inbox-v2") { db in
            try db.rebuildTable(
                "inbox",
                definition: """
                    id TEXT NOT NULL UNIQUE,
                    recipient TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    body BLOB NOT NULL,
                    produced_at_ms INTEGER
                    """,
                columns: ["id", "recipient", "priority", "occurred_at", "summary", "body", "produced_at_ms"], order: "id")
            try db.execute(sql: "CREATE INDEX inbox_by_recipient ON inbox (recipient, occurred_at)")
        }
    }

    /// Stores a notification unless one with its id is there; returns whether it was new.
    static func insert(_ notification: BusNotification, receivedAtMilliseconds: Int64?, _ db: Database) throws -> Bool {
        try insert(notification, body: try notification.encoded(), receivedAtMilliseconds: receivedAtMilliseconds, db)
    }

    /// Stores a notification with `body`, its JSON bytes as received (the exact bytes its
    /// signature covers, so they are not encoded again), unless one with its id is there;
    /// returns whether it was new.
    static func insert(_ notification: BusNotification, body: [UInt8], receivedAtMilliseconds: Int64?, _ db: Database) throws -> Bool {
        try db.cachedExecute(
            sql: "INSERT OR IGNORE INTO inbox (id, recipient, priority, occurred_at, summary, body, produced_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [notification.id, notification.recipient.description, notification.priority.rawValue,
                        EventCodec.formatInstant(notification.occurredAt), notification.summary,
                        Data(body), receivedAtMilliseconds])
        return db.changesCount > 0
    }

    /// A recipient's notifications, oldest first. `recipient` is `kind:id`, or a bare id that
    /// matches any kind.
    public static func notifications(for recipient: String, _ db: Database) throws -> [BusNotification] {
        let rows: [Row]
        if Recipient(recipient) != nil {
            rows = try Row.fetchAll(db, cached: "SELECT body FROM inbox WHERE recipient = ? ORDER BY occurred_at, id", arguments: [recipient])
        } else {
            rows = try Row.fetchAll(
                db, cached: "SELECT body FROM inbox WHERE substr(recipient, instr(recipient, ':') + 1) = ? ORDER BY occurred_at, id",
                arguments: [recipient])
        }
        return try rows.map { try BusNotification.decode(Array($0["body"] as Data)) }
    }

    /// Every notification, ordered by id.
    public static func all(_ db: Database) throws -> [BusNotification] {
        try Row.fetchAll(db, cached: "SELECT body FROM inbox ORDER BY id").map { try BusNotification.decode(Array($0["body"] as Data)) }
    }

    /// SHA-256 over every stored notification's bytes in id order.
    public static func checksum(_ db: Database) throws -> String {
        var hash = SHA256()
        for row in try Row.fetchAll(db, cached: "SELECT id, body FROM inbox ORDER BY id") {
            hash.update((row["id"] as String).utf8)
            hash.update(Array(row["body"] as Data))
        }
        return hash.finalize().hexString
    }
}
