import Foundation

/// A message read from Kafka.
public struct KafkaConsumerMessage: Sendable {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset
    /// The key's bytes, without a copy (see `KafkaBytes`).
    public var keyBytes: KafkaBytes?
    /// The value's bytes, without a copy: the fastest way to read a message.
    public var payload: KafkaBytes
    public var headers: [KafkaHeader]
    /// When the producer (or broker, per the topic's settings) stamped the message, in
    /// milliseconds since 1970; nil when the message has none.
    public var timestampMilliseconds: Int64?

    /// The key, copied into an array.
    public var key: [UInt8]? { keyBytes.map(Array.init) }
    /// The value, copied into an array.
    public var value: [UInt8] { Array(payload) }

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }

    public var timestamp: Date? {
        timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// The first header with this key.
    public func header(_ key: String) -> KafkaHeader? {
        headers.first { $0.key == key }
    }

    public init(
        topicPartition: TopicPartition, offset: KafkaOffset, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.init(
            topicPartition: topicPartition, offset: offset, keyBytes: key.map(KafkaBytes.init),
            payload: KafkaBytes(value), headers: headers, timestampMilliseconds: timestampMilliseconds)
    }

    init(
        topicPartition: TopicPartition, offset: KafkaOffset, keyBytes: KafkaBytes?, payload: KafkaBytes,
        headers: [KafkaHeader], timestampMilliseconds: Int64?
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.keyBytes = keyBytes
        self.payload = payload
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
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
