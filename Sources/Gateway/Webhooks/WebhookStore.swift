import Contracts
import Foundation
import Storage

/// The webhooks' tables in the gateway's database: the endpoints (each with its durable cursor
/// into the inbox), the deliveries owed (one row per endpoint × notification until it is
/// answered 2xx or given up on, so a restart loses nothing), and each endpoint's dead letters.
/// Rows hold notification ids, never their contents: each attempt reads and redacts afresh.
public enum WebhookStore {
    public static let migrations: [StorageMigration] = [
        // One script for both: SQLite takes BIGINT as an integer column.
        .script("gateway-webhooks-v1", """
            CREATE TABLE gateway_webhooks (
                id TEXT NOT NULL PRIMARY KEY,
                agency_id TEXT NOT NULL,
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                event_types TEXT NOT NULL,
                rules TEXT NOT NULL,
                subject TEXT NOT NULL,
                roles TEXT NOT NULL,
                purpose TEXT NOT NULL,
                agency_kind TEXT,
                units TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                cursor_arrival BIGINT
            );
            CREATE INDEX gateway_webhooks_by_agency ON gateway_webhooks (agency_id);
            CREATE TABLE gateway_webhook_deliveries (
                endpoint_id TEXT NOT NULL,
                notification_id TEXT NOT NULL,
                arrival BIGINT NOT NULL,
                attempts BIGINT NOT NULL,
                enqueued_at_ms BIGINT NOT NULL,
                due_at_ms BIGINT NOT NULL,
                last_status BIGINT,
                last_reason TEXT,
                PRIMARY KEY (endpoint_id, notification_id)
            );
            CREATE INDEX gateway_webhook_deliveries_due ON gateway_webhook_deliveries (endpoint_id, due_at_ms);
            CREATE TABLE gateway_webhook_dead_letters (
                endpoint_id TEXT NOT NULL,
                notification_id TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                enqueued_at_ms BIGINT NOT NULL,
                dead_at_ms BIGINT NOT NULL,
                last_status BIGINT,
                last_reason TEXT NOT NULL,
                PRIMARY KEY (endpoint_id, notification_id)
            );
            """),
    ]

    /// A delivery owed to an endpoint.
    public struct Delivery: Sendable, Hashable {
        public var endpointId: String
        public var notificationId: String
        /// The notification's arrival number in the inbox (deliveries go out in that order).
        public var arrival: Int64
        /// Attempts made so far.
        public var attempts: Int
        public var enqueuedAtMilliseconds: Int64
        public var dueAtMilliseconds: Int64
        public var lastStatus: Int?
        public var lastReason: String?
    }

    /// A delivery given up on: the last answer (an HTTP status, or none) and why.
    public struct DeadLetter: Sendable, Hashable {
        public var endpointId: String
        public var notificationId: String
        public var attempts: Int
        public var enqueuedAtMilliseconds: Int64
        public var deadAtMilliseconds: Int64
        public var lastStatus: Int?
        public var lastReason: String
    }

    /// An endpoint and where its cursor stands.
    public struct Stored: Sendable, Hashable {
        public var endpoint: WebhookEndpoint
        /// The arrival number of the last inbox row the endpoint's deliveries were made from.
        public var cursor: ArrivalCursor?
    }

    // MARK: - Endpoints

    /// Registers an endpoint whose cursor starts at `cursor` (nil: the inbox's beginning).
    public static func add(_ endpoint: WebhookEndpoint, cursor: ArrivalCursor?, _ transaction: any StorageTransaction) throws {
        let caller = endpoint.registrant
        _ = try transaction.execute(
            """
            INSERT INTO gateway_webhooks (id, agency_id, url, secret, event_types, rules, subject, roles, purpose, agency_kind, units,
                created_at_ms, cursor_arrival)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            [.text(endpoint.id), .text(endpoint.agencyId), .text(endpoint.url.absoluteString), .text(endpoint.secret),
             .text(endpoint.eventTypes.joined(separator: ",")), .text(endpoint.rules.joined(separator: ",")),
             .text(caller.subject), .text(caller.roles.map(\.rawValue).sorted().joined(separator: ",")), .text(caller.purpose.rawValue),
             .optional(caller.agencyKind?.rawValue), .text(caller.units.joined(separator: ",")),
             .integer(Int64((endpoint.createdAt.timeIntervalSince1970 * 1_000).rounded())),
             cursor.map { .integer($0.arrival) } ?? .null])
    }

    /// The endpoints of `agencyId`, or of every agency, oldest first.
    public static func endpoints(of agencyId: String?, _ transaction: any StorageTransaction) throws -> [Stored] {
        let rows = if let agencyId {
            try transaction.fetchAll("SELECT * FROM gateway_webhooks WHERE agency_id = $1 ORDER BY created_at_ms, id", [.text(agencyId)])
        } else {
            try transaction.fetchAll("SELECT * FROM gateway_webhooks ORDER BY created_at_ms, id", [])
        }
        return try rows.map(stored)
    }

    public static func endpoint(_ id: String, _ transaction: any StorageTransaction) throws -> Stored? {
        try transaction.fetchOne("SELECT * FROM gateway_webhooks WHERE id = $1", [.text(id)]).map(stored)
    }

    /// Removes an endpoint of `agencyId` (any agency's when nil) with what it was owed and its
    /// dead letters; false when there is none.
    public static func remove(_ id: String, of agencyId: String?, _ transaction: any StorageTransaction) throws -> Bool {
        let removed = if let agencyId {
            try transaction.execute("DELETE FROM gateway_webhooks WHERE id = $1 AND agency_id = $2", [.text(id), .text(agencyId)])
        } else {
            try transaction.execute("DELETE FROM gateway_webhooks WHERE id = $1", [.text(id)])
        }
        guard removed > 0 else { return false }
        _ = try transaction.execute("DELETE FROM gateway_webhook_deliveries WHERE endpoint_id = $1", [.text(id)])
        _ = try transaction.execute("DELETE FROM gateway_webhook_dead_letters WHERE endpoint_id = $1", [.text(id)])
        return true
    }

    private static func stored(_ row: StorageRow) throws -> Stored {
        let urlText = try row.get("url", as: String.self)
        guard let url = URL(string: urlText) else { throw StorageError(.typeMismatch(column: "url", expected: "URL", found: "text")) }
        let roles = try list(row.get("roles", as: String.self)).compactMap(Role.init(rawValue:))
        let purposeText = try row.get("purpose", as: String.self)
        guard let purpose = AccessPurpose(rawValue: purposeText) else {
            throw StorageError(.typeMismatch(column: "purpose", expected: "an access purpose", found: "text"))
        }
        let caller = Caller(
            subject: try row.get("subject", as: String.self), agencyId: try row.get("agency_id", as: String.self), roles: Set(roles),
            purpose: purpose, agencyKind: try row.get("agency_kind", as: String?.self).flatMap(AgencyKind.init(rawValue:)),
            units: list(try row.get("units", as: String.self)))
        let endpoint = WebhookEndpoint(
            id: try row.get("id", as: String.self), agencyId: caller.agencyId, url: url, secret: try row.get("secret", as: String.self),
            eventTypes: list(try row.get("event_types", as: String.self)), rules: list(try row.get("rules", as: String.self)),
            registrant: caller, createdAt: Date(timeIntervalSince1970: Double(try row.get("created_at_ms", as: Int64.self)) / 1_000))
        let cursor = try row.get("cursor_arrival", as: Int64?.self).map(ArrivalCursor.init(arrival:))
        return Stored(endpoint: endpoint, cursor: cursor)
    }

    private static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

    // MARK: - Deliveries

    /// Owes `notifications` (id, arrival number) to an endpoint, due at once, and moves its
    /// cursor to `cursor` — in the caller's transaction, so that what the cursor passed is owed.
    public static func enqueue(
        _ notifications: [(id: String, arrival: Int64)], for endpointId: String, advancingTo cursor: ArrivalCursor,
        now: Int64, _ transaction: any StorageTransaction
    ) throws {
        for notification in notifications {
            _ = try transaction.execute(
                """
                INSERT INTO gateway_webhook_deliveries (endpoint_id, notification_id, arrival, attempts, enqueued_at_ms, due_at_ms)
                VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (endpoint_id, notification_id) DO NOTHING
                """,
                [.text(endpointId), .text(notification.id), .integer(notification.arrival), .integer(now)])
        }
        _ = try transaction.execute(
            "UPDATE gateway_webhooks SET cursor_arrival = $1 WHERE id = $2", [.integer(cursor.arrival), .text(endpointId)])
    }

    /// The endpoint's deliveries due by `now`, the longest-waiting first.
    public static func due(for endpointId: String, now: Int64, limit: Int, _ transaction: any StorageTransaction) throws -> [Delivery] {
        try transaction.fetchAll(
            """
            SELECT * FROM gateway_webhook_deliveries WHERE endpoint_id = $1 AND due_at_ms <= $2
            ORDER BY due_at_ms, arrival LIMIT \(max(limit, 1))
            """,
            [.text(endpointId), .integer(now)]
        ).map(delivery)
    }

    /// Every delivery still owed to the endpoint (tests, the CLI).
    public static func pending(for endpointId: String, _ transaction: any StorageTransaction) throws -> [Delivery] {
        try transaction.fetchAll(
            "SELECT * FROM gateway_webhook_deliveries WHERE endpoint_id = $1 ORDER BY arrival", [.text(endpointId)]
        ).map(delivery)
    }

    private static func delivery(_ row: StorageRow) throws -> Delivery {
        Delivery(
            endpointId: try row.get("endpoint_id", as: String.self), notificationId: try row.get("notification_id", as: String.self),
            arrival: try row.get("arrival", as: Int64.self), attempts: try row.get("attempts", as: Int.self),
            enqueuedAtMilliseconds: try row.get("enqueued_at_ms", as: Int64.self), dueAtMilliseconds: try row.get("due_at_ms", as: Int64.self),
            lastStatus: try row.get("last_status", as: Int?.self), lastReason: try row.get("last_reason", as: String?.self))
    }

    /// The endpoint answered 2xx (or the notification is gone): nothing is owed any more.
    public static func delivered(_ delivery: Delivery, _ transaction: any StorageTransaction) throws {
        _ = try transaction.execute(
            "DELETE FROM gateway_webhook_deliveries WHERE endpoint_id = $1 AND notification_id = $2",
            [.text(delivery.endpointId), .text(delivery.notificationId)])
    }

    /// An attempt failed: try again at `retryAt`.
    public static func failed(
        _ delivery: Delivery, status: Int?, reason: String, retryAt: Int64, _ transaction: any StorageTransaction
    ) throws {
        _ = try transaction.execute(
            """
            UPDATE gateway_webhook_deliveries SET attempts = attempts + 1, due_at_ms = $1, last_status = $2, last_reason = $3
            WHERE endpoint_id = $4 AND notification_id = $5
            """,
            [.integer(retryAt), .optional(status), .text(reason), .text(delivery.endpointId), .text(delivery.notificationId)])
    }

    /// The last attempt failed and the delivery is past its time: into the dead letters.
    public static func giveUp(_ delivery: Delivery, status: Int?, reason: String, now: Int64, _ transaction: any StorageTransaction) throws {
        try self.delivered(delivery, transaction)
        _ = try transaction.execute(
            """
            INSERT INTO gateway_webhook_dead_letters (endpoint_id, notification_id, attempts, enqueued_at_ms, dead_at_ms, last_status, last_reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (endpoint_id, notification_id) DO UPDATE SET attempts = excluded.attempts, dead_at_ms = excluded.dead_at_ms,
                last_status = excluded.last_status, last_reason = excluded.last_reason
            """,
            [.text(delivery.endpointId), .text(delivery.notificationId), .integer(Int64(delivery.attempts + 1)),
             .integer(delivery.enqueuedAtMilliseconds), .integer(now), .optional(status), .text(reason)])
    }

    /// The endpoint's dead letters, oldest first.
    public static func deadLetters(of endpointId: String, _ transaction: any StorageTransaction) throws -> [DeadLetter] {
        try transaction.fetchAll(
            "SELECT * FROM gateway_webhook_dead_letters WHERE endpoint_id = $1 ORDER BY dead_at_ms, notification_id", [.text(endpointId)]
        ).map { row in
            DeadLetter(
                endpointId: try row.get("endpoint_id", as: String.self), notificationId: try row.get("notification_id", as: String.self),
                attempts: try row.get("attempts", as: Int.self), enqueuedAtMilliseconds: try row.get("enqueued_at_ms", as: Int64.self),
                deadAtMilliseconds: try row.get("dead_at_ms", as: Int64.self), lastStatus: try row.get("last_status", as: Int?.self),
                lastReason: try row.get("last_reason", as: String.self))
        }
    }
}
