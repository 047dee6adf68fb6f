import CRdKafka
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
///   task at a time. Asking for the next element marks everything handed out before as
///   processed, which is what a revoke waits for before the partitions are given away.
/// - Threads: one dedicated thread per consumer runs `rd_kafka_consume_batch_queue` (blocking
///   up to 100 ms while idle), the rebalance handler, commits and close. The iterating task
///   never blocks; it suspends.
/// - `close()` (or the end of `run()`) commits stored offsets, leaves the group (so its
///   partitions move to the other members at once) and ends the sequences.
public final class KafkaConsumer: Service, Sendable {
    /// Commands the application asks the poll thread to run (commits, close), and whether the
    /// handle may still be used. Shared by the consumer and its poll thread.
    private final class Control: Sendable {
        struct State {
            var commands: [@Sendable (OpaquePointer) -> Void] = []
            var closeRequested = false
            var closed = false
        }
        private let state = Mutex(State())

        func withLock<Result>(_ body: (inout State) -> Result) -> Result {
            state.withLock { body(&$0) }
        }
    }

    private let client: RDKafkaClient
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let buffer: ConsumerBuffer
    private let control = Control()
    private let rebalancer: Rebalancer
    /// The consumer queue, to interrupt a blocking consume (`rd_kafka_queue_yield`).
    private let queue: RDKafkaQueue
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
            rebalance: { handle, event, partitions in rebalancer.rebalance(handle, event, partitions) })
        let client = try RDKafkaClient(kind: .consumer, properties: configuration.rdKafkaProperties, context: context)
        rd_kafka_poll_set_consumer(client.handle)
        let subscription = TopicPartitionList.make(
            configuration.topics.map { TopicPartition(topic: $0, partition: -1) })
        let code = rd_kafka_subscribe(client.handle, subscription)
        rd_kafka_topic_partition_list_destroy(subscription)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let error = KafkaError.rdKafka(code, operation: "subscribe to \(configuration.topics.joined(separator: ", "))")
            _ = DedicatedThread(name: "kafka-destroy") {
                rd_kafka_consumer_close(client.handle)
                client.destroy()
            }
            throw error
        }
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.buffer = buffer
        self.rebalancer = rebalancer
        let queue = RDKafkaQueue(rd_kafka_queue_get_consumer(client.handle)!)
        self.queue = queue
        let loop = PollLoop(
            client: client, queue: queue, buffer: buffer, control: control, rebalancer: rebalancer,
            configuration: configuration, logger: logger)
        self.pollThread = DedicatedThread(name: "kafka-consumer") { loop.run() }
    }

    deinit {
        // Without close() the group only notices after the session timeout; say so.
        if !control.withLock({ $0.closed || $0.closeRequested }) {
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
        let failure: KafkaError? = control.withLock { control in
            guard !control.closed else { return KafkaError.closed("store offsets") }
            let list = TopicPartitionList.make(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = rd_kafka_offsets_store(client.handle, list)
            if let failed = TopicPartitionList.elements(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
                return KafkaError.rdKafka(failed.error, operation: "store offset of \(failed.partition)")
            }
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: "store offsets")
        }
        if let failure { throw failure }
        rebalancer.didStore(offsets)
    }

    /// Commits the stored offsets now and returns when the group coordinator has them.
    public func commit() async throws(KafkaError) {
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            run(operation: "commit", continuation) { handle in
                let code = rd_kafka_commit(handle, nil, 0)
                if code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET { return .success(()) }
                return .failure(KafkaError.rdKafka(code, operation: "commit"))
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
        let timeout = configuration.client.requestTimeout.milliseconds
        let result: Result<[TopicPartition: KafkaOffset], KafkaError> = await withCheckedContinuation { continuation in
            run(operation: "read committed offsets", continuation) { handle in
                let list = TopicPartitionList.make(partitions)
                defer { rd_kafka_topic_partition_list_destroy(list) }
                let code = rd_kafka_committed(handle, list, Int32(timeout))
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    return .failure(KafkaError.rdKafka(code, operation: "read committed offsets"))
                }
                return .success(Dictionary(
                    TopicPartitionList.elements(list).map { ($0.partition, $0.offset) }, uniquingKeysWith: { a, _ in a }))
            }
        }
        return try result.get()
    }

    /// Stops fetching from these partitions (they stay assigned) until `resume`.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePartitions(partitions, operation: "pause") { rd_kafka_pause_partitions($0, $1) }
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePartitions(partitions, operation: "resume") { rd_kafka_resume_partitions($0, $1) }
    }

    /// Commits stored offsets, leaves the group and ends the message sequences. The batch the
    /// application holds counts as finished. Safe to call more than once.
    public func close() async {
        buffer.acknowledge()
        requestClose()
        await pollThread.join()
    }

    /// Runs until graceful shutdown (or cancellation), then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: - Internals

    private func requestClose() {
        control.withLock { $0.closeRequested = true }
        wakePollThread()
    }

    /// Interrupts the poll thread's wait. Under the control lock: the poll thread marks the
    /// consumer closed under it before destroying the queue, so a closed queue is never touched.
    private func wakePollThread() {
        control.withLock { control in
            if !control.closed { rd_kafka_queue_yield(queue.handle) }
        }
        buffer.wake()
    }

    /// Runs `work` on the poll thread (where blocking is allowed) and resumes `continuation`
    /// with its result; fails at once when the consumer is closed.
    private func run<Value: Sendable>(
        operation: String,
        _ continuation: CheckedContinuation<Result<Value, KafkaError>, Never>,
        _ work: @escaping @Sendable (OpaquePointer) -> Result<Value, KafkaError>
    ) {
        let accepted = control.withLock { control in
            guard !control.closed && !control.closeRequested else { return false }
            control.commands.append { handle in continuation.resume(returning: work(handle)) }
            return true
        }
        if accepted { wakePollThread() } else { continuation.resume(returning: .failure(.closed(operation))) }
    }

    private func changePartitions(
        _ partitions: [TopicPartition], operation: String,
        _ change: (OpaquePointer, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) throws(KafkaError) {
        let failure: KafkaError? = control.withLock { control in
            guard !control.closed else { return KafkaError.closed(operation) }
            let list = TopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = change(client.handle, list)
            if let failed = TopicPartitionList.elements(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
                return KafkaError.rdKafka(failed.error, operation: "\(operation) \(failed.partition)")
            }
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: operation)
        }
        if let failure { throw failure }
    }

    /// The body of the poll thread.
    private struct PollLoop: Sendable {
        let client: RDKafkaClient
        let queue: RDKafkaQueue
        let buffer: ConsumerBuffer
        let control: Control
        let rebalancer: Rebalancer
        let configuration: KafkaConsumerConfiguration
        let logger: Logger

        func run() {
            let handle = client.handle
            let capacity = max(1, configuration.maxBatchSize)
            let slots = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: capacity)
            defer { slots.deallocate() }
            var failure: KafkaError?
            while true {
                let (commands, closing) = control.withLock { control in
                    defer { control.commands = [] }
                    return (control.commands, control.closeRequested)
                }
                for command in commands { command(handle) }
                if closing { break }
                guard buffer.waitForRoom(timeout: .milliseconds(100)) else { continue }
                rebalancer.resetRebalanced()
                // Block (up to 100 ms) for one message, then take what else is ready without
                // waiting: a blocking batch call waits for a full batch or its whole timeout,
                // which under light load adds that timeout to every message's latency.
                guard let first = rd_kafka_consumer_poll(handle, 100) else { continue }
                slots[0] = first
                let more = capacity > 1 ? rd_kafka_consume_batch_queue(queue.handle, 0, slots + 1, capacity - 1) : 0
                let count = 1 + max(0, more)
                var batch: [UnsafeMutablePointer<rd_kafka_message_t>] = []
                batch.reserveCapacity(count)
                let current = rebalancer.rebalancedSinceReset ? rebalancer.currentAssignment : nil
                for index in 0..<count {
                    let message = slots[index]!
                    if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        if let fatal = report(message.pointee.err, message) { failure = fatal }
                        rd_kafka_message_destroy(message)
                    } else if let current, !current.contains(TopicPartition(message)) {
                        // Fetched before a revoke in this same call: another member's now.
                        rd_kafka_message_destroy(message)
                    } else {
                        batch.append(message)
                    }
                }
                if !batch.isEmpty { buffer.push(RawMessages(batch)) }
                if failure != nil { break }
            }
            close(handle, failure: failure)
        }

        private func close(_ handle: OpaquePointer, failure: KafkaError?) {
            if case .storedOffsets = configuration.commitStrategy {
                let code = rd_kafka_commit(handle, nil, 0)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.error("Committing stored offsets on close failed", metadata: ["kafka.error": "\(KafkaError.rdKafka(code, operation: "commit"))"])
                }
            }
            let code = rd_kafka_consumer_close(handle)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("Leaving the consumer group failed", metadata: ["kafka.error": "\(KafkaError.rdKafka(code, operation: "close"))"])
            }
            let pending = control.withLock { control in
                control.closed = true
                defer { control.commands = [] }
                return control.commands
            }
            for command in pending { command(handle) }  // they fail fast: the consumer is closed
            buffer.finish(failure)
            rd_kafka_queue_destroy(queue.handle)
            client.destroy()
        }

        /// Logs a consumer error event; returns the error when it ends the consumer.
        private func report(_ code: rd_kafka_resp_err_t, _ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError? {
            if code == RD_KAFKA_RESP_ERR__FATAL {
                let error = client.fatalError(operation: "consume")
                logger.error("Consumer failed fatally", metadata: ["kafka.error": "\(error)"])
                return error
            }
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
            let error = KafkaError.rdKafka(code, operation: "consume", reason: reason)
            logger.warning("Consumer error", metadata: ["kafka.error": "\(error)"])
            return nil
        }
    }
}

/// Converts librdkafka's messages to a `KafkaConsumerBatch`, caching topic names by handle so
/// a batch allocates no topic strings.
struct MessageConverter {
    /// A copy of `count` bytes: one allocation and one `memcpy` (initialising an array from a
    /// raw buffer as a sequence would copy byte by byte).
    @inline(__always)
    static func bytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.initialize(from: start.assumingMemoryBound(to: UInt8.self), count: count) }
            initialized = count
        }
    }

    /// Appends `message`'s headers to `headers`.
    ///
    /// librdkafka parses a record's headers on this first call, allocating a parse buffer even
    /// when there are none (the count is part of the bytes): ~80 ns per message, which
    /// `readsHeaders` lets a consumer that needs no headers skip.
    static func appendHeaders(of message: UnsafePointer<rd_kafka_message_t>, to headers: inout [KafkaHeader]) {
        var headerList: OpaquePointer?
        guard rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var headerBytes: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headerList, index, &name, &headerBytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerBytes.map { bytes($0, size) }))
            index += 1
        }
    }

    private var topicNames: [OpaquePointer: String] = [:]
    private let buffers: BatchBufferPool?
    private let readsHeaders: Bool

    /// - Parameters:
    ///   - buffers: where batch buffers come from; without one each is allocated.
    ///   - readsHeaders: false leaves every message's headers empty, unparsed.
    init(buffers: BatchBufferPool? = nil, readsHeaders: Bool = true) {
        self.buffers = buffers
        self.readsHeaders = readsHeaders
    }

    /// Converts a batch, copying all keys and values into one buffer.
    mutating func convert(_ messages: [UnsafeMutablePointer<rd_kafka_message_t>]) -> KafkaConsumerBatch {
        var total = 0
        for message in messages { total += message.pointee.len + (message.pointee.key == nil ? 0 : message.pointee.key_len) }
        var bytes = BatchBytes(capacity: total, pool: buffers)
        var records: [BatchContents.Record] = []
        records.reserveCapacity(messages.count)
        var topics: [String] = []
        var headers: [KafkaHeader] = []
        var last: (handle: OpaquePointer, index: Int32)?
        for message in messages {
            let raw = message.pointee
            let topic: Int32
            if let last, last.handle == raw.rkt {
                topic = last.index
            } else {
                let name = topicName(raw.rkt)
                topic = Int32(topics.firstIndex(of: name) ?? topics.endIndex)
                if topic == topics.endIndex { topics.append(name) }
                last = (raw.rkt, topic)
            }
            let keyStart = raw.key.map { bytes.append($0, raw.key_len) }
            let valueStart = raw.payload.map { bytes.append($0, raw.len) } ?? 0
            let firstHeader = headers.endIndex
            if readsHeaders { Self.appendHeaders(of: message, to: &headers) }
            var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(message, &timestampType)
            records.append(BatchContents.Record(
                topic: topic, partition: raw.partition, offset: raw.offset,
                keyStart: keyStart ?? 0, keyCount: keyStart == nil ? -1 : raw.key_len,
                valueStart: valueStart, valueCount: raw.payload == nil ? 0 : raw.len,
                timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? BatchContents.Record.noTimestamp : timestamp,
                headers: firstHeader..<headers.endIndex))
        }
        return KafkaConsumerBatch(BatchContents(bytes: bytes.storage, records: records, topics: topics, headers: headers))
    }

    private mutating func topicName(_ handle: OpaquePointer) -> String {
        if let cached = topicNames[handle] { return cached }
        let name = String(cString: rd_kafka_topic_name(handle))
        topicNames[handle] = name
        return name
    }
}
