import Contracts
import Foundation
import Storage
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs an `EventProjection` as a Kafka consumer group member with exactly-once effect.
///
/// - Each batch is applied in **one database transaction** (SQLite or PostgreSQL) that also raises the stored offsets
///   and records the applied event ids (with a hash of their content). A message at or below a
///   stored offset is skipped; an event id already applied with the same content is counted as
///   a duplicate (the embedded broker, like a non-transactional producer, can write a message
///   twice); the same id with other content is a poison message.
/// - Every message is checked (`MessageAdmission`): key, headers and an event type of the
///   topic's contract; events of types this service does not need are counted per type and
///   skipped; the rest are validated in full before they are applied.
/// - On assignment the consumer starts each partition at the offset stored in the database
///   (the beginning when there is none: a deleted data directory replays everything).
/// - Messages the projection emits go to the outbox table in the same transaction and are
///   produced after the commit; the outbox row is removed only once the broker acknowledged it
///   (in a later batch's transaction, saving one per batch), so a crash re-sends, never loses
///   (receivers de-duplicate by the `event-id` header). A batch's outbox is handed to the
///   producer as soon as it commits; a child task waits for its acknowledgements while the
///   service waits for and applies the next batch, whose outbox queues behind it (two batches'
///   outboxes in flight at most); progress reports a batch only once its outbox is
///   acknowledged, in order. A message
///   the broker refuses for good (too large, invalid) moves to a failed table with the reason,
///   counted and logged, and blocks neither the messages behind it nor a restart.
/// - Poison messages go to the dead-letter topic with the reason in a header and the original
///   bytes, or as a reference when the copy would be too large to send (`DeadLetter`); the
///   pipeline goes on.
/// - Reference topics (`EventProjection.referenceTopics`) are read in full by every instance,
///   outside the group (`BatchSources`), through the same batch transaction; nothing else is
///   applied until they have caught up with what they held at start.
/// - While the database is unavailable (PostgreSQL restarting), a batch is applied again with
///   backoff (`Configuration.storageRetry`); nothing of a failed attempt was committed.
/// - The loop runs on a thread of the service's own (``ServiceThread``), and each batch's
///   transaction runs on it directly (``ServiceDatabase/writeBlocking(_:)``): a batch wakes
///   one thread instead of hopping to the database's thread and back, and a slow disk blocks
///   this service only, never Swift's shared threads.
/// - Graceful shutdown finishes the batch in hand, commits, flushes the outbox, leaves the
///   group and shuts the producer down.
///
/// Logs never carry event contents (personal data): only topics, partitions, offsets, counts
/// and reasons (which name fields, never values).
public final class EventConsumerService: Service, Sendable {
    public struct Configuration: Sendable {
        /// Group, topics (the projection's are used when empty), client settings.
        public var consumer: KafkaConsumerConfiguration
        /// For the outbox (notifications, dead letters). Its `maxMessageBytes` is also the
        /// largest message the service emits or copies to the dead-letter topic.
        public var producer: KafkaProducerConfiguration
        /// Where poison messages go. Default: `bus.dead-letters`.
        public var deadLetterTopic: String
        /// How long applied event ids are remembered, per source topic. Default: 7 days each.
        public var retention: EventIdRetention
        /// Outbox rows a restart reads and re-sends at a time. Default: 1,000.
        public var outboxPageSize: Int
        /// How long to wait before applying a batch again while the database is unavailable
        /// (PostgreSQL restarting, the network cut): from `initial`, doubling up to `maximum`.
        /// Default: 100 ms to 10 s.
        public var storageRetry: StorageRetry

        public init(
            consumer: KafkaConsumerConfiguration, producer: KafkaProducerConfiguration,
            deadLetterTopic: String = BusTopic.deadLetters, retention: EventIdRetention = EventIdRetention(),
            outboxPageSize: Int = 1_000, storageRetry: StorageRetry = StorageRetry()
        ) {
            self.consumer = consumer
            self.producer = producer
            self.deadLetterTopic = deadLetterTopic
            self.retention = retention
            self.outboxPageSize = max(1, outboxPageSize)
            self.storageRetry = storageRetry
        }
    }

    /// The backoff between attempts at a batch while the database is unavailable.
    public struct StorageRetry: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
            self.initial = max(initial, .milliseconds(1))
            self.maximum = max(maximum, self.initial)
        }
    }

    /// Header of a dead letter: why it was rejected.
    public static let deadLetterReasonHeader = DeadLetter.reasonHeader
    /// Header of a dead letter: `topic[partition]@offset` it came from.
    public static let deadLetterSourceHeader = DeadLetter.sourceHeader

    public let projection: any EventProjection
    public let database: ServiceDatabase
    public let progress = ServiceProgress()
    let admission: MessageAdmission
    /// Its Kafka client settings, as built: what `bench pipeline` measures a raw hop with.
    public let configuration: Configuration
    let logger: Logger
    let metrics: ServiceMetrics
    /// Where the outbox stands: what was handed to the producer, what the broker acknowledged.
    let outboxCursor = Mutex(OutboxCursor())
    /// Whether the last batch's projection found a poison message, so that the next batch is
    /// applied event by event from the start (``EventIsolation``). Batches are applied one at a
    /// time; the lock only makes the service `Sendable`.
    let isolateNextBatch = Mutex(false)

    public init(
        projection: any EventProjection, database: ServiceDatabase, admission: MessageAdmission,
        configuration: Configuration, logger: Logger
    ) {
        self.projection = projection
        self.database = database
        self.admission = admission
        var configuration = configuration
        if configuration.consumer.topics.isEmpty {
            configuration.consumer.topics = projection.topics.filter { !projection.referenceTopics.contains($0) }
        }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "service"] = "\(projection.name)"
        self.logger = logger
        self.metrics = ServiceMetrics(service: projection.name)
    }

    /// Consumes until graceful shutdown or cancellation, on a thread of the service's own
    /// (``ServiceThread``): its batch transactions run there without a hop to the database's
    /// thread, and a slow disk holds that thread only, never one of Swift's shared ones.
    public func run() async throws {
        let thread = ServiceThread(name: "svc-\(projection.name)")
        defer { thread.finish() }
        try await withTaskExecutorPreference(thread) {
            try await runLoops(on: thread)
        }
    }

    private func runLoops(on thread: ServiceThread) async throws {
        let stored = try await database.storedOffsets()
        progress.update { $0.nextOffsets = stored }
        metrics.outboxDepth(set: try await database.outboxCount())
        let producer = try KafkaProducer(configuration: configuration.producer, logger: logger)
        do {
            try await resendOutbox(producer)  // what a previous run committed but did not deliver
            let reader = try referenceReader(startingAt: stored)
            let consumer = try KafkaConsumer(configuration: configuration.consumer, rebalanceHandler: rebalanceHandler(), logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Beside the batches, not before them: a check may read a large table (a
                // reader, which neither waits for the writer nor holds it up).
                group.addTask { await self.logWarningsAtStart() }
                group.addTask {
                    // Ends by graceful shutdown (close the consumer: the loop then ends) or by
                    // cancellation once the loop has ended for another reason. A close that
                    // had to be abandoned (the broker gone) fails the service, so the process
                    // can say so and exit non-zero.
                    do { try await gracefulShutdown() } catch {}
                    let readerAbandoned = await reader?.close()
                    if let abandoned = await consumer.close() { throw abandoned }
                    if let readerAbandoned { throw readerAbandoned }
                }
                do {
                    try await consume(BatchSources(consumer: consumer, reader: reader), consumer, producer, on: thread)
                } catch is CancellationError {
                    logger.info("Service cancelled")
                    group.cancelAll()
                    throw CancellationError()
                } catch {
                    logger.error("Service stopped by an error", metadata: ["error": "\(Self.describe(error))"])
                    logger.debug("Service error detail", metadata: ["error": "\(String(reflecting: error))"])
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            try await removeAcknowledgedOutbox()
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
        let snapshot = progress.snapshot
        logger.info("Service stopped", metadata: [
            "applied": "\(snapshot.applied)", "dead-lettered": "\(snapshot.deadLettered)",
            "duplicates": "\(snapshot.duplicates)",
            "skipped-by-type": "\(snapshot.skippedByType.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
        ])
    }

    /// Logs what the projection finds amiss at start (``EventProjection/warningsAtStart(in:)``),
    /// while the first batches run. A check that cannot run is logged too and does not keep the
    /// service from starting: it is advice, and the batches report a database that fails.
    func logWarningsAtStart() async {
        let projection = self.projection
        do {
            for warning in try await database.read({ try projection.warningsAtStart(in: $0) }) {
                logger.warning("\(warning.message)", metadata: warning.metadata.mapValues { .string($0) })
            }
        } catch {
            logger.warning("The projection's checks at start could not run", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    /// The batch loop. Batch N's outbox is queued to the producer right after N commits; a
    /// child task waits for its acknowledgements while the loop waits for batch N+1 and applies
    /// it, and N+1's outbox is queued behind N's at once. N's delivery finishes (and is
    /// reported) before N+1's is waited for, so progress and the acknowledged outbox move in
    /// order.
    private func consume(
        _ sources: BatchSources, _ consumer: KafkaConsumer, _ producer: KafkaProducer, on thread: ServiceThread
    ) async throws {
        var sources = sources
        var pending: PendingDelivery?
        while true {
            let delivery = pending
            let next = try await withThrowingTaskGroup(of: Void.self) { group -> PendingDelivery? in
                if let delivery { group.addTask { try await self.deliver(delivery, producer) } }
                guard let (source, batch) = try await sources.next() else {
                    try await group.waitForAll()
                    return nil
                }
                let messages = Array(batch)
                let started = ContinuousClock.now
                let ages = logger.logLevel <= .trace ? MessageAges(messages) : nil
                let cursor = outboxCursor.withLock { $0 }
                guard let outcome = try await applyBatchRetrying(
                    messages, acknowledged: cursor.acknowledged, published: cursor.published, on: thread)
                else {
                    // Shutting down while the database was unavailable: nothing of this batch
                    // was committed, so its messages are read again after a restart.
                    try await group.waitForAll()
                    return nil
                }
                if let acknowledged = cursor.acknowledged {
                    outboxCursor.withLock { if $0.acknowledged == acknowledged { $0.acknowledged = nil } }
                }
                let committed = ContinuousClock.now
                metrics.batchCommit.recordNanoseconds((committed - started).wholeNanoseconds)
                record(outcome)
                for action in outcome.afterCommit { action() }
                // Handed to the producer now, behind the previous batch's messages (librdkafka
                // keeps their order), while the previous batch's acknowledgements may still be
                // on their way: a notification never waits for another batch's round trip.
                var queued: QueuedOutbox?
                if !outcome.outbox.isEmpty { queued = await queue(outcome.outbox, producer) }
                if let last = outcome.outbox.last { outboxCursor.withLock { $0.published = last.seq } }
                try await group.waitForAll()  // the previous delivery is acknowledged and reported first
                do {
                    // Kafka's view, for lag monitoring only (the reader of reference topics has none).
                    if source == .group { try consumer.storeOffsets(for: batch) }
                } catch {
                    metrics.offsetStoreFailures.increment()
                    logger.debug("Could not store offsets for lag monitoring", metadata: ["error": "\(error)"])
                }
                return PendingDelivery(
                    outcome: outcome, queued: queued, messages: messages.count, started: started, committed: committed, ages: ages)
            }
            guard let next else { return }
            pending = next
        }
    }

    /// The reader of the projection's reference topics (nil when it has none), starting each
    /// partition after what the database has applied, with the consumer's client settings.
    private func referenceReader(startingAt stored: [TopicPartition: KafkaOffset]) throws -> KafkaTopicReader? {
        let topics = projection.referenceTopics
        guard !topics.isEmpty else { return nil }
        var client = configuration.consumer.client
        client.clientID += "-reference"
        let reader = KafkaTopicReaderConfiguration(
            client: client, topics: topics, fetchMaxWait: configuration.consumer.fetchMaxWait,
            maxBatchSize: configuration.consumer.maxBatchSize)
        return try KafkaTopicReader(
            configuration: reader, startingAt: stored.filter { topics.contains($0.key.topic) }, logger: logger)
    }

    /// Applies a batch, again and again while the database is unavailable: a failed attempt
    /// committed nothing, so applying the same messages later is still exactly once; or, when
    /// the connection dropped during its COMMIT, committed everything, and the next attempt
    /// finds the messages applied (their offsets stored) and hands over the outbox rows that
    /// commit queued (`applyBatch`). The
    /// consumer is not read meanwhile (its buffer fills, then it stops fetching). Returns nil
    /// when graceful shutdown comes while waiting; other errors stop the service.
    private func applyBatchRetrying(
        _ messages: [KafkaConsumerMessage], acknowledged: Int64?, published: Int64, on thread: ServiceThread
    ) async throws -> BatchOutcome? {
        var delay = configuration.storageRetry.initial
        var attempt = 1
        while true {
            do {
                let outcome = try await applyBatch(messages, acknowledged: acknowledged, published: published, on: thread)
                if attempt > 1 { logger.notice("Database available again; batch applied", metadata: ["attempts": "\(attempt)"]) }
                return outcome
            } catch let error as ServiceDatabaseError where error.isRetriable {
                metrics.storageRetries.increment()
                progress.update { $0.storageRetries += 1 }
                logger.warning("Database unavailable; the batch will be applied again", metadata: [
                    "error": "\(error.description)", "attempt": "\(attempt)", "retry-in": "\(delay)",
                ])
                let wait = delay
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                } catch is CancellationError {
                    if Task.isShuttingDownGracefully { return nil }
                    throw CancellationError()
                }
                delay = min(delay * 2, configuration.storageRetry.maximum)
                attempt += 1
            }
        }
    }

    /// Counts and logs a committed batch (before its outbox is delivered).
    private func record(_ outcome: BatchOutcome) {
        for (source, reason) in outcome.deadLetters {
            logger.warning("Poison message queued for the dead-letter topic", metadata: [
                "source": "\(source)", "topic": "\(configuration.deadLetterTopic)", "reason": "\(reason)",
            ])
        }
        if outcome.deadLettered > 0 { metrics.deadLetters.increment(by: outcome.deadLettered) }
        if outcome.duplicates > 0 { metrics.duplicates.increment(by: outcome.duplicates) }
        if outcome.reusedIds > 0 { metrics.reusedIds.increment(by: outcome.reusedIds) }
        for (type, count) in outcome.skippedByType { metrics.skipped(type).increment(by: count) }
        for (type, count) in outcome.appliedByType { metrics.applied(type).increment(by: count) }
        for count in outcome.counts { metrics.projectionCounter(count).increment() }
        for warning in outcome.warnings { logger.warning("\(warning.message)", metadata: warning.metadata.mapValues { .string($0) }) }
        metrics.outboxDepth(changedBy: outcome.outbox.count)
        metrics.record(outcome.stages)
    }

    /// The handler that starts each assigned partition at the offset stored with the effects.
    private func rebalanceHandler() -> KafkaRebalanceHandler {
        let database = self.database
        let logger = self.logger
        let progress = self.progress
        let metrics = self.metrics
        return KafkaRebalanceHandler(
            partitionsAssigned: { partitions in
                // On the consumer's own thread: blocking on SQLite is allowed here.
                let stored: [TopicPartition: KafkaOffset]
                do {
                    stored = try database.storedOffsetsBlocking()
                } catch {
                    // Starting from the beginning is safe (what is at or below a stored offset
                    // is skipped in the transaction), only slower: say so rather than stop.
                    metrics.storageReadFailures.increment()
                    logger.error("Could not read stored offsets; reading the assigned partitions from the beginning", metadata: [
                        "error": "\(Self.describe(error))",
                    ])
                    stored = [:]
                }
                var start: [TopicPartition: KafkaOffset] = [:]
                for partition in partitions { start[partition] = stored[partition] ?? .beginning }
                logger.debug("Resuming from stored offsets", metadata: ["partitions": "\(start.count)"])
                progress.update {
                    $0.assigned.formUnion(partitions)
                    $0.joinedGroup = true
                }
                return start
            },
            partitionsRevoked: { partitions in progress.update { $0.assigned.subtract(partitions) } })
    }

    /// An error for a log line: its description, which for our error types names no values.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ServiceDatabaseError: error.description
        case let error as StorageError: error.description
        case let error as KafkaError: error.description
        case let error as OutboxError: error.description
        case let error as PoisonMessage: error.description
        default: String(describing: type(of: error))
        }
    }
}

extension Duration {
    /// The duration in seconds, with their fraction.
    var fractionalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// The duration in whole nanoseconds (for swift-metrics timers), saturating.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? (whole < 0 ? .min : .max) : sum
    }
}
