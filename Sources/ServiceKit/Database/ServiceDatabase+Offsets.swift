import GRDB
import Kafka

extension ServiceDatabase {
    /// The next offset to read per partition, as stored with the effects.
    public func storedOffsets() async throws -> [TopicPartition: KafkaOffset] {
        try await read { db in try Self.storedOffsets(db) }
    }

    /// The same, blocking the calling thread: only for threads that may block (the consumer's
    /// rebalance callback runs on the client's own thread).
    func storedOffsetsBlocking() throws -> [TopicPartition: KafkaOffset] {
        do {
            return try writer.read { db in try Self.storedOffsets(db) }
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
    }

    static func storedOffsets(_ db: Database) throws -> [TopicPartition: KafkaOffset] {
        var result: [TopicPartition: KafkaOffset] = [:]
        for row in try Row.fetchAll(db, cached: "SELECT topic, partition_id, next_offset FROM kit_offsets") {
            result[TopicPartition(topic: row["topic"], partition: row["partition_id"])] = KafkaOffset(row["next_offset"])
        }
        return result
    }

    /// Raises stored offsets (never lowers them: compare-and-set against the stored value).
    static func advance(_ offsets: [TopicPartition: KafkaOffset], _ db: Database) throws {
        for (partition, offset) in offsets {
            try db.cachedExecute(
                sql: """
                    INSERT INTO kit_offsets (topic, partition_id, next_offset) VALUES (?, ?, ?)
                    ON CONFLICT (topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset
                    WHERE excluded.next_offset > kit_offsets.next_offset
                    """,
                arguments: [partition.topic, partition.partition, offset.rawValue])
        }
    }

    // MARK: Counters

    static func increment(_ name: String, by amount: Int, _ db: Database) throws {
        guard amount != 0 else { return }
        try db.cachedExecute(
            sql: "INSERT INTO kit_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            arguments: [name, amount])
    }

    /// Durable counters since the database was created: `dead_lettered`, `duplicates`,
    /// `event_id_reused`, `outbox_failed`, and `skipped:<event type>` per event type the
    /// service reads past.
    public func counters() async throws -> [String: Int] {
        try await read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, cached: "SELECT name, value FROM kit_counters").map {
                ($0["name"] as String, $0["value"] as Int)
            })
        }
    }
}
