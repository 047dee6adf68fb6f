/// Settings of a `KafkaProducer`. The defaults are the safe ones: idempotent, `acks=all`, and
/// a bounded local queue that makes `send` wait rather than drop.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration

    /// Acknowledgements the leader waits for before a send counts as delivered.
    public enum Acks: String, Sendable {
        /// Every in-sync replica has the message (required by idempotence).
        case all = "all"
        /// Only the leader has it.
        case leader = "1"
    }

    /// Exactly-once, in-order delivery per partition despite retries. Default: true.
    public var idempotent: Bool
    /// Default: `.all`. Idempotence requires `.all`.
    public var acks: Acks
    /// How long messages wait locally to be batched. Default: 5 ms.
    public var linger: Duration
    /// How long librdkafka keeps retrying a message before reporting it failed. Default: 5 minutes.
    public var deliveryTimeout: Duration
    /// Largest number of messages waiting in the local queue; past it `send` waits.
    /// Default: 100,000.
    public var maxQueuedMessages: Int
    /// Largest total size of the local queue in KiB; past it `send` waits. Default: 1 GiB.
    public var maxQueuedKilobytes: Int
    /// Largest message accepted, in bytes. Default: 1,000,000 (Kafka's broker default).
    public var maxMessageBytes: Int
    /// How long `shutdown()` waits for queued messages to be delivered. Default: 30 seconds.
    public var shutdownTimeout: Duration

    public init(
        client: KafkaClientConfiguration = KafkaClientConfiguration(),
        idempotent: Bool = true,
        acks: Acks = .all,
        linger: Duration = .milliseconds(5),
        deliveryTimeout: Duration = .seconds(300),
        maxQueuedMessages: Int = 100_000,
        maxQueuedKilobytes: Int = 1_048_576,
        maxMessageBytes: Int = 1_000_000,
        shutdownTimeout: Duration = .seconds(30)
    ) {
        self.client = client
        self.idempotent = idempotent
        self.acks = acks
        self.linger = linger
        self.deliveryTimeout = deliveryTimeout
        self.maxQueuedMessages = maxQueuedMessages
        self.maxQueuedKilobytes = maxQueuedKilobytes
        self.maxMessageBytes = maxMessageBytes
        self.shutdownTimeout = shutdownTimeout
    }

    var rdKafkaProperties: [String: String] {
        var result = client.rdKafkaProperties
        result["enable.idempotence"] = idempotent ? "true" : "false"
        result["acks"] = acks.rawValue
        result["linger.ms"] = String(linger.milliseconds == 0 ? 0 : linger.milliseconds)
        result["message.timeout.ms"] = String(deliveryTimeout.milliseconds)
        result["queue.buffering.max.messages"] = String(maxQueuedMessages)
        result["queue.buffering.max.kbytes"] = String(maxQueuedKilobytes)
        result["message.max.bytes"] = String(maxMessageBytes)
        result.merge(client.properties) { _, new in new }
        return result
    }
}
