import CRdKafka
import Logging

/// One librdkafka handle (`rd_kafka_t`) with our callbacks installed, and the typed Swift
/// methods the producer, consumer and admin call on it.
///
/// Together with the other files in `RDKafka/` this is the only code that calls librdkafka's
/// C functions; everything above it sees Swift values (`TopicPartition`, `KafkaError`, …) and a
/// few opaque pointers it passes back unchanged. librdkafka documents its handle as
/// thread-safe, which is why this class may be shared. Which of its methods block is said on
/// each; those run on the owner's dedicated thread, never on Swift's cooperative pool. The handle
/// is destroyed exactly once, by its owner, after the last call (`destroy()`).
///
/// Methods are split by role: `RDKafkaClient+Producer.swift`, `+Consumer.swift`, `+Reader.swift`,
/// `+Admin.swift`.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        /// A producer, or the handle behind the Admin API and the mock cluster.
        case producer
        /// A consumer-group member (the high-level consumer).
        case consumer
        /// A consumer outside every group (librdkafka's simple consumer): it reads the
        /// partitions it is told to, from the offsets it is given (`KafkaTopicReader`).
        case reader
    }

    let kind: Kind
    let handle: OpaquePointer
    let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>
    /// The consumer queue (consumers and readers): where fetched messages arrive, with the
    /// main queue's callbacks (statistics, errors) and a consumer's rebalance events.
    let consumerQueue: OpaquePointer?
    /// Producer topic handles by name; created on first use, destroyed with the client.
    let topics = LockedValue<[String: OpaquePointer]>([:])

    init(kind: Kind, properties: [String: String], context: ClientContext) throws(KafkaError) {
        let conf = try RDKafkaConfig.make(properties)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        Self.installCallbacks(conf, kind: kind, context: context)

        var errorText = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError(
                code: .invalidConfiguration, operation: "create \(kind) client",
                reason: String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.kind = kind
        self.handle = handle
        self.context = context
        self.retainedContext = retained
        switch kind {
        case .consumer:
            // Serve the main queue (callbacks) through the consumer queue, then keep the latter.
            rd_kafka_poll_set_consumer(handle)
            consumerQueue = rd_kafka_queue_get_consumer(handle)
        case .reader:
            // No group, so no group queue: a queue of our own that every started partition
            // fetches into, with the main queue (callbacks) forwarded to it as for a consumer.
            let queue = rd_kafka_queue_new(handle)
            let main = rd_kafka_queue_get_main(handle)
            rd_kafka_queue_forward(main, queue)
            rd_kafka_queue_destroy(main)
            consumerQueue = queue
        case .producer:
            consumerQueue = nil
        }
    }

    /// Destroys the handle (blocking until librdkafka's threads have stopped) and releases the
    /// callback context. Call once, from a dedicated thread, after the last use of the client.
    ///
    /// A consumer or reader is destroyed with `RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`: its owner
    /// has already committed and left through its own close, bounded by `closeTimeout`
    /// (`ConsumerCloseWait.closeBounded`). Without the flag `rd_kafka_destroy` runs librdkafka's
    /// consumer close a second time and waits for it with no bound; with the cluster gone in
    /// the meantime, that wait was seen never to end (a cancelled test tore down its embedded
    /// broker while its consumer closed: gdb showed `rd_kafka_destroy -> rd_kafka_consumer_close`
    /// in `cnd_wait`). With the flag the handle's group state is still torn down, but nothing
    /// is awaited and no rebalance callback runs during the destroy.
    func destroy() {
        topics.withLock { topics in
            for topic in topics.values { rd_kafka_topic_destroy(topic) }
            topics = [:]
        }
        if kind == .reader, let main = rd_kafka_queue_get_main(handle) {
            rd_kafka_queue_forward(main, nil)
            rd_kafka_queue_destroy(main)
        }
        if let consumerQueue { rd_kafka_queue_destroy(consumerQueue) }
        switch kind {
        case .consumer, .reader: rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        case .producer: rd_kafka_destroy(handle)
        }
        retainedContext.release()
    }

    /// The error behind `RD_KAFKA_RESP_ERR__FATAL`, as librdkafka recorded it.
    func fatalError(operation: String) -> KafkaError {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .rdKafka(code, operation: operation, reason: reason.isEmpty ? nil : reason, isFatal: true)
    }

    private static func installCallbacks(_ conf: OpaquePointer, kind: Kind, context: ClientContext) {
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let context = ClientContext.from(handle) else { return }
            let logLevel = Logger.Level(syslogLevel: level)
            guard context.logger.logLevel <= logLevel else { return }
            context.logger.log(
                level: logLevel,
                "\(message.map { String(cString: $0) } ?? "")",
                metadata: ["kafka.facility": "\(facility.map { String(cString: $0) } ?? "")"],
                source: "librdkafka")
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, _ in
            guard let handle, let context = ClientContext.from(handle) else { return }
            let error = rd_kafka_resp_err_t(code)
            if error == RD_KAFKA_RESP_ERR__FATAL {
                var text = [CChar](repeating: 0, count: 512)
                let underlying = rd_kafka_fatal_error(handle, &text, text.count)
                let fatal = KafkaError.rdKafka(
                    underlying, operation: "run client",
                    reason: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                    isFatal: true)
                context.recordFatal(fatal)
                context.logger.error("Kafka client failed fatally", metadata: ["kafka.error": "\(fatal)"])
            } else {
                context.logger.warning(
                    "Kafka client error",
                    metadata: [
                        "kafka.error": "\(String(cString: rd_kafka_err2name(error)))",
                        "kafka.reason": "\(reason.map { String(cString: $0) } ?? "")",
                    ])
            }
        }
        rd_kafka_conf_set_stats_cb(conf) { handle, json, length, _ in
            guard let json, let context = ClientContext.from(handle) else { return 0 }
            context.statistics.report(UnsafeRawBufferPointer(start: json, count: length))
            return 0  // librdkafka frees the JSON
        }
        switch kind {
        case .producer:
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                DeliveryRecipient.deliver(RDKafkaDeliveryReport(message), to: opaque)
            }
        case .consumer, .reader:
            if context.rebalance != nil {
                rd_kafka_conf_set_rebalance_cb(conf) { handle, event, partitions, _ in
                    guard let handle, let partitions, let context = ClientContext.from(handle) else { return }
                    context.rebalance?(RDKafkaRebalance(handle: handle, event: event, list: partitions))
                }
            }
        }
    }
}
