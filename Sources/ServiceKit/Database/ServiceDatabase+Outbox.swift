import Foundation
import GRDB
import Kafka

extension ServiceDatabase {
    struct OutboxEntry: Sendable {
        var seq: Int64
        var message: OutgoingMessage
    }

    /// An outbox message the broker refused for good, kept with the reason for an operator.
    public struct FailedOutboxEntry: Sendable {
        public var seq: Int64
        public var message: OutgoingMessage
        public var reason: String
    }

    static func appendToOutbox(_ message: OutgoingMessage, _ db: Database) throws {
        try db.cachedExecute(
            sql: "INSERT INTO kit_outbox (topic, key, value, headers, header_bytes) VALUES (?, ?, ?, '', ?)",
            arguments: [message.topic, message.key, Data(message.value), Data(OutboxHeaders.encode(message.headers))])
    }

    /// At most `limit` outbox entries after sequence number `seq`, oldest first.
    static func outbox(after seq: Int64 = 0, limit: Int = .max, _ db: Database) throws -> [OutboxEntry] {
        try Row.fetchAll(
            db, cached: "SELECT seq, topic, key, value, headers, header_bytes FROM kit_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            arguments: [seq, limit]
        ).map { row in
            let value: Data = row["value"]
            return OutboxEntry(seq: row["seq"], message: OutgoingMessage(
                topic: row["topic"], key: row["key"], value: Array(value), headers: try headers(of: row)))
        }
    }

    /// One page of what a previous run committed but did not deliver.
    func pendingOutbox(after seq: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await read { db in try Self.outbox(after: seq, limit: limit, db) }
    }

    /// How many rows wait in the outbox (committed, not yet acknowledged or removed).
    func outboxCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM kit_outbox") ?? 0 }
    }

    /// Removes outbox entries up to `seq` once the broker acknowledged them.
    func removeFromOutbox(through seq: Int64) async throws {
        try await write { db in try Self.removeFromOutbox(through: seq, db) }
    }

    static func removeFromOutbox(through seq: Int64, _ db: Database) throws {
        try db.cachedExecute(sql: "DELETE FROM kit_outbox WHERE seq <= ?", arguments: [seq])
    }

    /// Moves entries the broker refused for good out of the outbox, with their reasons, so they
    /// block neither the entries behind them nor a restart.
    func moveToFailedOutbox(_ failures: [(entry: OutboxEntry, reason: String)]) async throws {
        guard !failures.isEmpty else { return }
        let failedAt = ISO8601DateFormatter().string(from: Date())
        try await write { db in
            for (entry, reason) in failures {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO kit_outbox_failed (seq, topic, key, value, headers, header_bytes, reason, failed_at)
                        SELECT seq, topic, key, value, headers, header_bytes, ?, ? FROM kit_outbox WHERE seq = ?
                        """,
                    arguments: [reason, failedAt, entry.seq])
                try db.execute(sql: "DELETE FROM kit_outbox WHERE seq = ?", arguments: [entry.seq])
            }
            try Self.increment("outbox_failed", by: failures.count, db)
        }
    }

    /// Outbox messages the broker refused for good, oldest first.
    public func failedOutbox() async throws -> [FailedOutboxEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT seq, topic, key, value, headers, header_bytes, reason FROM kit_outbox_failed ORDER BY seq").map { row in
                let value: Data = row["value"]
                return FailedOutboxEntry(
                    seq: row["seq"],
                    message: OutgoingMessage(topic: row["topic"], key: row["key"], value: Array(value), headers: try Self.headers(of: row)),
                    reason: row["reason"])
            }
        }
    }

    /// A row's headers: its `header_bytes` (servicekit-v3), or the JSON text of a row written
    /// before.
    private static func headers(of row: Row) throws -> [KafkaHeader] {
        if let bytes = row["header_bytes"] as Data? { return try OutboxHeaders.decode(Array(bytes)) }
        let text: String = row["headers"]
        // v3 writes '' there; its bytes of a message without headers may read back as NULL.
        if text.isEmpty { return [] }
        return try decodeVersion1Headers(text)
    }

    private static func decodeVersion1Headers(_ text: String) throws -> [KafkaHeader] {
        let pairs = try JSONDecoder().decode([[String]].self, from: Data(text.utf8))
        return pairs.filter { $0.count == 2 }.map { KafkaHeader(key: $0[0], value: $0[1]) }
    }
}
