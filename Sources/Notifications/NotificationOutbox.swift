import Contracts
import Foundation
import GRDB
import Kafka
import ServiceKit

/// Emits notifications from a service's transaction: each id once per service (the
/// `notifications_sent` table), signed, through the service's outbox to `bus.notifications`.
/// The only SQL on `notifications_sent`.
///
/// A row is kept until its time to be forgotten (`forget_after_ms`, see `RetentionWindow`)
/// has passed on the event clock; rows written before that time was recorded have none and
/// are kept.
public enum NotificationOutbox {
    /// The topic of notifications, keyed by recipient.
    public static let topic = BusTopic.notifications
    /// Partitions the bus topics get when the pipeline creates them.
    public static let partitions = 12
    /// The counter of notifications queued, per service, rule and priority (once committed).
    public static let metricLabel = "reentrybus_notifications_total"

    /// Registers the `notifications_sent` table.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifications-v1") { db in
            try db.execute(sql: """
                CREATE TABLE notifications_sent (
                    id TEXT PRIMARY KEY NOT NULL,
                    recipient TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    source_event_id TEXT NOT NULL,
                    body BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // v2: a rowid table, each row appended, with the id in a unique index. Rows of ~1 KiB
        // keyed by a hash made every insert land in a random, nearly full leaf (SQLite advises
        // WITHOUT ROWID only for rows under ~1/20 of a page): page splits, and more pages
        // written to the log per batch.
        migrator.registerMigration("notifications-v2") { db in
            try db.rebuildTable(
                "notifications_sent",
                definition: """
                    id TEXT NOT NULL UNIQUE,
                    recipient TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    source_event_id TEXT NOT NULL,
                    body BLOB NOT NULL
                    """,
                columns: ["id", "recipient", "priority", "rule", "source_event_id", "body"], order: "id")
        }
        // v3: when each sent notification may be forgotten (event clock, ms since 1970),
        // indexed by that time for bounded pruning.
        migrator.registerMigration("notifications-v3") { db in
            try db.execute(sql: """
                CREATE TABLE notifications_sent_expiry (
                    id TEXT PRIMARY KEY NOT NULL,
                    forget_after_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX notifications_sent_expiry_by_time ON notifications_sent_expiry (forget_after_ms);
                """)
        }
        // v4: the time as a column of the row itself, with a partial index. The side table cost
        // every notification two more B-tree inserts (one at a random key) and every prune two
        // more deletes; the added column leaves the original columns, and statements naming
        // them, as they were.
        migrator.registerMigration("notifications-v4") { db in
            try db.execute(sql: """
                ALTER TABLE notifications_sent ADD COLUMN forget_after_ms INTEGER;
                UPDATE notifications_sent SET forget_after_ms =
                    (SELECT x.forget_after_ms FROM notifications_sent_expiry x WHERE x.id = notifications_sent.id);
                DROP TABLE notifications_sent_expiry;
                CREATE INDEX notifications_sent_by_forget_time ON notifications_sent (forget_after_ms)
                    WHERE forget_after_ms IS NOT NULL;
                """)
        }
    }

    /// Queues `notification`, signed with `key`, unless this service already sent one with its
    /// id. `forgetAfterMilliseconds` is when the service may forget it sent it (nil: never).
    /// Returns whether it was queued; a queued one is counted in
    /// `reentrybus_notifications_total{service,rule,priority}` once the batch commits.
    @discardableResult
    public static func emit(
        _ notification: BusNotification, signedWith key: NotificationSigningKey, forgetAfterMilliseconds: Int64?,
        in transaction: ProjectionTransaction, topic: String = topic
    ) throws -> Bool {
        let body = try notification.encoded()
        let db = transaction.db
        let recipient = notification.recipient.description
        try db.cachedExecute(
            sql: """
                INSERT OR IGNORE INTO notifications_sent (id, recipient, priority, rule, source_event_id, body, forget_after_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [notification.id, recipient, notification.priority.rawValue,
                        notification.reason.rule, notification.sourceEventId, Data(body), forgetAfterMilliseconds])
        guard db.changesCount > 0 else { return false }
        try transaction.emit(OutgoingMessage(
            topic: topic, key: recipient, value: body,
            headers: [
                KafkaHeader(key: EventHeaders.eventType, value: BusNotification.eventType),
                KafkaHeader(key: EventHeaders.schemaVersion, value: String(BusNotification.schemaVersion)),
                KafkaHeader(key: EventHeaders.eventId, value: notification.id),
                KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
            ] + NotificationSignature.headers(signing: body, with: key)))
        // The rule's code and the priority: bounded labels (never the recipient or an id).
        transaction.countOnCommit(metricLabel, dimensions: [
            (name: "rule", value: notification.reason.rule), (name: "priority", value: notification.priority.rawValue),
        ])
        return true
    }

    /// Forgets at most `limit` sent notifications whose time to be forgotten is before
    /// `nowMilliseconds` on the event clock; returns how many. Bounded, so that no event's
    /// transaction stalls on a large purge.
    @discardableResult
    public static func forget(before nowMilliseconds: Int64, limit: Int, _ db: Database) throws -> Int {
        try db.cachedExecute(
            sql: """
                DELETE FROM notifications_sent WHERE rowid IN (
                    SELECT rowid FROM notifications_sent WHERE forget_after_ms IS NOT NULL AND forget_after_ms < ?
                    ORDER BY forget_after_ms LIMIT ?)
                """,
            arguments: [nowMilliseconds, limit])
        return db.changesCount
    }

    /// Every notification this service has sent (and not yet forgotten), ordered by id.
    public static func sent(_ db: Database) throws -> [BusNotification] {
        try Row.fetchAll(db, cached: "SELECT body FROM notifications_sent ORDER BY id").map { row in
            try BusNotification.decode(Array(row["body"] as Data))
        }
    }

    /// How many sent notifications the service remembers.
    public static func sentCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, cached: "SELECT count(*) FROM notifications_sent") ?? 0
    }
}
