import Foundation
import Kafka
import Storage

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

    /// Appends `messages` to the outbox in their order (their sequence numbers ascend with it),
    /// a chunk of rows a statement, each filed under its subject's digest and those of the
    /// people its body names besides (``OutboxMentions``).
    static func appendToOutbox(_ messages: [OutgoingMessage], _ transaction: any StorageTransaction) throws {
        for rows in MultiRowStatement.chunks(of: messages) {
            var arguments: [SQLValue] = []
            arguments.reserveCapacity(rows.count * 6)
            for message in rows {
                arguments += [
                    .text(message.topic), .text(message.key), .bytes(message.value), .bytes(OutboxHeaders.encode(message.headers)),
                    message.subjectDigest.map(SQLValue.text) ?? .null, OutboxMentions.column(of: message.value),
                ]
            }
            try transaction.send(appendStatement.sql(rows: rows.count), arguments)
        }
    }

    private static let appendStatement = MultiRowStatement(
        "INSERT INTO kit_outbox (topic, key, value, headers, header_bytes, subject_digest, mention_digests) VALUES ",
        row: { "($\($0), $\($0 + 1), $\($0 + 2), '', $\($0 + 3), $\($0 + 4), $\($0 + 5))" }, parametersPerRow: 6)

    /// At most `limit` outbox entries after sequence number `seq`, oldest first.
    static func outbox(after seq: Int64 = 0, limit: Int = Int(Int64.max), _ transaction: any StorageTransaction) throws -> [OutboxEntry] {
        try transaction.fetchAll(
            "SELECT seq, topic, key, value, headers, header_bytes FROM kit_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
            [.integer(seq), .integer(Int64(limit))]
        ).map { row in
            OutboxEntry(seq: try row.get("seq"), message: OutgoingMessage(
                topic: try row.get("topic"), key: try row.get("key"), value: try row.get("value"), headers: try headers(of: row)))
        }
    }

    /// One page of what a previous run committed but did not deliver.
    func pendingOutbox(after seq: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await read { try Self.outbox(after: seq, limit: limit, $0) }
    }

    /// How many rows wait in the outbox (committed, not yet acknowledged or removed).
    func outboxCount() async throws -> Int {
        try await read { try $0.fetchOne("SELECT count(*) AS n FROM kit_outbox")?.get("n", as: Int.self) ?? 0 }
    }

    /// Removes outbox entries up to `seq` once the broker acknowledged them.
    func removeFromOutbox(through seq: Int64) async throws {
        try await write { try Self.removeFromOutbox(through: seq, $0) }
    }

    static func removeFromOutbox(through seq: Int64, _ transaction: any StorageTransaction) throws {
        try transaction.send("DELETE FROM kit_outbox WHERE seq <= $1", [.integer(seq)])
    }

    /// Moves entries the broker refused for good out of the outbox, with their reasons, so they
    /// block neither the entries behind them nor a restart.
    func moveToFailedOutbox(_ failures: [(entry: OutboxEntry, reason: String)]) async throws {
        guard !failures.isEmpty else { return }
        let failedAt = ISO8601DateFormatter().string(from: Date())
        let rows = failures.map { (seq: $0.entry.seq, reason: $0.reason) }
        try await write { transaction in
            for (seq, reason) in rows {
                try transaction.send(
                    """
                    INSERT INTO kit_outbox_failed (seq, topic, key, value, headers, header_bytes, subject_digest, mention_digests, reason, failed_at)
                    SELECT seq, topic, key, value, headers, header_bytes, subject_digest, mention_digests, $1, $2 FROM kit_outbox WHERE seq = $3
                    ON CONFLICT (seq) DO UPDATE SET reason = excluded.reason, failed_at = excluded.failed_at
                    """,
                    [.text(reason), .text(failedAt), .integer(seq)])
                try transaction.send("DELETE FROM kit_outbox WHERE seq = $1", [.integer(seq)])
            }
            try Self.increment("outbox_failed", by: rows.count, transaction)
        }
    }

    /// Outbox messages the broker refused for good, oldest first.
    public func failedOutbox() async throws -> [FailedOutboxEntry] {
        try await read { transaction in
            try transaction.fetchAll("SELECT seq, topic, key, value, headers, header_bytes, reason FROM kit_outbox_failed ORDER BY seq").map { row in
                FailedOutboxEntry(
                    seq: try row.get("seq"),
                    message: OutgoingMessage(
                        topic: try row.get("topic"), key: try row.get("key"), value: try row.get("value"), headers: try Self.headers(of: row)),
                    reason: try row.get("reason"))
            }
        }
    }

    /// A row's headers: its `header_bytes` (servicekit-v3), or the JSON text of a row written
    /// before.
    static func headers(of row: StorageRow) throws -> [KafkaHeader] {
        if let bytes = try row.get("header_bytes", as: [UInt8]?.self) { return try OutboxHeaders.decode(bytes) }
        let text = try row.get("headers", as: String.self)
        // v3 writes '' there; its bytes of a message without headers may read back as NULL.
        if text.isEmpty { return [] }
        return try decodeVersion1Headers(text)
    }

    private static func decodeVersion1Headers(_ text: String) throws -> [KafkaHeader] {
        let pairs = try JSONDecoder().decode([[String]].self, from: Data(text.utf8))
        return pairs.filter { $0.count == 2 }.map { KafkaHeader(key: $0[0], value: $0[1]) }
    }
}
