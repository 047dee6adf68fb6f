import Logging
import ServiceLifecycle
import Synchronization

/// Reads messages of a consumer group, with the application in charge of offsets.
///
/// - Delivery is at least once. Nothing is marked consumed until the application says so:
///   `storeOffset` after its effect is durable (stored offsets are committed in the background,
///   on revoke and on close) or `commit` to commit at once. A service that keeps its offsets
///   beside its own data returns them from `KafkaRebalanceHandler.partitionsAssigned` and needs
///   neither.
/// - Messages arrive in batches (`batches`) or one by one (`messages`); both are iterated by one
///   task at a time (a second task waiting at the same time gets `.invalidUse`). Asking for the
///   next element marks everything handed out before as processed, which is what a revoke
///   waits for before the partitions are given away.
/// - Threads: one dedicated thread per consumer fetches (blocking up to 100 ms while idle) and
///   runs the rebalance handler and commits. The iterating task never blocks; it suspends.
/// - `close()` (or the end of `run()`) commits stored offsets, leaves the group (so its
///   partitions move to the other members at once) and ends the sequences. Leaving is bounded
///   by `KafkaConsumerConfiguration.closeTimeout`: with the brokers gone librdkafka's close can
///   block for ever, so it runs on a thread of its own that is abandoned past the bound, and
///   `close()` returns the error that says so. Calling `close()` again, from any task, is safe.
public final class KafkaConsumer: Service, Sendable {
    /// Work for the poll thread: run with the client, or failed when the consumer closes first.
    struct Command: Sendable {
        let run: @Sendable (RDKafkaClient) -> Void
        let fail: @Sendable () -> Void
    }

    /// The lifecycle behind one lock, shared by the consumer and its poll thread.
    final class Control: Sendable {
        private let state = Mutex(ConsumerLifecycle<Command>())
        /// What the close came to: nil when the consumer left the group in time.
        let closeOutcome = Mutex<KafkaError?>(nil)

        func withLock<Result>(_ body: (inout ConsumerLifecycle<Command>) -> Result) -> Result {
            state.withLock { body(&$0) }
        }
    }

    private let client: RDKafkaClient
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let buffer: ConsumerBuffer
    private let control = Control()
    private let rebalancer: Rebalancer
    private let pollThread: DedicatedThread

    /// Creates the consumer, subscribes to `configuration.topics` and starts fetching.
    public init(
        configuration: KafkaConsumerConfiguration,
        rebalanceHandler: KafkaRebalanceHandler? = nil,
        logger: Logger
    ) throws(KafkaError) {
        guard !configuration.topics.isEmpty else {
            throw KafkaError(code: .invalidArgument, operation: "subscribe", reason: "no topics to subscribe to")
        }
        let buffer = ConsumerBuffer(
            capacity: configuration.bufferedBatches, maxBatchSize: configuration.maxBatchSize,
            readsHeaders: configuration.readsHeaders)
        let rebalancer = Rebalancer(
            handler: rebalanceHandler, buffer: buffer, configuration: configuration, logger: logger)
        let context = ClientContext(
            logger: logger, statistics: KafkaStatisticsReporter(clientID: configuration.client.clientID),
            rebalance: { rebalance in rebalancer.rebalance(rebalance) })
        let client = try RDKafkaClient(kind: .consumer, properties: configuration.rdKafkaProperties, context: context)
        do {
            try client.subscribe(configuration.topics)
        } catch {
            // Never joined a group, so the close cannot wait for a coordinator.
            _ = DedicatedThread(name: "kafka-destroy") {
                _ = client.closeConsumer()
                client.destroy()
            }
            throw error
        }
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.buffer = buffer
        self.rebalancer = rebalancer
        let loop = PollLoop(
            client: client, buffer: buffer, control: control, rebalancer: rebalancer,
            configuration: configuration, logger: logger)
        self.pollThread = DedicatedThread(name: "kafka-consumer") { loop.run() }
    }

    deinit {
        // Without close() the group only notices after the session timeout; say so.
        if !control.withLock({ $0.isClosingOrClosed }) {
            logger.warning("Consumer released without close(); closing it now")
            requestClose()
        }
    }

    /// Every message, one at a time, in order within each partition.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(batches: batches) }

    /// Messages in the batches librdkafka hands over (up to `maxBatchSize`): the fastest path.
    /// See `KafkaConsumerBatch` for what a batch costs and keeps alive.
    public var batches: KafkaConsumerBatches { KafkaConsumerBatches(buffer: buffer) }

    /// Partitions currently assigned to this consumer.
    public var assignment: Set<TopicPartition> { rebalancer.currentAssignment }

    /// Marks `message` (and everything before it in its partition) as processed; the offset is
    /// committed later (background, revoke, close) or by `commit()`.
    public func storeOffset(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try storeOffsets([message.topicPartition: KafkaOffset(message.offset.rawValue + 1)])
    }

    /// Marks every message of `batch` as processed.
    public func storeOffsets(for batch: some Sequence<KafkaConsumerMessage>) throws(KafkaError) {
        var next: [TopicPartition: KafkaOffset] = [:]
        for message in batch {
            let offset = KafkaOffset(message.offset.rawValue + 1)
            if next[message.topicPartition].map({ $0 < offset }) ?? true { next[message.topicPartition] = offset }
        }
        if !next.isEmpty { try storeOffsets(next) }
    }

    /// Stores, for each partition, the offset of the *next* message to read.
    public func storeOffsets(_ offsets: [TopicPartition: KafkaOffset]) throws(KafkaError) {
        try withHandle("store offsets") { client throws(KafkaError) in try client.storeOffsets(offsets) }
        rebalancer.didStore(offsets)
    }

    /// Commits the stored offsets now and returns when the group coordinator has them.
    public func commit() async throws(KafkaError) {
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            run(operation: "commit", continuation) { client in
                client.commitStoredOffsets().map { .failure($0) } ?? .success(())
            }
        }
        try result.get()
    }

    /// Stores `message`'s offset and commits at once.
    public func commit(_ message: KafkaConsumerMessage) async throws(KafkaError) {
        try storeOffset(message)
        try await commit()
    }

    /// The group's committed offsets (next offset to read) for these partitions.
    public func committedOffsets(for partitions: [TopicPartition]) async throws(KafkaError) -> [TopicPartition: KafkaOffset] {
        let timeout = Int32(configuration.client.requestTimeout.milliseconds)
        let result: Result<[TopicPartition: KafkaOffset], KafkaError> = await withCheckedContinuation { continuation in
            run(operation: "read committed offsets", continuation) { client in
                client.committedOffsets(for: partitions, timeoutMilliseconds: timeout)
            }
        }
        return try result.get()
    }

    /// Stops fetching from these partitions (they stay assigned) until `resume`.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withHandle("pause") { client throws(KafkaError) in try client.pause(partitions) }
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try withHandle("resume") { client throws(KafkaError) in try client.resume(partitions) }
    }

    /// Commits stored offsets, leaves the group and ends the message sequences. The batch the
    /// application holds counts as finished.
    ///
    /// Bounded by `closeTimeout`: returns nil when the consumer left the group in time, or the
    /// error (`.timedOut`) when leaving was abandoned — the group then notices only after the
    /// session timeout, and a process may want to exit non-zero. Safe to call more than once and
    /// from several tasks: each call returns once the first has finished, with the same result.
    @discardableResult
    public func close() async -> KafkaError? {
        buffer.acknowledge()
        requestClose()
        await pollThread.join()
        return control.closeOutcome.withLock { $0 }
    }

    /// Runs until graceful shutdown (or cancellation), then closes; throws when the close had
    /// to be abandoned (see `close()`), so a service group reports it.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            logger.debug("Consumer cancelled; closing as on graceful shutdown")
        }
        if let abandoned = await close() { throw abandoned }
    }

    // MARK: - Internals

    private func requestClose() {
        if control.withLock({ $0.requestClose() }) { wakePollThread() }
    }

    /// Interrupts the poll thread's wait. Under the lifecycle lock: the poll thread marks the
    /// consumer closed under it before destroying the queue, so a closed queue is never touched.
    private func wakePollThread() {
        control.withLock { state in
            if state.mayUseHandle { client.wakeConsumer() }
        }
        buffer.wake()
    }

    /// Runs a non-blocking call on the handle, unless the consumer is closed. Under the
    /// lifecycle lock, so the handle cannot be destroyed meanwhile.
    private func withHandle(
        _ operation: String, _ body: (RDKafkaClient) throws(KafkaError) -> Void
    ) throws(KafkaError) {
        let failure: KafkaError? = control.withLock { state in
            guard state.mayUseHandle else { return KafkaError.closed(operation) }
            do throws(KafkaError) {
                try body(client)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Runs `work` on the poll thread (where blocking is allowed) and resumes `continuation`
    /// with its result; fails at once when the consumer is closing or closed.
    private func run<Value: Sendable>(
        operation: String,
        _ continuation: CheckedContinuation<Result<Value, KafkaError>, Never>,
        _ work: @escaping @Sendable (RDKafkaClient) -> Result<Value, KafkaError>
    ) {
        let accepted = control.withLock { state in
            state.submit(Command(
                run: { client in continuation.resume(returning: work(client)) },
                fail: { continuation.resume(returning: .failure(.closed(operation))) }))
        }
        if accepted { wakePollThread() } else { continuation.resume(returning: .failure(.closed(operation))) }
    }

    /// The body of the poll thread.
    private struct PollLoop: Sendable {
        let client: RDKafkaClient
        let buffer: ConsumerBuffer
        let control: Control
        let rebalancer: Rebalancer
        let configuration: KafkaConsumerConfiguration
        let logger: Logger

        func run() {
            let capacity = max(1, configuration.maxBatchSize)
            let slots = UnsafeMutablePointer<RDKafkaMessagePointer?>.allocate(capacity: capacity)
            defer { slots.deallocate() }
            var failure: KafkaError?
            while true {
                let (commands, closing) = control.withLock { $0.nextRound() }
                for command in commands { command.run(client) }
                if closing { break }
                guard buffer.waitForRoom(timeout: .milliseconds(100)) else { continue }
                rebalancer.resetRebalanced()
                let (messages, errors) = client.consume(
                    into: slots, capacity: capacity, timeoutMilliseconds: 100,
                    assignment: { rebalancer.assignmentIfRebalanced })
                for error in errors {
                    if error.isFatal {
                        logger.error("Consumer failed fatally", metadata: ["kafka.error": "\(error)"])
                        failure = error
                    } else {
                        logger.warning("Consumer error", metadata: ["kafka.error": "\(error)"])
                    }
                }
                if let messages { buffer.push(messages) }
                if failure != nil { break }
            }
            close(failure: failure)
        }

        /// Commits, leaves the group and destroys the handle. The commit and the leaving run on a
        /// thread of their own, waited for up to `closeTimeout`; past it that thread is
        /// abandoned (it destroys the handle if its close ever returns) and the outcome says so.
        private func close(failure: KafkaError?) {
            let (client, configuration, logger) = (self.client, self.configuration, self.logger)
            let (wait, leftInTime) = ConsumerCloseWait.closeBounded(
                client, threadName: "kafka-close", timeout: configuration.closeTimeout, logger: logger,
                lateNotice: "An abandoned consumer close returned at last; releasing its client"
            ) {
                if case .storedOffsets = configuration.commitStrategy, let error = client.commitStoredOffsets() {
                    logger.error("Committing stored offsets on close failed", metadata: ["kafka.error": "\(error)"])
                }
                if let error = client.closeConsumer() {
                    logger.warning("Leaving the consumer group failed", metadata: ["kafka.error": "\(error)"])
                }
            }
            let pending = control.withLock { $0.closed() }
            for command in pending { command.fail() }
            buffer.finish(failure)
            if !leftInTime {
                let error = KafkaError(
                    code: .timedOut, operation: "close consumer of group \(configuration.groupID)",
                    reason: "leaving the group took longer than \(configuration.closeTimeout) (brokers unreachable?); abandoned it, the group will notice after the session timeout")
                logger.error("Consumer close abandoned", metadata: ["kafka.error": "\(error)"])
                control.closeOutcome.withLock { $0 = error }
            }
            if wait.pollThreadDone() == .pollThread { client.destroy() }
        }
    }
}
