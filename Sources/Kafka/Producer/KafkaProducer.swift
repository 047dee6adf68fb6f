import CRdKafka
import Logging
import ServiceLifecycle
import Synchronization

/// Sends messages to Kafka and reports, for each, where the broker stored it.
///
/// - Delivery: a `send` returns only after the broker acknowledged the message (with the
///   default `acks=all`, on every in-sync replica), or throws a `KafkaError` saying why it
///   could not. Idempotence is on by default, so librdkafka's retries neither duplicate nor
///   reorder messages of a partition.
/// - Backpressure: librdkafka's local queue is bounded
///   (`KafkaProducerConfiguration.maxQueuedMessages`); when it is full, `send` and `sendBatch`
///   suspend until delivery reports free room. Nothing is dropped.
/// - Threads: one dedicated thread per producer serves delivery reports, blocked in
///   `rd_kafka_poll` while idle. Callers never block; they suspend.
/// - Shutdown: `shutdown()` (or the end of `run()` on graceful shutdown) stops accepting new
///   messages, waits up to `shutdownTimeout` for every accepted one to be delivered, and only
///   then purges what is left, failing those sends with `.purged` so that no caller is left
///   believing an undelivered message was sent.
public final class KafkaProducer: Service, Sendable {
    private enum Lifecycle {
        case running
        case shuttingDown
        case closed
    }

    private let client: RDKafkaClient
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle.running)
    /// Topic handles by name; created on first use, destroyed with the client.
    private let topics = LockedValue<[String: OpaquePointer]>([:])
    let queueSpace = QueueSpace()
    private let flushWaiters = FlushWaiters()
    private let urgency = DeliveryUrgency()
    private let stopPolling = LockedValue(false)
    private let pollThread: DedicatedThread

    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let context = ClientContext(
            logger: logger, statistics: KafkaStatisticsReporter(clientID: configuration.client.clientID))
        let client = try RDKafkaClient(kind: .producer, properties: configuration.rdKafkaProperties, context: context)
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let queueSpace = self.queueSpace
        let flushWaiters = self.flushWaiters
        let topics = self.topics
        let stopPolling = self.stopPolling
        let urgency = self.urgency
        self.pollThread = DedicatedThread(name: "kafka-producer") {
            let handle = client.handle
            while !stopPolling.withLock({ $0 }) {
                let served: Int32
                if urgency.isUrgent || rd_kafka_outq_len(handle) == 0 {
                    // Someone waits, or nothing is in flight: block until a report (or other
                    // event) arrives, and serve it at once.
                    served = rd_kafka_poll(handle, 100)
                } else {
                    // Reports nobody waits for yet: let them accumulate, serve them in bulk,
                    // unless a batch sender is serving them: two threads serving one queue
                    // would free message copies away from the thread that allocated them.
                    urgency.waitWhileNotUrgent(timeout: .milliseconds(100))
                    served = urgency.sendersServe && !urgency.isUrgent ? 0 : rd_kafka_poll(handle, 0)
                }
                if served > 0 || queueSpace.hasWaiters { queueSpace.advance() }
                flushWaiters.check(queueLength: Int(rd_kafka_outq_len(handle)))
            }
            rd_kafka_poll(handle, 0)
            topics.withLock { topics in
                for topic in topics.values { rd_kafka_topic_destroy(topic) }
                topics = [:]
            }
            client.destroy()
        }
    }

    deinit {
        // Reached only when `shutdown()` was never called: what is still queued is lost.
        if lifecycle.withLock({ if case .closed = $0 { false } else { true } }) {
            let undelivered = rd_kafka_outq_len(client.handle)
            if undelivered > 0 {
                logger.error("Producer released without shutdown(); undelivered messages are lost", metadata: ["kafka.undelivered": "\(undelivered)"])
            }
            stopPolling.withLock { $0 = true }
        }
    }

    /// Sends one message and returns once the broker has stored it.
    ///
    /// Suspends while the local queue is full. Not cancellable once the message is queued:
    /// its delivery report always comes, at the latest after `deliveryTimeout`.
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> KafkaDeliveryReceipt {
        let client = self.client
        let waiter = DeliveryWaiter { client.fatalError(operation: "send to topic \(message.topic)") }
        return try await urgency.during { () async throws(KafkaError) -> KafkaDeliveryReceipt in
            let topicHandle = try topicHandle(message.topic)
            let opaque = DeliveryRecipient.waiter(waiter).opaque()
            do throws(KafkaError) {
                try await enqueue(message, topicHandle: topicHandle, opaque: opaque)
            } catch {
                DeliveryRecipient.abandon(opaque)
                throw error
            }
            return try await waiter.wait().get()
        }
    }

    /// Sends one message; see `send(_:)`.
    public func send(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws(KafkaError) -> KafkaDeliveryReceipt {
        try await send(KafkaProducerMessage(topic: topic, key: key, value: value, headers: headers, partition: partition))
    }

    /// Sends many messages with many in flight at once, and returns when every one has a
    /// delivery report. This is the high-throughput path: no per-message suspension, memory
    /// bounded by the local queue and by the failures.
    ///
    /// Throws only when messages could not be queued at all (producer closed, invalid
    /// message, fatal error); messages queued before that still get their reports, and are
    /// waited for, before the error is thrown. Per-message delivery failures are in the report.
    @inlinable
    public func sendBatch<Messages: Sequence<KafkaProducerMessage>>(
        _ messages: Messages
    ) async throws(KafkaError) -> KafkaBatchReport {
        // Generic code is only specialised in the caller's module: keep this shim inlinable
        // and the work in a non-generic function, so no per-message generic dispatch remains.
        var iterator = messages.makeIterator()
        return try await sendBatch(next: { iterator.next() })
    }

    @usableFromInline
    func sendBatch(next: () -> KafkaProducerMessage?) async throws(KafkaError) -> KafkaBatchReport {
        let client = self.client
        let batch = DeliveryBatch { client.fatalError(operation: "send batch") }
        var count = 0
        var enqueueError: KafkaError?
        var cachedTopic: (name: String, handle: OpaquePointer)?
        let opaque = DeliveryRecipient.batch(batch).opaque()  // unretained: nothing to abandon
        urgency.beginServing()
        while let message = next() {
            do {
                let handle: OpaquePointer
                if let cachedTopic, cachedTopic.name == message.topic {
                    handle = cachedTopic.handle
                } else {
                    handle = try topicHandle(message.topic)
                    cachedTopic = (message.topic, handle)
                }
                // Synchronous while there is room: no async call per message.
                if try !enqueueIfRoom(message, topicHandle: handle, opaque: opaque) {
                    try await enqueueWhenRoom(message, topicHandle: handle, opaque: opaque)
                }
                count += 1
                if count % 256 == 0 { serveReportsWithoutWaiting() }
            } catch {
                enqueueError = error
                break
            }
        }
        urgency.endServing()
        let report = await urgency.during { await batch.wait(expecting: count) }
        if let enqueueError { throw enqueueError }
        return report
    }

    /// Sends messages as an asynchronous sequence produces them (a paced stream, lines read
    /// from a file, …), with many in flight, and returns when every one has a delivery report.
    /// Behaves as the synchronous `sendBatch`; an error thrown by the sequence itself ends the
    /// batch and is reported as `.invalidArgument` after the queued messages' reports.
    public func sendBatch<Messages: AsyncSequence>(
        _ messages: Messages
    ) async throws(KafkaError) -> KafkaBatchReport where Messages.Element == KafkaProducerMessage {
        let client = self.client
        let batch = DeliveryBatch { client.fatalError(operation: "send batch") }
        var count = 0
        var enqueueError: KafkaError?
        let opaque = DeliveryRecipient.batch(batch).opaque()
        do {
            for try await message in messages {
                try await enqueue(message, topicHandle: topicHandle(message.topic), opaque: opaque)
                count += 1
            }
        } catch let error as KafkaError {
            enqueueError = error
        } catch {
            enqueueError = KafkaError(code: .invalidArgument, operation: "read messages to send", reason: "\(error)")
        }
        let report = await urgency.during { await batch.wait(expecting: count) }
        if let enqueueError { throw enqueueError }
        return report
    }

    /// Waits until every message queued so far has its delivery report, or `timeout` passed.
    public func flush(timeout: Duration) async throws(KafkaError) {
        guard lifecycle.withLock({ if case .closed = $0 { false } else { true } }) else { return }
        let drained = await urgency.during {
            await flushWaiters.wait(deadline: .now + timeout, queueLength: { Int(rd_kafka_outq_len(self.client.handle)) })
        }
        if !drained {
            throw KafkaError(
                code: .timedOut, operation: "flush",
                reason: "messages were still undelivered after \(timeout)", isRetriable: true)
        }
    }

    /// Stops accepting messages, delivers what was accepted (waiting up to `shutdownTimeout`),
    /// fails the rest with `.purged`, and releases the client. Safe to call more than once.
    public func shutdown() async {
        let first = lifecycle.withLock { state in
            guard case .running = state else { return false }
            state = .shuttingDown
            return true
        }
        guard first else { return await pollThread.join() }
        queueSpace.advance()  // senders waiting for room see the shutdown and fail
        do {
            try await flush(timeout: configuration.shutdownTimeout)
        } catch {
            let left = rd_kafka_outq_len(client.handle)
            logger.error("Producer shutting down with undelivered messages; purging them", metadata: ["kafka.undelivered": "\(left)"])
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            try? await flush(timeout: .seconds(5))
        }
        lifecycle.withLock { $0 = .closed }
        stopPolling.withLock { $0 = true }
        await pollThread.join()
    }

    /// Runs until graceful shutdown (or cancellation), then shuts down as `shutdown()` does.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    // MARK: - Enqueueing

    /// Hands `message` to librdkafka, waiting for room in the local queue if need be.
    private func enqueue(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) async throws(KafkaError) {
        if try enqueueIfRoom(message, topicHandle: topicHandle, opaque: opaque) { return }
        try await enqueueWhenRoom(message, topicHandle: topicHandle, opaque: opaque)
    }

    /// One attempt: false if the local queue is full, an error if librdkafka refused the
    /// message for any other reason.
    private func enqueueIfRoom(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) throws(KafkaError) -> Bool {
        let code = produce(message, topicHandle: topicHandle, opaque: opaque)
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return false }
        try check(code, topic: message.topic)
        return true
    }

    /// Waits until delivery reports free room, then enqueues (again and again if others took
    /// the room first).
    private func enqueueWhenRoom(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) async throws(KafkaError) {
        var code: rd_kafka_resp_err_t? = RD_KAFKA_RESP_ERR__QUEUE_FULL
        while code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            // Read the generation, then try once more: room freed before the read is seen by
            // the retry, room freed after it advances the generation, so the wait cannot miss
            // a wake-up.
            let generation = queueSpace.generation
            code = produce(message, topicHandle: topicHandle, opaque: opaque)
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                await urgency.during { await queueSpace.wait(after: generation) }
                code = produce(message, topicHandle: topicHandle, opaque: opaque)
            }
        }
        try check(code, topic: message.topic)
    }

    /// Turns the result of a produce call into an error; nil means the producer is closing.
    private func check(_ code: rd_kafka_resp_err_t?, topic: String) throws(KafkaError) {
        switch code {
        case nil, RD_KAFKA_RESP_ERR__DESTROY:
            throw KafkaError.closed("send to topic \(topic)")
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return
        case RD_KAFKA_RESP_ERR__FATAL:
            throw client.fatalError(operation: "send to topic \(topic)")
        case let code?:
            throw KafkaError.rdKafka(code, operation: "send to topic \(topic)")
        }
    }

    /// One attempt to hand `message` to librdkafka; nil once the producer is shutting down.
    private func produce(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t? {
        lifecycle.withLock { state in
            guard case .running = state else { return nil }
            return Self.produce(message, handle: client.handle, topicHandle: topicHandle, opaque: opaque)
        }
    }

    /// Serves delivery reports that are ready, on the calling task, without blocking
    /// (`rd_kafka_poll` with a zero timeout returns at once). A batch sender calls it now and
    /// then, as a C producer loop would: the reports then free the message copies on the thread
    /// that allocated them, which is markedly cheaper for the allocator than freeing them on
    /// the poll thread.
    private func serveReportsWithoutWaiting() {
        let served = lifecycle.withLock { state -> Int32 in
            guard case .running = state else { return 0 }
            return rd_kafka_poll(client.handle, 0)
        }
        if served > 0 { queueSpace.advance() }
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        // Under the lifecycle lock: the handle must not be used once shutdown has begun (the
        // poll thread destroys it), and shutdown waits for this lock.
        let handle: OpaquePointer?? = lifecycle.withLock { state in
            guard case .running = state else { return .none }
            return topics.withLock { topics -> OpaquePointer? in
                if let handle = topics[name] { return handle }
                let handle = rd_kafka_topic_new(client.handle, name, nil)
                topics[name] = handle
                return handle
            }
        }
        switch handle {
        case .none:
            throw KafkaError.closed("send to topic \(name)")
        case .some(nil):
            throw KafkaError.rdKafka(rd_kafka_last_error(), operation: "open topic \(name)")
        case .some(let handle?):
            return handle
        }
    }

    /// Hands one message to librdkafka, which copies key and value. On success `opaque` (a
    /// `DeliveryRecipient`) travels with the message to the delivery-report callback; on
    /// failure the caller still owns it.
    private static func produce(
        _ message: KafkaProducerMessage, handle: OpaquePointer, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let code = message.value.withUnsafeBytes { value in
            withKeyBytes(message.key) { key in
                reentrybus_produce(
                    handle, topicHandle, message.partition ?? -1,
                    key?.baseAddress, key?.count ?? 0,
                    value.baseAddress, value.count, headers, opaque)
            }
        }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return code
    }

    private static func withKeyBytes<R>(_ key: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let key else { return body(nil) }
        return key.withUnsafeBytes { body($0) }
    }
}
