/// A message to send. Keys decide the partition (same key, same partition, kept in order), so
/// ReentryBus keys events by person.
public struct KafkaProducerMessage: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// A fixed partition; nil lets the partitioner choose from the key.
    public var partition: Int32?

    public init(
        topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }

    public init(
        topic: String, key: String?, value: String, headers: [KafkaHeader] = [], partition: Int32? = nil
    ) {
        self.init(
            topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers,
            partition: partition)
    }
}

/// Where the broker stored a message: proof that it is durable (with `acks=all`, on every
/// in-sync replica).
public struct KafkaDeliveryReceipt: Sendable, Hashable {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }
}

/// The outcome of `KafkaProducer.sendBatch`: how many messages were delivered and, for each one
/// that was not, the message and why (so the caller can retry or report it).
public struct KafkaBatchReport: Sendable {
    public struct Failure: Sendable {
        public var message: KafkaProducerMessage
        public var error: KafkaError
    }

    public var delivered: Int
    public var failures: [Failure]
    /// Why queueing stopped before the last message (only from
    /// `KafkaProducer.sendBatchKeepingReport`; `sendBatch` throws it instead): the first
    /// `queued` messages have their outcome here, the rest were never handed to librdkafka.
    public var queueingError: KafkaError? = nil

    /// Messages handed to librdkafka, each delivered or failed.
    public var queued: Int { delivered + failures.count }
    /// Every message was queued and delivered.
    public var allDelivered: Bool { failures.isEmpty && queueingError == nil }
}
