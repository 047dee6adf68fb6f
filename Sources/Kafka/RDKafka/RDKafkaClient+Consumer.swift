import CRdKafka

/// The consumer's calls: subscribing, fetching batches, offsets, pausing, closing.
extension RDKafkaClient {
    /// Subscribes the group member to `topics`; does not block.
    func subscribe(_ topics: [String]) throws(KafkaError) {
        let subscription = TopicPartitionList.make(topics.map { TopicPartition(topic: $0, partition: -1) })
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        let code = rd_kafka_subscribe(handle, subscription)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, operation: "subscribe to \(topics.joined(separator: ", "))")
        }
    }

    /// Takes up to `capacity` messages into `slots`: blocks up to `timeoutMilliseconds` for the
    /// first, then takes what else is ready without waiting (a blocking batch call waits for a
    /// full batch or its whole timeout, which under light load adds that timeout to every
    /// message's latency). Serves rebalance callbacks meanwhile. Returns the messages worth
    /// handing over — none of a partition outside `assignment` when one is given (fetched
    /// before a revoke in this same call: another member's now) — and the error events, which
    /// are destroyed here.
    func consume(
        into slots: UnsafeMutablePointer<RDKafkaMessagePointer?>, capacity: Int, timeoutMilliseconds: Int32,
        assignment: () -> Set<TopicPartition>?
    ) -> (messages: RawMessages?, errors: [KafkaError]) {
        guard let first = rd_kafka_consumer_poll(handle, timeoutMilliseconds) else { return (nil, []) }
        slots[0] = first
        let more = capacity > 1 ? rd_kafka_consume_batch_queue(consumerQueue, 0, slots + 1, capacity - 1) : 0
        return sort(slots, count: 1 + max(0, more), keeping: assignment())
    }

    /// Sorts what a consume call returned into messages worth handing over (none of a
    /// partition outside `assignment`, when one is given), ends of partitions, and errors;
    /// destroys the events that are not messages.
    func sort(
        _ slots: UnsafeMutablePointer<RDKafkaMessagePointer?>, count: Int, keeping assignment: Set<TopicPartition>?
    ) -> (messages: RawMessages?, errors: [KafkaError]) {
        var batch: [RDKafkaMessagePointer] = []
        batch.reserveCapacity(count)
        var ends: [TopicPartition: Int64] = [:]
        var errors: [KafkaError] = []
        for index in 0..<count {
            let message = slots[index]!
            let code = message.pointee.err
            if code == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                // Only asked for by readers: the offset is the partition's end, the next to read.
                let partition = TopicPartition(message)
                ends[partition] = max(ends[partition] ?? .min, message.pointee.offset)
                rd_kafka_message_destroy(message)
            } else if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                if code == RD_KAFKA_RESP_ERR__FATAL {
                    errors.append(fatalError(operation: "consume"))
                } else {
                    let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
                    errors.append(KafkaError.rdKafka(code, operation: "consume", reason: reason))
                }
                rd_kafka_message_destroy(message)
            } else if let assignment, !assignment.contains(TopicPartition(message)) {
                rd_kafka_message_destroy(message)
            } else {
                batch.append(message)
            }
        }
        return (batch.isEmpty && ends.isEmpty ? nil : RawMessages(batch, ends: ends), errors)
    }

    /// Interrupts a blocking `consume` on another thread.
    func wakeConsumer() {
        if let consumerQueue { rd_kafka_queue_yield(consumerQueue) }
    }

    /// Stores, for each partition, the offset of the next message to read (committed later);
    /// does not block.
    func storeOffsets(_ offsets: [TopicPartition: KafkaOffset]) throws(KafkaError) {
        if let error = Self.storeOffsets(offsets, handle: handle) { throw error }
    }

    static func storeOffsets(_ offsets: [TopicPartition: KafkaOffset], handle: OpaquePointer) -> KafkaError? {
        let list = TopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let code = rd_kafka_offsets_store(handle, list)
        if let failed = TopicPartitionList.elements(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            return KafkaError.rdKafka(failed.error, operation: "store offset of \(failed.partition)")
        }
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: "store offsets")
    }

    /// Commits the stored offsets and waits for the coordinator's answer (blocks). Having
    /// nothing to commit is success.
    func commitStoredOffsets() -> KafkaError? {
        Self.commitStoredOffsets(handle: handle)
    }

    static func commitStoredOffsets(handle: OpaquePointer) -> KafkaError? {
        let code = rd_kafka_commit(handle, nil, 0)
        if code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET { return nil }
        return KafkaError.rdKafka(code, operation: "commit")
    }

    /// The group's committed offsets for `partitions` (blocks up to `timeoutMilliseconds`).
    func committedOffsets(
        for partitions: [TopicPartition], timeoutMilliseconds: Int32
    ) -> Result<[TopicPartition: KafkaOffset], KafkaError> {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let code = rd_kafka_committed(handle, list, timeoutMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError.rdKafka(code, operation: "read committed offsets"))
        }
        return .success(Dictionary(
            TopicPartitionList.elements(list).map { ($0.partition, $0.offset) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Stops fetching these partitions; does not block.
    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePartitions(partitions, operation: "pause") { rd_kafka_pause_partitions($0, $1) }
    }

    /// Fetches these partitions again; does not block.
    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePartitions(partitions, operation: "resume") { rd_kafka_resume_partitions($0, $1) }
    }

    /// Leaves the group (revoking the assignment through the rebalance callback, on this
    /// thread). Blocks, without a bound of its own: with the brokers gone it can block for
    /// ever, so the consumer calls it on a thread it can abandon.
    func closeConsumer() -> KafkaError? {
        let code = rd_kafka_consumer_close(handle)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: "close")
    }

    private func changePartitions(
        _ partitions: [TopicPartition], operation: String,
        _ change: (OpaquePointer, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) throws(KafkaError) {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let code = change(handle, list)
        if let failed = TopicPartitionList.elements(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.rdKafka(failed.error, operation: "\(operation) \(failed.partition)")
        }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.rdKafka(code, operation: operation) }
    }
}

/// One rebalance callback: the event, its partitions and the calls that answer it. Valid only
/// during the callback (librdkafka owns the list).
struct RDKafkaRebalance {
    enum Event {
        case assign
        case revoke
        case failed(KafkaError)
    }

    private let handle: OpaquePointer
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    let event: Event
    let partitions: [TopicPartition]
    /// Whether the group uses the cooperative (incremental) protocol rather than eager.
    let isCooperative: Bool

    init(handle: OpaquePointer, event: rd_kafka_resp_err_t, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.handle = handle
        self.list = list
        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS: self.event = .assign
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: self.event = .revoke
        default: self.event = .failed(KafkaError.rdKafka(event, operation: "rebalance"))
        }
        partitions = TopicPartitionList.partitions(list)
        isCooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
    }

    /// Takes the assigned partitions, starting each one named in `start` there.
    func assign(startingAt start: [TopicPartition: KafkaOffset]) -> KafkaError? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
            if let offset = start[partition] { list.pointee.elems[index].offset = offset.rawValue }
        }
        if isCooperative {
            return rd_kafka_incremental_assign(handle, list).map { KafkaError.consuming($0, operation: "assign") }
        }
        let code = rd_kafka_assign(handle, list)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: "assign")
    }

    /// Gives the revoked partitions up.
    func unassign() -> KafkaError? {
        if isCooperative {
            return rd_kafka_incremental_unassign(handle, list).map { KafkaError.consuming($0, operation: "unassign") }
        }
        unassignAll()
        return nil
    }

    /// Gives every partition up (after a failed rebalance).
    func unassignAll() {
        rd_kafka_assign(handle, nil)
    }

    func storeOffsets(_ offsets: [TopicPartition: KafkaOffset]) -> KafkaError? {
        RDKafkaClient.storeOffsets(offsets, handle: handle)
    }

    /// Commits the stored offsets (blocks until the coordinator answers).
    func commitStoredOffsets() -> KafkaError? {
        RDKafkaClient.commitStoredOffsets(handle: handle)
    }
}
