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
///   suspend until delivery reports free room. Nothing is dropped. A sender whose task is
///   cancelled while it waits for room stops waiting and fails with `.cancelled` (that message
///   was not queued; in a batch, those queued before it are still reported).
/// - Threads: one dedicated thread per producer serves delivery reports, blocked in
///   librdkafka's poll while idle. Callers never block; they suspend.
/// - Shutdown: `shutdown()` (or the end of `run()` on graceful shutdown) stops accepting new
///   messages, waits up to `shutdownTimeout` for every accepted one to be delivered, and only
///   then purges what is left, failing those sends with `.purged` so that no caller is left
///   believing an undelivered message was sent.
/// - Transactions: with `KafkaProducerConfiguration.transactionalID` set, messages are sent
///   only inside a transaction and become visible to `read_committed` consumers all together
///   on commit, or never (see `KafkaProducer+Transactions.swift`).
public final class KafkaProducer: Service, Sendable {
    /// The lifecycle (`ProducerLifecycle`) behind one lock, shared with the poll thread.
    final class State: Sendable {
        private let lifecycle: Mutex<ProducerLifecycle>

        init(transactional: Bool) {
            lifecycle = Mutex(ProducerLifecycle(transactional: transactional))
        }

        func withLock<Result, Failure: Error>(
            _ body: (inout ProducerLifecycle) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            try lifecycle.withLock { lifecycle throws(Failure) in try body(&lifecycle) }
        }
    }

    let client: RDKafkaClient
    let configuration: KafkaProducerConfiguration
    let logger: Logger
    let state: State
    /// Blocking calls on threads of their own (transactions, cluster id) that shutdown awaits.
    let blockingCalls = BlockingCallsInFlight()
    let queueSpace = QueueSpace()
    private let flushWaiters = FlushWaiters()
    private let urgency = DeliveryUrgency()
    private let pollThread: DedicatedThread

    /// Creates the producer and starts its poll thread. A transactional producer
    /// (`configuration.transactionalID`) must then call `initializeTransactions(timeout:)`.
    ///
    /// - Throws: `.invalidConfiguration` naming the setting librdkafka or this client refused.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        try configuration.validate()
        let context = ClientContext(
            logger: logger, statistics: KafkaStatisticsReporter(clientID: configuration.client.clientID))
        let client = try RDKafkaClient(kind: .producer, properties: configuration.rdKafkaProperties, context: context)
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.state = State(transactional: configuration.transactionalID != nil)
        let queueSpace = self.queueSpace
        let flushWaiters = self.flushWaiters
        let state = self.state
        let urgency = self.urgency
        self.pollThread = DedicatedThread(name: "kafka-producer") {
            while state.withLock({ $0.pollThreadContinues }) {
                let served: Int
                if urgency.isUrgent || client.outQueueLength == 0 {
                    // Someone waits, or nothing is in flight: block until a report (or other
                    // event) arrives, and serve it at once.
                    served = client.poll(timeoutMilliseconds: 100)
                } else {
                    // Reports nobody waits for yet: let them accumulate, serve them in bulk,
                    // unless a batch sender is serving them: two threads serving one queue
                    // would free message copies away from the thread that allocated them.
                    urgency.waitWhileNotUrgent(timeout: .milliseconds(100))
                    served = urgency.sendersServe && !urgency.isUrgent ? 0 : client.poll(timeoutMilliseconds: 0)
                }
                if served > 0 || queueSpace.hasWaiters { queueSpace.advance() }
                flushWaiters.check(queueLength: client.outQueueLength)
            }
            _ = client.poll(timeoutMilliseconds: 0)
            client.destroy()
        }
    }

    deinit {
        // Reached only when `shutdown()` was never called: what is still queued is lost.
        // Read the queue before closing: once closed, the poll thread destroys the handle.
        let undelivered = state.withLock { $0.pollThreadContinues } ? client.outQueueLength : 0
        if state.withLock({ $0.releasedWithoutShutdown() }) && undelivered > 0 {
            logger.error("Producer released without shutdown(); undelivered messages are lost", metadata: ["kafka.undelivered": "\(undelivered)"])
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
    /// Throws only when messages could not be queued at all (producer closed, invalid message,
    /// fatal error, `.invalidUse` outside a transaction of a transactional producer, or
    /// `.cancelled`: the task was cancelled while waiting for room); messages queued before
    /// that still get their reports, and are waited for, before the error is thrown (their
    /// outcomes are then not returned: `sendBatchKeepingReport(_:)` keeps them). Per-message
    /// delivery failures are in the report.
    @inlinable
    public func sendBatch<Messages: Sequence<KafkaProducerMessage>>(
        _ messages: Messages
    ) async throws(KafkaError) -> KafkaBatchReport {
        // Generic code is only specialised in the caller's module: keep this shim inlinable
        // and the work in a non-generic function, so no per-message generic dispatch remains.
        var iterator = messages.makeIterator()
        let report = await sendBatch(next: { iterator.next() })
        if let error = report.queueingError { throw error }
        return report
    }

    /// Sends as `sendBatch(_:)` does, but when a message cannot be queued it does not throw:
    /// queueing stops there, and the report says why (`queueingError`) and holds the outcome
    /// of every message queued before it (the first `queued` ones); the rest were not sent.
    /// For callers that must say exactly what happened to each message (a file's publisher).
    @inlinable
    public func sendBatchKeepingReport<Messages: Sequence<KafkaProducerMessage>>(
        _ messages: Messages
    ) async -> KafkaBatchReport {
        var iterator = messages.makeIterator()
        return await sendBatch(next: { iterator.next() })
    }

    /// Queues messages now and returns without waiting for their delivery reports:
    /// ``KafkaQueuedBatch/report()`` waits for them. For a sender that must hand batches to
    /// librdkafka in order but need not wait for one batch's acknowledgements before queueing
    /// the next (a service's outbox: batch N+1 is committed while batch N is still in flight).
    /// Suspends only while the local queue is full; a message that cannot be queued ends the
    /// queueing, and the report says why (`queueingError`), as `sendBatchKeepingReport(_:)`'s.
    @inlinable
    public func queueBatch<Messages: Sequence<KafkaProducerMessage>>(_ messages: Messages) async -> KafkaQueuedBatch {
        var iterator = messages.makeIterator()
        return await queueBatch(next: { iterator.next() })
    }

    /// The batch path: queues messages until `next` ends or one cannot be queued, then waits
    /// for the reports of those queued. A queueing failure is in the report, not thrown.
    @usableFromInline
    func sendBatch(next: () -> KafkaProducerMessage?) async -> KafkaBatchReport {
        await queueBatch(next: next).report()
    }

    /// Queues messages until `next` ends or one cannot be queued.
    @usableFromInline
    func queueBatch(next: () -> KafkaProducerMessage?) async -> KafkaQueuedBatch {
        let client = self.client
        let batch = DeliveryBatch { client.fatalError(operation: "send batch") }
        var count = 0
        var enqueueError: KafkaError?
        var cachedTopic: (name: String, handle: OpaquePointer)?  // the client's topic handle
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
        return KafkaQueuedBatch(batch: batch, count: count, queueingError: enqueueError, urgency: urgency)
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
        guard state.withLock({ $0.mayFlush }) else { return }
        let client = self.client
        let drained = await urgency.during {
            await flushWaiters.wait(deadline: .now + timeout, queueLength: { client.outQueueLength })
        }
        if !drained {
            throw KafkaError(
                code: .timedOut, operation: "flush",
                reason: "messages were still undelivered after \(timeout)", isRetriable: true)
        }
    }

    /// Stops accepting messages, delivers what was accepted (waiting up to `shutdownTimeout`),
    /// fails the rest with `.purged`, and releases the client. Safe to call more than once.
    ///
    /// A transactional producer's open transaction is aborted first (waiting up to
    /// `shutdownTimeout`), and a transactional call still running is waited for.
    public func shutdown() async {
        let abortsTransaction: Bool
        switch state.withLock({ $0.shutdown() }) {
        case .waitForPollThread:
            return await pollThread.join()
        case .drain(let abort):
            abortsTransaction = abort
        }
        queueSpace.advance()  // senders waiting for room see the shutdown and fail
        if abortsTransaction { await abortOnShutdown() }
        await blockingCalls.idle()
        do {
            try await flush(timeout: configuration.shutdownTimeout)
        } catch {
            logger.error("Producer shutting down with undelivered messages; purging them",
                         metadata: ["kafka.undelivered": "\(client.outQueueLength)"])
            client.purgeAll()
            do {
                try await flush(timeout: .seconds(5))
            } catch {
                // Purged messages report at once; what is left is in a broker request.
                logger.error("Purged messages still had no report after 5 s; closing regardless",
                             metadata: ["kafka.undelivered": "\(client.outQueueLength)", "kafka.error": "\(error)"])
            }
        }
        state.withLock { $0.drained() }
        await pollThread.join()
    }

    /// Runs until graceful shutdown (or cancellation), then shuts down as `shutdown()` does.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            logger.debug("Producer cancelled; shutting down as on graceful shutdown")
        }
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
        switch produce(message, topicHandle: topicHandle, opaque: opaque) {
        case .enqueued: return true
        case .queueFull: return false
        case .failed(let error): throw error
        }
    }

    /// Waits until delivery reports free room, then enqueues (again and again if others took
    /// the room first). Cancelling the task ends the wait: the message is then not sent, and
    /// the error says so (`.cancelled`).
    private func enqueueWhenRoom(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) async throws(KafkaError) {
        while true {
            // Read the generation, then try once more: room freed before the read is seen by
            // the retry, room freed after it advances the generation, so the wait cannot miss
            // a wake-up.
            let generation = queueSpace.generation
            if try enqueueIfRoom(message, topicHandle: topicHandle, opaque: opaque) { return }
            await urgency.during { await queueSpace.wait(after: generation) }
            if Task.isCancelled {
                throw KafkaError(
                    code: .cancelled, operation: "send to topic \(message.topic)",
                    reason: "the task was cancelled while waiting for room in the local queue; the message was not sent")
            }
        }
    }

    /// One attempt to hand `message` to librdkafka; `.failed(.closed)` once the producer is
    /// shutting down, `.failed(.invalidUse)` outside a transaction of a transactional producer.
    /// Under the lifecycle lock: shutdown waits for it before the handle goes.
    private func produce(
        _ message: KafkaProducerMessage, topicHandle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) -> RDKafkaClient.ProduceResult {
        state.withLock { state in
            guard state.acceptsMessages else { return .failed(state.refusal("send to topic \(message.topic)")) }
            return client.produce(message, topic: topicHandle, opaque: opaque)
        }
    }

    /// Serves delivery reports that are ready, on the calling task, without blocking
    /// (a poll with a zero timeout returns at once). A batch sender calls it now and
    /// then, as a C producer loop would: the reports then free the message copies on the thread
    /// that allocated them, which is markedly cheaper for the allocator than freeing them on
    /// the poll thread.
    private func serveReportsWithoutWaiting() {
        let served = state.withLock { state -> Int in
            guard state.mayUseHandle else { return 0 }
            return client.poll(timeoutMilliseconds: 0)
        }
        if served > 0 { queueSpace.advance() }
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        // Under the lifecycle lock: the handle must not be used once shutdown has begun (the
        // poll thread destroys it), and shutdown waits for this lock.
        try state.withLock { state throws(KafkaError) in
            guard state.acceptsMessages else { throw state.refusal("send to topic \(name)") }
            return try client.topic(named: name)
        }
    }
}
