import CRdKafka
import Logging
import Synchronization

/// Handles librdkafka's rebalance callback on the consumer's poll thread.
///
/// On assignment it asks the service where to start (its own stored offsets) and assigns the
/// partitions there. On revoke it drops messages of those partitions that the application has
/// not been given, waits for the batch the application is processing, lets the service flush,
/// commits stored offsets and only then gives the partitions up — so no effect is left without
/// its offset and no partition is read by two members at once.
final class Rebalancer: Sendable {
    private let handler: KafkaRebalanceHandler?
    private let buffer: ConsumerBuffer
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let assignment = Mutex<Set<TopicPartition>>([])
    private let rebalanced = Atomic<Bool>(false)
    /// Offsets the application stored, per assigned partition.
    private let stored = Mutex<[TopicPartition: KafkaOffset]>([:])
    /// Stored offsets whose commit on revoke failed (a coordinator may refuse commits while the
    /// group rebalances). If the same partitions come back in the next assignment, reading
    /// resumes from them instead of from the older committed offset, and they are stored again
    /// so the next commit carries them.
    private let uncommitted = Mutex<[TopicPartition: KafkaOffset]>([:])

    init(handler: KafkaRebalanceHandler?, buffer: ConsumerBuffer, configuration: KafkaConsumerConfiguration, logger: Logger) {
        self.handler = handler
        self.buffer = buffer
        self.configuration = configuration
        self.logger = logger
    }

    var currentAssignment: Set<TopicPartition> { assignment.withLock { $0 } }
    var rebalancedSinceReset: Bool { rebalanced.load(ordering: .relaxed) }
    func resetRebalanced() { rebalanced.store(false, ordering: .relaxed) }

    /// Records offsets the application stored (called after librdkafka accepted them).
    func didStore(_ offsets: [TopicPartition: KafkaOffset]) {
        stored.withLock { stored in
            for (partition, offset) in offsets where stored[partition].map({ $0 < offset }) ?? true {
                stored[partition] = offset
            }
        }
    }

    func rebalance(
        _ handle: OpaquePointer, _ event: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) {
        rebalanced.store(true, ordering: .relaxed)
        let partitions = TopicPartitionList.partitions(list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            var start = uncommitted.withLock { uncommitted in
                defer { uncommitted = [:] }
                return uncommitted.filter { partitions.contains($0.key) }
            }
            let resumed = start
            start.merge(handler?.partitionsAssigned(partitions) ?? [:]) { _, fromService in fromService }
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                if let offset = start[partition] { list.pointee.elems[index].offset = offset.rawValue }
            }
            logger.info("Partitions assigned", metadata: ["kafka.partitions": "\(partitions.map(\.description).sorted())"])
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, list) {
                    logger.error("Assigning partitions failed", metadata: ["kafka.error": "\(KafkaError.consuming(error, operation: "assign"))"])
                }
            } else {
                let code = rd_kafka_assign(handle, list)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.error("Assigning partitions failed", metadata: ["kafka.error": "\(KafkaError.rdKafka(code, operation: "assign"))"])
                }
            }
            assignment.withLock { $0.formUnion(partitions) }
            if !resumed.isEmpty {
                let list = TopicPartitionList.make(resumed)
                rd_kafka_offsets_store(handle, list)
                rd_kafka_topic_partition_list_destroy(list)
                didStore(resumed)
            }

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revoked = Set(partitions)
            assignment.withLock { $0.subtract(revoked) }
            buffer.dropPending(of: revoked)
            if !buffer.waitUntilIdle(timeout: configuration.revokeDrainTimeout) {
                logger.warning("Partitions revoked while the application was still processing a batch",
                               metadata: ["kafka.waited": "\(configuration.revokeDrainTimeout)"])
            }
            handler?.partitionsRevoked(partitions)
            let storedForRevoked = stored.withLock { stored in
                defer { for partition in revoked { stored[partition] = nil } }
                return stored.filter { revoked.contains($0.key) }
            }
            if case .storedOffsets = configuration.commitStrategy {
                let code = rd_kafka_commit(handle, nil, 0)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.warning("Committing stored offsets before revoke failed; keeping them in case the partitions come back",
                                   metadata: ["kafka.error": "\(KafkaError.rdKafka(code, operation: "commit"))"])
                    uncommitted.withLock { $0.merge(storedForRevoked) { _, new in new } }
                }
            }
            logger.info("Partitions revoked", metadata: ["kafka.partitions": "\(partitions.map(\.description).sorted())"])
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, list) {
                    logger.error("Unassigning partitions failed", metadata: ["kafka.error": "\(KafkaError.consuming(error, operation: "unassign"))"])
                }
            } else {
                rd_kafka_assign(handle, nil)
            }

        default:
            logger.error("Rebalance failed", metadata: ["kafka.error": "\(KafkaError.rdKafka(event, operation: "rebalance"))"])
            assignment.withLock { $0.removeAll() }
            rd_kafka_assign(handle, nil)
        }
    }
}
