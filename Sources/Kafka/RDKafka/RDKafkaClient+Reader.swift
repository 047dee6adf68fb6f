import CRdKafka

/// The topic reader's calls, on a `.reader` handle: librdkafka's simple consumer, which fetches
/// the partitions it is told to from the offsets it is given, with no consumer group (so no
/// coordinator, no join, no commit).
extension RDKafkaClient {
    /// The partition ids of `topic`, from one metadata request about it (blocks up to
    /// `timeout`). Fails with `.unknownTopic` when the cluster has no such topic.
    func partitions(of topic: String, timeout: Duration) -> Result<[Int32], KafkaError> {
        let operation = "read the partitions of topic \(topic)"
        let topicHandle: OpaquePointer
        do throws(KafkaError) {
            topicHandle = try self.topic(named: topic)
        } catch {
            return .failure(error)
        }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, topicHandle, &metadata, Int32(timeout.milliseconds))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return .failure(KafkaError.rdKafka(code, operation: operation))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let entry = metadata.pointee.topics[index]
            guard String(cString: entry.topic) == topic else { continue }
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError.rdKafka(entry.err, operation: operation))
            }
            return .success((0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted())
        }
        return .failure(KafkaError(code: .unknownTopic, operation: operation, reason: "the cluster did not describe it"))
    }

    /// The oldest offset `partition` still holds and its end (the next offset to be written;
    /// the last stable offset for a read_committed reader), asked of its leader (blocks up to
    /// `timeout`).
    func watermarks(of partition: TopicPartition, timeout: Duration) -> Result<(low: Int64, high: Int64), KafkaError> {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_query_watermark_offsets(
            handle, partition.topic, partition.partition, &low, &high, Int32(timeout.milliseconds))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError.rdKafka(code, operation: "read the watermarks of \(partition)"))
        }
        return .success((low, high))
    }

    /// Starts fetching `partition` into the reader's queue from `offset` (absolute, or
    /// `.beginning` / `.end`); does not block. A partition must not be started twice.
    func startReading(_ partition: TopicPartition, at offset: KafkaOffset) throws(KafkaError) {
        let topicHandle = try topic(named: partition.topic)
        if rd_kafka_consume_start_queue(topicHandle, partition.partition, offset.rawValue, consumerQueue) != 0 {
            throw KafkaError.rdKafka(rd_kafka_last_error(), operation: "start reading \(partition) at \(offset)")
        }
    }

    /// Stops fetching these partitions (librdkafka drops what it prefetched for them), as it
    /// asks before the handle is destroyed. Blocks until each partition's fetcher has stopped.
    func stopReading(_ partitions: [TopicPartition]) -> KafkaError? {
        var failure: KafkaError?
        for partition in partitions {
            guard let topicHandle = topics.withLock({ $0[partition.topic] }) else { continue }
            if rd_kafka_consume_stop(topicHandle, partition.partition) != 0, failure == nil {
                failure = KafkaError.rdKafka(rd_kafka_last_error(), operation: "stop reading \(partition)")
            }
        }
        return failure
    }

    /// Takes up to `capacity` messages (and partition ends) from the reader's queue into
    /// `slots`: blocks up to `timeoutMilliseconds` for the first, then takes what else is ready
    /// without waiting, as `consume` does. Serves the client's callbacks meanwhile.
    func read(
        into slots: UnsafeMutablePointer<RDKafkaMessagePointer?>, capacity: Int, timeoutMilliseconds: Int32
    ) -> (messages: RawMessages?, errors: [KafkaError]) {
        guard let first = rd_kafka_consume_queue(consumerQueue, timeoutMilliseconds) else { return (nil, []) }
        slots[0] = first
        let more = capacity > 1 ? rd_kafka_consume_batch_queue(consumerQueue, 0, slots + 1, capacity - 1) : 0
        return sort(slots, count: 1 + max(0, more), keeping: nil)
    }
}
