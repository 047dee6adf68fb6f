import Contracts
import Foundation
import Storage
import Kafka
import ServiceKit

/// Emits notifications from a service's transaction: each id once per service (the
/// `notifications_sent` table), signed, through the service's outbox to `bus.notifications`.
/// The only SQL on `notifications_sent`, which keeps what ``SentNotification`` holds, never a
/// notification's text.
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

    /// The `notifications_sent` table's steps. v1–v4 shipped on SQLite alone and stay literal
    /// there; PostgreSQL creates the v4 shape in v1.
    public static let migrations: [StorageMigration] = [
        .script("notifications-v1", sqlite: """
            CREATE TABLE notifications_sent (
                id TEXT PRIMARY KEY NOT NULL,
                recipient TEXT NOT NULL,
                priority TEXT NOT NULL,
                rule TEXT NOT NULL,
                source_event_id TEXT NOT NULL,
                body BLOB NOT NULL
            ) WITHOUT ROWID;
            """,
            postgres: """
            CREATE TABLE notifications_sent (
                id TEXT NOT NULL UNIQUE,
                recipient TEXT NOT NULL,
                priority TEXT NOT NULL,
                rule TEXT NOT NULL,
                source_event_id TEXT NOT NULL,
                body BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX notifications_sent_by_forget_time ON notifications_sent (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            """),
        // v2: a rowid table, each row appended, with the id in a unique index. Rows of ~1 KiB
        // keyed by a hash made every insert land in a random, nearly full leaf (SQLite advises
        // WITHOUT ROWID only for rows under ~1/20 of a page): page splits, and more pages
        // written to the log per batch.
        StorageMigration("notifications-v2") { transaction in
            guard transaction.dialect == .sqlite else { return }
            try transaction.rebuildTable(
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
        },
        // v3: when each sent notification may be forgotten (event clock, ms since 1970),
        // indexed by that time for bounded pruning.
        .script("notifications-v3", sqlite: """
            CREATE TABLE notifications_sent_expiry (
                id TEXT PRIMARY KEY NOT NULL,
                forget_after_ms INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX notifications_sent_expiry_by_time ON notifications_sent_expiry (forget_after_ms);
            """,
            postgres: nil),
        // v4: the time as a column of the row itself, with a partial index. The side table cost
        // every notification two more B-tree inserts (one at a random key) and every prune two
        // more deletes; the added column leaves the original columns, and statements naming
        // them, as they were.
        .script("notifications-v4", sqlite: """
            ALTER TABLE notifications_sent ADD COLUMN forget_after_ms INTEGER;
            UPDATE notifications_sent SET forget_after_ms =
                (SELECT x.forget_after_ms FROM notifications_sent_expiry x WHERE x.id = notifications_sent.id);
            DROP TABLE notifications_sent_expiry;
            CREATE INDEX notifications_sent_by_forget_time ON notifications_sent (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            """,
            postgres: nil),
        // v5: whom each notification is about, as a digest (`NotificationSubject`), so that a
        // sealing order removes what was sent about its person; rows written before get theirs
        // from their body.
        StorageMigration("notifications-v5") { transaction in
            try NotificationSubject.addDigestColumn(to: "notifications_sent", index: "notifications_sent_by_subject", transaction)
        },
        // v6: no copy of the notification: the records it derives from (`SentNotification`),
        // read once from each stored body, then the body dropped. The bodies kept personal data
        // in one more place and were some 60 % of the router's database.
        StorageMigration("notifications-v6") { transaction in
            try transaction.executeScript("ALTER TABLE notifications_sent ADD COLUMN derives_from TEXT")
            try NotificationSubject.rewrite(
                "notifications_sent", column: "derives_from",
                from: { body in SentNotification.encode(SentNotification.derivations(of: try BusNotification.decode(body))) }, transaction)
            try transaction.executeScript("ALTER TABLE notifications_sent DROP COLUMN body")
        },
    ]

    /// Queues `notification`, signed with `key`, unless this service already sent one with its
    /// id. `forgetAfterMilliseconds` is when the service may forget it sent it (nil: never).
    /// Returns whether it was queued; a queued one is counted in
    /// `reentrybus_notifications_total{service,rule,priority}` once the batch commits.
    @discardableResult
    public static func emit(
        _ notification: BusNotification, signedWith key: NotificationSigningKey, forgetAfterMilliseconds: Int64?,
        in transaction: ProjectionTransaction, topic: String = topic
    ) throws -> Bool {
        try !emit([notification], signedWith: key, forgetAfterMilliseconds: forgetAfterMilliseconds, in: transaction, topic: topic).isEmpty
    }

    /// Queues each of `notifications` as ``emit(_:signedWith:forgetAfterMilliseconds:in:topic:)``
    /// does, in their order. An id already sent, or met earlier in the list, is not queued again.
    ///
    /// - Returns: the notifications queued now, in order.
    @discardableResult
    public static func emit(
        _ notifications: [BusNotification], signedWith key: NotificationSigningKey, forgetAfterMilliseconds: Int64?,
        in transaction: ProjectionTransaction, topic: String = topic
    ) throws -> [BusNotification] {
        var inserted = try recordSent(notifications, forgetAfterMilliseconds: forgetAfterMilliseconds, transaction.storage)
        var queued: [BusNotification] = []
        // `remove` makes a repeated id count once, for its first occurrence (the row inserted).
        for notification in notifications where inserted.remove(notification.id) != nil {
            try queue(notification, signedWith: key, in: transaction, topic: topic)
            queued.append(notification)
        }
        return queued
    }

    /// Writes a `notifications_sent` row for each notification whose id has none; returns the
    /// ids written. On PostgreSQL in one statement a chunk (an event's notifications are one
    /// round trip, not one each); on SQLite a statement a row, which costs less there than one
    /// with `RETURNING` (7 µs a row against 14, measured in `bench pipeline`).
    private static func recordSent(
        _ notifications: [BusNotification], forgetAfterMilliseconds: Int64?, _ transaction: any StorageTransaction
    ) throws -> Set<String> {
        let forget = forgetAfterMilliseconds.map(SQLValue.integer) ?? .null
        let values = { (notification: BusNotification) -> [SQLValue] in
            [.text(notification.id), .text(notification.recipient.description), .text(notification.priority.rawValue),
             .text(notification.reason.rule), .text(notification.sourceEventId),
             SentNotification.encode(SentNotification.derivations(of: notification)), forget,
             NotificationSubject.digest(notification)]
        }
        var inserted: Set<String> = []
        switch transaction.dialect {
        case .postgres:
            for chunk in MultiRowStatement.paddedChunks(of: notifications) {
                for row in try transaction.fetchAll(recordSentReturning.sql(rows: chunk.count), chunk.flatMap(values)) {
                    inserted.insert(try row.get("id"))
                }
            }
        case .sqlite:
            for notification in notifications {
                if try transaction.execute(recordSentRow, values(notification)) > 0 { inserted.insert(notification.id) }
            }
        }
        return inserted
    }

    private static let sentColumns = "id, recipient, priority, rule, source_event_id, derives_from, forget_after_ms, subject_digest"

    private static let recordSentRow =
        "INSERT INTO notifications_sent (\(sentColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING"

    /// A chunk of rows; a row already there, or repeated in the chunk
    /// (``MultiRowStatement/paddedChunks(of:)``), is left as it is and not returned.
    private static let recordSentReturning = MultiRowStatement(
        "INSERT INTO notifications_sent (\(sentColumns)) VALUES ",
        row: { n in "($\(n), $\(n + 1), $\(n + 2), $\(n + 3), $\(n + 4), $\(n + 5), $\(n + 6), $\(n + 7))" }, parametersPerRow: 8,
        " ON CONFLICT (id) DO NOTHING RETURNING id")

    /// Signs `notification` and queues it in the transaction's outbox, counted once committed.
    private static func queue(
        _ notification: BusNotification, signedWith key: NotificationSigningKey, in transaction: ProjectionTransaction, topic: String
    ) throws {
        let recipient = notification.recipient.description
        let body = try notification.encoded()
        try transaction.emit(OutgoingMessage(
            topic: topic, key: recipient, value: body,
            headers: [
                KafkaHeader(key: EventHeaders.eventType, value: BusNotification.eventType),
                KafkaHeader(key: EventHeaders.schemaVersion, value: String(BusNotification.schemaVersion)),
                KafkaHeader(key: EventHeaders.eventId, value: notification.id),
                KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
            ] + NotificationSignature.headers(signing: body, with: key),
            subjectStateId: notification.subjectStateId, subjectFbiNumber: notification.subjectFbiNumber))
        // The rule's code and the priority: bounded labels (never the recipient or an id).
        transaction.countOnCommit(metricLabel, dimensions: [
            (name: "rule", value: notification.reason.rule), (name: "priority", value: notification.priority.rawValue),
        ])
    }

    /// Forgets at most `limit` sent notifications whose time to be forgotten is before
    /// `nowMilliseconds` on the event clock; returns how many. Bounded, so that no event's
    /// transaction stalls on a large purge.
    @discardableResult
    public static func forget(before nowMilliseconds: Int64, limit: Int, _ transaction: any StorageTransaction) throws -> Int {
        try transaction.forgetDue("notifications_sent", key: "id", before: nowMilliseconds, limit: limit)
    }

    /// Removes the notifications this service sent that `order` covers; the router and the
    /// warrant resolver call it from their `seal(_:in:)`, after removing their own rows.
    ///
    /// - `all_records`: every notification about the person, found by digest
    ///   (`NotificationSubject`): of the order's state ID and `personStateIds`, those the
    ///   service's removed rows carried (a row matched by FBI number may carry one the order
    ///   does not name), and of the order's FBI number and `personFbiNumbers` (a notification
    ///   about a person known by no state ID is filed under the FBI number it matched).
    /// - `listed_cases`: those of the person's notifications that `derivesFromListedCases`
    ///   accepts (the service knows what its notifications derive from: the router routes an
    ///   arrest for a supervision case, ``BusNotification/isRouted(forScope:)``; the resolver's
    ///   name the warrants they are about). The others stay.
    ///
    /// A notification already sent stays in the inbox until the inbox reads the order; one still
    /// in the outbox is removed by the runtime (`all_records` only).
    public static func removeSent(
        covering order: SealingOrder, personStateIds: Set<String> = [], personFbiNumbers: Set<String> = [],
        derivesFromListedCases: @escaping (SentNotification) -> Bool, _ transaction: any StorageTransaction
    ) throws -> SealingTally {
        var stateIds = personStateIds
        if let stateId = order.stateId { stateIds.insert(stateId) }
        var fbiNumbers = personFbiNumbers
        if let fbiNumber = order.fbiNumber { fbiNumbers.insert(fbiNumber) }
        let derived: ((SentNotification) -> Bool)? = switch order.scope {
        case .allRecords: nil
        case .listedCases: derivesFromListedCases
        }
        var tally = SealingTally()
        tally.add(try removeSent(stateIds, fbiNumbers, derived, transaction), from: "notifications_sent")
        return tally
    }

    /// Removes the notifications this service sent about the people known by `stateIds` (or,
    /// for people known by no state ID, by `fbiNumbers`) that `concerns` accepts, leaving their
    /// others; returns how many. For rows a service found through something other than the
    /// order's numbers (the warrant resolver's, through the person index's links or a detainer
    /// another person's check listed), whose numbers may also be another person's.
    public static func removeSent(
        about stateIds: Set<String>, fbiNumbers: Set<String> = [], where concerns: @escaping (SentNotification) -> Bool,
        _ transaction: any StorageTransaction
    ) throws -> Int {
        try removeSent(stateIds, fbiNumbers, concerns, transaction)
    }

    private static func removeSent(
        _ stateIds: Set<String>, _ fbiNumbers: Set<String>, _ derived: ((SentNotification) -> Bool)?, _ transaction: any StorageTransaction
    ) throws -> Int {
        try NotificationSubject.remove(
            from: "notifications_sent", about: stateIds, fbiNumbers: fbiNumbers, columns: SentNotification.columns, reading: SentNotification.init(row:),
            derived: derived, transaction)
    }

    /// What this service remembers of every notification it has sent (and not yet forgotten),
    /// ordered by id.
    public static func sent(_ transaction: any StorageTransaction) throws -> [SentNotification] {
        try transaction.fetchAll("SELECT \(SentNotification.columns) FROM notifications_sent ORDER BY id").map(SentNotification.init(row:))
    }

    /// The rows whose notifications are about the person with state ID `stateId` (by digest),
    /// ordered by id.
    public static func sent(about stateId: String, _ transaction: any StorageTransaction) throws -> [SentNotification] {
        try transaction.fetchAll(
            "SELECT \(SentNotification.columns) FROM notifications_sent WHERE subject_digest = $1 ORDER BY id",
            [NotificationSubject.digest(stateId: stateId)]
        ).map(SentNotification.init(row:))
    }

    /// How many sent notifications the service remembers.
    /// Whether a notification with id `id` was sent (and not forgotten yet).
    public static func wasSent(_ id: String, _ transaction: any StorageTransaction) throws -> Bool {
        try transaction.fetchOne("SELECT id FROM notifications_sent WHERE id = $1", [.text(id)]) != nil
    }

    public static func sentCount(_ transaction: any StorageTransaction) throws -> Int {
        try transaction.fetchOne("SELECT count(*) AS n FROM notifications_sent")?.get("n", as: Int.self) ?? 0
    }
}
