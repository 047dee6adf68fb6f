import Kafka
import Storage

extension ServiceDatabase {
    /// The next offset to read per partition, as stored with the effects.
    public func storedOffsets() async throws -> [TopicPartition: KafkaOffset] {
        try await read { try Self.storedOffsets($0) }
    }

    /// The same, blocking the calling thread: only for threads that may block (the consumer's
    /// rebalance callback runs on the client's own thread).
    func storedOffsetsBlocking() throws -> [TopicPartition: KafkaOffset] {
        try readBlocking { try Self.storedOffsets($0) }
    }

    static func storedOffsets(_ transaction: any StorageTransaction) throws -> [TopicPartition: KafkaOffset] {
        var result: [TopicPartition: KafkaOffset] = [:]
        for row in try transaction.fetchAll("SELECT topic, partition_id, next_offset FROM kit_offsets") {
            let partition = TopicPartition(topic: try row.get("topic"), partition: try row.get("partition_id", as: Int32.self))
            result[partition] = KafkaOffset(try row.get("next_offset", as: Int64.self))
        }
        return result
    }

    /// The stored offsets of `partitions` only: a batch reads those of the partitions it holds
    /// (a few, at low rates) rather than every partition the service ever read (hundreds).
    static func storedOffsets(of partitions: some Sequence<TopicPartition>, _ transaction: any StorageTransaction) throws -> [TopicPartition: KafkaOffset] {
        var result: [TopicPartition: KafkaOffset] = [:]
        for partition in partitions where result[partition] == nil {
            if let row = try transaction.fetchOne(
                "SELECT next_offset FROM kit_offsets WHERE topic = $1 AND partition_id = $2",
                [.text(partition.topic), .integer(Int64(partition.partition))]
            ) {
                result[partition] = KafkaOffset(try row.get("next_offset", as: Int64.self))
            }
        }
        return result
    }

    /// Raises stored offsets (never lowers them: compare-and-set against the stored value).
    static func advance(_ offsets: [TopicPartition: KafkaOffset], _ transaction: any StorageTransaction) throws {
        for (partition, offset) in offsets {
            try transaction.send(
                """
                INSERT INTO kit_offsets (topic, partition_id, next_offset) VALUES ($1, $2, $3)
                ON CONFLICT (topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset
                WHERE excluded.next_offset > kit_offsets.next_offset
                """,
                [.text(partition.topic), .integer(Int64(partition.partition)), .integer(offset.rawValue)])
        }
    }

    // MARK: Counters

    static func increment(_ name: String, by amount: Int, _ transaction: any StorageTransaction) throws {
        guard amount != 0 else { return }
        try transaction.send(
            "INSERT INTO kit_counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = kit_counters.value + excluded.value",
            [.text(name), .integer(Int64(amount))])
    }

    /// Durable counters since the database was created: `dead_lettered`, `duplicates`,
    /// `event_id_reused`, `outbox_failed`, and `skipped:<event type>` per event type the
    /// service reads past.
    public func counters() async throws -> [String: Int] {
        try await read { transaction in
            var counters: [String: Int] = [:]
            for row in try transaction.fetchAll("SELECT name, value FROM kit_counters") {
                counters[try row.get("name", as: String.self)] = try row.get("value", as: Int.self)
            }
            return counters
        }
    }
}
