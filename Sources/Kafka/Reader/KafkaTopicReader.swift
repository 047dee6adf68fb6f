import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Reads whole topics — every partition, outside any consumer group — so that every instance
/// of a service sees all of them: what reference topics (such as the agency directory) need,
/// where a consumer group would give each instance only its share.
///
/// - Where to start is the caller's: `startingAt` names an offset per partition (the next to
///   read, as a service keeps it beside its own data); partitions not named are read from the
///   beginning. The reader stores and commits nothing, joins no group and asks no coordinator.
/// - Caught up: `waitUntilCaughtUp()` returns, and `isCaughtUp` turns true, once the application
///   has finished everything the partitions held when the reader started (their ends then), so
///   a service can build its reference state before it applies other events. That happens once;
///   later messages are read as they come. A batch (or a message) counts as finished when the
///   application asks for the next, as with `KafkaConsumer`.
/// - Partitions added to a topic later are found every `partitionDiscoveryInterval` and read
///   from the beginning (or the offset named for them); they do not hold back catching up.
/// - Messages arrive in batches (`batches`) or one by one (`messages`), in order within each
///   partition, iterated by one task at a time (a second waiting task gets `.invalidUse`).
/// - Threads: one dedicated thread fetches (blocking up to 100 ms while idle) and runs the
///   reader's own requests (partitions, watermarks; each bounded by `metadataTimeout`). The
///   iterating task never blocks; it suspends.
/// - Failure: a topic that does not exist at start ends the sequences with `.unknownTopic`
///   naming it (the reader does not ask the broker to create it: librdkafka's consumer
///   default); a broker that cannot be reached at start is retried every second, with a
///   warning. Later errors (a broker gone for a while) are logged and fetching goes on.
/// - `close()` (or the end of `run()`) stops fetching and ends the sequences; bounded by
///   `closeTimeout`. Calling it again, from any task, is safe.
///
/// Metrics: `reentrybus_kafka_consumer_lag{client,topic,partition}` (messages between what the
/// application finished and each partition's end, from librdkafka's statistics) and
/// `reentrybus_kafka_reader_caught_up{client}` (0, then 1 once caught up).
public final class KafkaTopicReader: Service, Sendable {
    /// The reader's lifecycle behind one lock, shared with its thread. No commands: the
    /// application has nothing to ask of the thread but to close.
    final class Control: Sendable {
        private let state = Mutex(ConsumerLifecycle<Never>())
        /// What the close came to: nil when fetching stopped in time.
        let closeOutcome = Mutex<KafkaError?>(nil)

        func withLock<Result>(_ body: (inout ConsumerLifecycle<Never>) -> Result) -> Result {
            state.withLock { body(&$0) }
        }
    }

    static let caughtUpLabel = "reentrybus_kafka_reader_caught_up"

    private let client: RDKafkaClient
    private let configuration: KafkaTopicReaderConfiguration
    private let logger: Logger
    private let buffer: ConsumerBuffer
    private let progress: ReaderProgress
    private let control = Control()
    private let pollThread: DedicatedThread

    /// Creates the reader and starts reading `configuration.topics` in full.
    ///
    /// - Parameter startingAt: the next offset to read, for any partition the caller has read
    ///   before (`.beginning` and `.end` are accepted too); partitions left out are read from the
    ///   beginning. A start past a partition's end, or before the oldest offset it still holds,
    ///   reads it from its oldest offset.
    public convenience init(
        configuration: KafkaTopicReaderConfiguration,
        startingAt: [TopicPartition: KafkaOffset] = [:],
        logger: Logger
    ) throws(KafkaError) {
        try self.init(
            configuration: configuration, startingAt: startingAt, logger: logger,
            metrics: MetricsSystem.factory, cluster: { $0 })
    }

    /// - Parameter cluster: where the reader learns partitions and watermarks (its client;
    ///   a view of it that hides partitions, to stand for partitions added later).
    init(
        configuration: KafkaTopicReaderConfiguration,
        startingAt: [TopicPartition: KafkaOffset],
        logger: Logger,
        metrics: any MetricsFactory,
        cluster: (RDKafkaClient) -> any ReaderCluster
    ) throws(KafkaError) {
        try configuration.validate()
        try Self.validate(startingAt, topics: configuration.topics)
        let clientID = configuration.client.clientID
        let caughtUp = Gauge(label: Self.caughtUpLabel, dimensions: [("client", clientID)], factory: metrics)
        caughtUp.record(0)
        let progress = ReaderProgress { [logger] in
            caughtUp.record(1)
            logger.info("Topic reader caught up", metadata: ["kafka.topics": "\(configuration.topics)"])
        }
        let buffer = ConsumerBuffer(
            capacity: configuration.bufferedBatches, maxBatchSize: configuration.maxBatchSize,
            readsHeaders: configuration.readsHeaders, progress: progress)
        let context = ClientContext(
            logger: logger,
            statistics: KafkaStatisticsReporter(
                clientID: clientID, factory: metrics, readerPositions: { progress.positions }))
        let client = try RDKafkaClient(kind: .reader, properties: configuration.rdKafkaProperties, context: context)
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.buffer = buffer
        self.progress = progress
        let loop = ReaderLoop(
            client: client, cluster: cluster(client), buffer: buffer, progress: progress, control: control,
            configuration: configuration, startingAt: startingAt, logger: logger)
        self.pollThread = DedicatedThread(name: "kafka-reader") { loop.run() }
    }

    deinit {
        if !control.withLock({ $0.isClosingOrClosed }) {
            logger.warning("Topic reader released without close(); closing it now")
            requestClose()
        }
    }

    /// Every message, one at a time, in order within each partition.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(batches: batches) }

    /// Messages in the batches librdkafka hands over (up to `maxBatchSize`).
    public var batches: KafkaConsumerBatches { KafkaConsumerBatches(buffer: buffer) }

    /// Whether the application has finished everything the partitions held at start.
    public var isCaughtUp: Bool { progress.isCaughtUp }

    /// Returns once the application has finished everything the partitions held when the
    /// reader started (at once if it already has). Throws the reader's failure, or `.closed`,
    /// when the reader ends before that; `.cancelled` when the waiting task is cancelled.
    public func waitUntilCaughtUp() async throws(KafkaError) {
        try await progress.waitUntilCaughtUp()
    }

    /// The partitions being read: empty until the reader has found them.
    public var partitions: Set<TopicPartition> { Set(progress.positions.keys) }

    /// Stops fetching and ends the message sequences. Bounded by `closeTimeout`: returns nil
    /// when fetching stopped in time, or the `.timedOut` error when the stop was abandoned.
    /// Safe to call more than once and from several tasks.
    @discardableResult
    public func close() async -> KafkaError? {
        buffer.acknowledge()
        requestClose()
        await pollThread.join()
        return control.closeOutcome.withLock { $0 }
    }

    /// Runs until graceful shutdown (or cancellation), then closes; throws when the close had
    /// to be abandoned.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            logger.debug("Topic reader cancelled; closing as on graceful shutdown")
        }
        if let abandoned = await close() { throw abandoned }
    }

    // MARK: - Internals

    /// Refuses start offsets the reader cannot use, naming the partition.
    static func validate(_ start: [TopicPartition: KafkaOffset], topics: [String]) throws(KafkaError) {
        for (partition, offset) in start.sorted(by: { $0.key.description < $1.key.description }) {
            guard topics.contains(partition.topic) else {
                throw KafkaError(
                    code: .invalidArgument, operation: "start topic reader",
                    reason: "startingAt[\(partition)]: the reader does not read topic \(partition.topic)")
            }
            guard offset.rawValue >= 0 || offset == .beginning || offset == .end else {
                throw KafkaError(
                    code: .invalidArgument, operation: "start topic reader",
                    reason: "startingAt[\(partition)]: \(offset) is not a position a reader can start at (an offset, .beginning or .end; a reader has no stored offsets)")
            }
        }
    }

    private func requestClose() {
        if control.withLock({ $0.requestClose() }) {
            control.withLock { state in
                if state.mayUseHandle { client.wakeConsumer() }
            }
            buffer.wake()
        }
    }
}

/// Where a reader learns the partitions of a topic and their watermarks.
protocol ReaderCluster: Sendable {
    func partitions(of topic: String, timeout: Duration) -> Result<[Int32], KafkaError>
    func watermarks(of partition: TopicPartition, timeout: Duration) -> Result<(low: Int64, high: Int64), KafkaError>
}

extension RDKafkaClient: ReaderCluster {}

/// The body of a reader's thread: finds the partitions, starts reading them, fetches, looks for
/// added partitions now and then, and closes.
private struct ReaderLoop: Sendable {
    let client: RDKafkaClient
    let cluster: any ReaderCluster
    let buffer: ConsumerBuffer
    let progress: ReaderProgress
    let control: KafkaTopicReader.Control
    let configuration: KafkaTopicReaderConfiguration
    let startingAt: [TopicPartition: KafkaOffset]
    let logger: Logger

    /// How long to wait before asking again when the partitions could not be found at start.
    static let retryDelay: Duration = .seconds(1)

    func run() {
        let capacity = max(1, configuration.maxBatchSize)
        let slots = UnsafeMutablePointer<RDKafkaMessagePointer?>.allocate(capacity: capacity)
        defer { slots.deallocate() }
        var reading: Set<TopicPartition> = []
        var started = false
        var nextDiscovery: ContinuousClock.Instant? = ContinuousClock.now
        var failure: KafkaError?
        while true {
            if control.withLock({ $0.nextRound().close }) { break }
            if let due = nextDiscovery, ContinuousClock.now >= due {
                if started {
                    startAdded(&reading)
                    nextDiscovery = configuration.partitionDiscoveryInterval.map { ContinuousClock.now + $0 }
                } else {
                    switch start(&reading) {
                    case .started:
                        started = true
                        nextDiscovery = configuration.partitionDiscoveryInterval.map { ContinuousClock.now + $0 }
                    case .retry(let error):
                        logger.warning("Topic reader could not find its partitions; trying again",
                                       metadata: ["kafka.error": "\(error)", "kafka.retry": "\(Self.retryDelay)"])
                        nextDiscovery = ContinuousClock.now + Self.retryDelay
                    case .failed(let error):
                        logger.error("Topic reader cannot start", metadata: ["kafka.error": "\(error)"])
                        failure = error
                    }
                }
            }
            if failure != nil { break }
            guard buffer.waitForRoom(timeout: .milliseconds(100)) else { continue }
            let (messages, errors) = client.read(into: slots, capacity: capacity, timeoutMilliseconds: 100)
            for error in errors {
                if error.isFatal {
                    logger.error("Topic reader failed fatally", metadata: ["kafka.error": "\(error)"])
                    failure = error
                } else {
                    logger.warning("Topic reader error", metadata: ["kafka.error": "\(error)"])
                }
            }
            if let messages { buffer.push(messages) }
            if failure != nil { break }
        }
        close(failure: failure, reading: reading)
    }

    enum StartOutcome {
        case started
        /// The cluster could not be asked (unreachable, timed out, no leader yet): ask again.
        case retry(KafkaError)
        /// A topic does not exist, access is denied, or librdkafka refused to start a partition.
        case failed(KafkaError)
    }

    /// Finds every partition and its watermarks, records the ends to catch up with, and starts
    /// reading each (adding it to `reading`). Starts nothing when a request fails.
    private func start(_ reading: inout Set<TopicPartition>) -> StartOutcome {
        var ends: [TopicPartition: Int64] = [:]
        var positions: [TopicPartition: Int64] = [:]
        do throws(KafkaError) {
            for topic in configuration.topics {
                for id in try cluster.partitions(of: topic, timeout: configuration.metadataTimeout).get() {
                    let partition = TopicPartition(topic: topic, partition: id)
                    let (low, high) = try cluster.watermarks(of: partition, timeout: configuration.metadataTimeout).get()
                    ends[partition] = high
                    positions[partition] = ReaderProgressState<Never>.startPosition(
                        startingAt[partition] ?? .beginning, low: low, high: high)
                }
            }
        } catch {
            let lasting: Set<KafkaError.Code> = [.unknownTopic, .brokerRejected, .invalidArgument, .invalidConfiguration, .fatal]
            return lasting.contains(error.code) ? .failed(error) : .retry(error)
        }
        progress.started(ends: ends, positions: positions)
        for partition in ends.keys.sorted(by: { $0.description < $1.description }) {
            do throws(KafkaError) {
                try client.startReading(partition, at: startingAt[partition] ?? .beginning)
            } catch {
                return .failed(error)
            }
            reading.insert(partition)
        }
        logger.info("Topic reader started", metadata: [
            "kafka.partitions": "\(ends.keys.map(\.description).sorted())",
            "kafka.named_starts": "\(startingAt.count)",
        ])
        return .started
    }

    /// Starts reading partitions that appeared since the last look. A failed look is logged
    /// and tried again at the next interval.
    private func startAdded(_ reading: inout Set<TopicPartition>) {
        for topic in configuration.topics {
            let found: [Int32]
            switch cluster.partitions(of: topic, timeout: configuration.metadataTimeout) {
            case .success(let ids): found = ids
            case .failure(let error):
                logger.warning("Topic reader could not look for added partitions", metadata: ["kafka.error": "\(error)"])
                continue
            }
            for id in found {
                let partition = TopicPartition(topic: topic, partition: id)
                guard !reading.contains(partition) else { continue }
                let start = startingAt[partition] ?? .beginning
                do throws(KafkaError) {
                    try client.startReading(partition, at: start)
                } catch {
                    logger.error("Topic reader could not start reading an added partition", metadata: ["kafka.error": "\(error)"])
                    continue
                }
                reading.insert(partition)
                // For the lag gauge only, until its first batch: a new partition starts near 0.
                progress.added([partition: start.isLogical ? 0 : start.rawValue])
                logger.info("Topic reader found an added partition", metadata: ["kafka.partition": "\(partition)"])
            }
        }
    }

    /// Stops fetching and destroys the handle. The stop runs on a thread of its own, waited
    /// for up to `closeTimeout`; past it that thread is abandoned (it destroys the handle if
    /// its stop ever returns) and the outcome says so.
    private func close(failure: KafkaError?, reading: Set<TopicPartition>) {
        let (client, logger) = (self.client, self.logger)
        let partitions = Array(reading)
        let (wait, stoppedInTime) = ConsumerCloseWait.closeBounded(
            client, threadName: "kafka-reader-end", timeout: configuration.closeTimeout, logger: logger,
            lateNotice: "An abandoned topic reader stop returned at last; releasing its client"
        ) {
            if let error = client.stopReading(partitions) {
                logger.warning("Stopping a topic reader's fetchers failed", metadata: ["kafka.error": "\(error)"])
            }
        }
        _ = control.withLock { $0.closed() }
        buffer.finish(failure)
        progress.end(failure ?? KafkaError.closed("wait until caught up"))
        if !stoppedInTime {
            let error = KafkaError(
                code: .timedOut, operation: "close topic reader of \(configuration.topics.joined(separator: ", "))",
                reason: "stopping the fetchers took longer than \(configuration.closeTimeout); abandoned it")
            logger.error("Topic reader close abandoned", metadata: ["kafka.error": "\(error)"])
            control.closeOutcome.withLock { $0 = error }
        }
        if wait.pollThreadDone() == .pollThread { client.destroy() }
    }
}
