import Foundation

/// A message read from Kafka: a view of one entry of its `KafkaConsumerBatch` (see there).
/// Copying it is cheap (one reference); each property reads the batch.
public struct KafkaConsumerMessage: Sendable {
    let contents: BatchContents
    let index: Int

    init(_ contents: BatchContents, _ index: Int) {
        self.contents = contents
        self.index = index
    }

    private var record: BatchContents.Record { contents.records[index] }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
    public var offset: KafkaOffset { KafkaOffset(record.offset) }
    /// The key's bytes, without a copy (see `KafkaBytes`).
    public var keyBytes: KafkaBytes? {
        let record = self.record
        return record.keyCount < 0 ? nil : KafkaBytes(storage: contents.bytes, offset: record.keyStart, count: record.keyCount)
    }
    /// The value's bytes, without a copy: the fastest way to read a message.
    public var payload: KafkaBytes {
        let record = self.record
        return KafkaBytes(storage: contents.bytes, offset: record.valueStart, count: record.valueCount)
    }
    public var headers: [KafkaHeader] { Array(contents.headers[record.headers]) }
    /// When the producer (or broker, per the topic's settings) stamped the message, in
    /// milliseconds since 1970; nil when the message has none.
    public var timestampMilliseconds: Int64? {
        let timestamp = record.timestamp
        return timestamp == BatchContents.Record.noTimestamp ? nil : timestamp
    }

    /// The key, copied into an array.
    public var key: [UInt8]? { keyBytes.map(Array.init) }
    /// The value, copied into an array.
    public var value: [UInt8] { Array(payload) }

    public var topic: String { contents.topics[Int(record.topic)] }
    public var partition: Int32 { record.partition }

    public var timestamp: Date? {
        timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// The first header with this key (found in place, without building `headers`).
    public func header(_ key: String) -> KafkaHeader? {
        contents.headers[record.headers].first { $0.key == key }
    }

    /// A message of its own (for tests and tools that build messages rather than consume them).
    public init(
        topicPartition: TopicPartition, offset: KafkaOffset, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        var bytes = BatchBytes(capacity: (key?.count ?? 0) + value.count, pool: nil)
        let keyStart = key.map { key in key.withUnsafeBytes { bytes.append($0) } }
        let valueStart = value.withUnsafeBytes { bytes.append($0) }
        let record = BatchContents.Record(
            topic: 0, partition: topicPartition.partition, offset: offset.rawValue,
            keyStart: keyStart ?? 0, keyCount: key?.count ?? -1, valueStart: valueStart, valueCount: value.count,
            timestamp: timestampMilliseconds ?? BatchContents.Record.noTimestamp, headers: 0..<headers.count)
        self.init(
            BatchContents(bytes: bytes.storage, records: [record], topics: [topicPartition.topic], headers: headers), 0)
    }
}

/// Hooks a service uses to own its position in each partition.
///
/// Both run on the consumer's dedicated thread, in the middle of a rebalance, so they may block
/// (read a database, wait for a write) but must not wait for the consumer's own message loop.
public struct KafkaRebalanceHandler: Sendable {
    /// Partitions were assigned to this consumer. Return where to start reading each one (for
    /// example the offsets the service stored beside its effects); partitions left out start at
    /// the group's committed offset, or at `offsetReset` when there is none.
    public var partitionsAssigned: @Sendable ([TopicPartition]) -> [TopicPartition: KafkaOffset]
    /// Partitions are being taken away. Called after the batch the application was processing
    /// is finished (it asked for the next one, or `revokeDrainTimeout` passed) and before the
    /// consumer commits its stored offsets and lets the partitions go.
    public var partitionsRevoked: @Sendable ([TopicPartition]) -> Void

    public init(
        partitionsAssigned: @escaping @Sendable ([TopicPartition]) -> [TopicPartition: KafkaOffset] = { _ in [:] },
        partitionsRevoked: @escaping @Sendable ([TopicPartition]) -> Void = { _ in }
    ) {
        self.partitionsAssigned = partitionsAssigned
        self.partitionsRevoked = partitionsRevoked
    }
}
