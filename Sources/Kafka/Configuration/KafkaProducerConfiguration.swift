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
    /// Makes the producer transactional (librdkafka's `transactional.id`): messages are sent
    /// only inside a transaction, and `read_committed` consumers see a transaction's messages
    /// all together once committed, or never. The id names this producer across restarts: a
    /// new producer with the same id fences the old one and aborts its open transaction, so
    /// two processes that run at once need different ids. Implies idempotence (`idempotent` is
    /// then ignored) and needs `acks` `.all`. Default: nil (not transactional).
    public var transactionalID: String?
    /// How long the cluster's transaction coordinator lets a transaction stay open before it
    /// aborts it on its own (librdkafka's `transaction.timeout.ms`; it must not exceed the
    /// broker's `transaction.max.timeout.ms`, 15 minutes by default in Apache Kafka). With a
    /// `transactionalID` it also caps `deliveryTimeout` and `client.requestTimeout`, as
    /// librdkafka requires. Used only with a `transactionalID`. Default: 60 seconds.
    public var transactionTimeout: Duration

    public init(
        client: KafkaClientConfiguration = KafkaClientConfiguration(),
        idempotent: Bool = true,
        acks: Acks = .all,
        linger: Duration = .milliseconds(5),
        deliveryTimeout: Duration = .seconds(300),
        maxQueuedMessages: Int = 100_000,
        maxQueuedKilobytes: Int = 1_048_576,
        maxMessageBytes: Int = 1_000_000,
        shutdownTimeout: Duration = .seconds(30),
        transactionalID: String? = nil,
        transactionTimeout: Duration = .seconds(60)
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
        self.transactionalID = transactionalID
        self.transactionTimeout = transactionTimeout
    }

    /// Checks what librdkafka would refuse with a less precise message, naming the setting.
    func validate() throws(KafkaError) {
        guard let transactionalID else { return }
        func invalid(_ reason: String) -> KafkaError {
            KafkaError(code: .invalidConfiguration, operation: "create producer client", reason: reason)
        }
        if transactionalID.isEmpty { throw invalid("transactionalID must not be empty (nil turns transactions off)") }
        if acks != .all { throw invalid("transactionalID needs acks .all: a transaction is committed only once every in-sync replica has its messages") }
        if transactionTimeout < .seconds(1) { throw invalid("transactionTimeout must be at least 1 second, not \(transactionTimeout)") }
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
        if let transactionalID {
            let transactionMilliseconds = transactionTimeout.milliseconds
            result["transactional.id"] = transactionalID
            result["transaction.timeout.ms"] = String(transactionMilliseconds)
            result["enable.idempotence"] = "true"
            // librdkafka refuses a delivery timeout above the transaction timeout, and a
            // request timeout above it plus 100 ms.
            result["message.timeout.ms"] = String(min(deliveryTimeout.milliseconds, transactionMilliseconds))
            if let socket = result["socket.timeout.ms"].flatMap({ Int($0) }), socket > transactionMilliseconds {
                result["socket.timeout.ms"] = String(transactionMilliseconds)
            }
        }
        result.merge(client.properties) { _, new in new }
        return result
    }
}
