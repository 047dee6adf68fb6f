import Contracts
import Foundation
import GRDB
import Kafka
import ServiceKit

/// Emits notifications from a service's transaction: each id once per service (the
/// `notifications_sent` table), through the service's outbox to `bus.notifications`.
public enum NotificationOutbox {
    /// The topic of notifications, keyed by recipient.
    public static let topic = BusTopic.notifications
    /// Partitions the bus topics get when the pipeline creates them.
    public static let partitions = 12

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
    }

    /// Queues `notification` unless this service already sent one with its id. Returns whether
    /// it was queued.
    @discardableResult
    public static func emit(_ notification: BusNotification, in transaction: ProjectionTransaction, topic: String = topic) throws -> Bool {
        let body = try notification.encoded()
        try transaction.db.cachedExecute(
            sql: "INSERT OR IGNORE INTO notifications_sent (id, recipient, priority, rule, source_event_id, body) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [notification.id, notification.recipient.description, notification.priority.rawValue,
                        notification.reason.rule, notification.sourceEventId, Data(body)])
        guard transaction.db.changesCount > 0 else { return false }
        try transaction.emit(OutgoingMessage(
            topic: topic, key: notification.recipient.description, value: body,
            headers: [
                KafkaHeader(key: EventHeaders.eventType, value: BusNotification.eventType),
                KafkaHeader(key: EventHeaders.schemaVersion, value: String(BusNotification.schemaVersion)),
                KafkaHeader(key: EventHeaders.eventId, value: notification.id),
                KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
            ]))
        return true
    }

    /// Every notification this service has sent, ordered by id.
    public static func sent(_ db: Database) throws -> [BusNotification] {
        try Row.fetchAll(db, cached: "SELECT body FROM notifications_sent ORDER BY id").map { row in
            try BusNotification.decode(Array(row["body"] as Data))
        }
    }
}
