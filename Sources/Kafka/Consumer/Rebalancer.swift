import Logging
import Synchronization

/// Handles librdkafka's rebalance callback, on the thread serving the consumer queue (the poll
/// thread, or the closing thread during `close()`).
///
/// On assignment it asks the service where to start (its own stored offsets) and assigns the
/// partitions there. On revoke it drops messages of those partitions that the application has
/// not been given, waits for the batch the application is processing, lets the service flush,
/// commits stored offsets and only then gives the partitions up — so no effect is left without
/// its offset and no partition is read by two members at once. Its bookkeeping is one value,
/// `RebalanceState`, behind one lock.
final class Rebalancer: Sendable {
    private let handler: KafkaRebalanceHandler?
    private let buffer: ConsumerBuffer
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let state = Mutex(RebalanceState())

    init(handler: KafkaRebalanceHandler?, buffer: ConsumerBuffer, configuration: KafkaConsumerConfiguration, logger: Logger) {
        self.handler = handler
        self.buffer = buffer
        self.configuration = configuration
        self.logger = logger
    }

    var currentAssignment: Set<TopicPartition> { state.withLock { $0.assignment } }

    /// Starts watching for a rebalance during one poll.
    func resetRebalanced() { state.withLock { $0.resetRebalanced() } }

    /// The assignment, if a rebalance happened since `resetRebalanced()` (nil otherwise).
    var assignmentIfRebalanced: Set<TopicPartition>? { state.withLock { $0.assignmentIfRebalanced } }

    /// Records offsets the application stored (called after librdkafka accepted them).
    func didStore(_ offsets: [TopicPartition: KafkaOffset]) {
        state.withLock { $0.didStore(offsets) }
    }

    func rebalance(_ rebalance: RDKafkaRebalance) {
        let partitions = rebalance.partitions
        switch rebalance.event {
        case .assign:
            let resumed = state.withLock { $0.assigning(partitions) }
            var start = resumed
            start.merge(handler?.partitionsAssigned(partitions) ?? [:]) { _, fromService in fromService }
            logger.info("Partitions assigned", metadata: ["kafka.partitions": "\(partitions.map(\.description).sorted())"])
            if let error = rebalance.assign(startingAt: start) {
                logger.error("Assigning partitions failed", metadata: ["kafka.error": "\(error)"])
            }
            state.withLock { $0.assigned(partitions) }
            if !resumed.isEmpty {
                if let error = rebalance.storeOffsets(resumed) {
                    logger.error("Storing the offsets kept from a failed commit failed", metadata: ["kafka.error": "\(error)"])
                }
                didStore(resumed)
            }

        case .revoke:
            let revoked = Set(partitions)
            state.withLock { $0.revoking(revoked) }
            buffer.dropPending(of: revoked)
            if !buffer.waitUntilIdle(timeout: configuration.revokeDrainTimeout) {
                logger.warning("Partitions revoked while the application was still processing a batch",
                               metadata: ["kafka.waited": "\(configuration.revokeDrainTimeout)"])
            }
            handler?.partitionsRevoked(partitions)
            // Taken after the wait: the batch in flight may have stored offsets meanwhile.
            let storedForRevoked = state.withLock { $0.takeStored(of: revoked) }
            if case .storedOffsets = configuration.commitStrategy, let error = rebalance.commitStoredOffsets() {
                logger.warning("Committing stored offsets before revoke failed; keeping them in case the partitions come back",
                               metadata: ["kafka.error": "\(error)"])
                state.withLock { $0.commitFailed(storedForRevoked) }
            }
            logger.info("Partitions revoked", metadata: ["kafka.partitions": "\(partitions.map(\.description).sorted())"])
            if let error = rebalance.unassign() {
                logger.error("Unassigning partitions failed", metadata: ["kafka.error": "\(error)"])
            }

        case .failed(let error):
            logger.error("Rebalance failed", metadata: ["kafka.error": "\(error)"])
            state.withLock { $0.failed() }
            rebalance.unassignAll()
        }
    }
}

/// What a consumer knows of its group membership: the assigned partitions, the offsets the
/// application stored for them, and stored offsets whose commit on revoke failed (a coordinator
/// may refuse commits while the group rebalances) — if the same partitions come back, reading
/// resumes from those instead of from the older committed offset, and they are stored again so
/// the next commit carries them. A pure value; `Rebalancer` holds it behind one lock.
struct RebalanceState: Equatable {
    private(set) var assignment: Set<TopicPartition> = []
    /// Whether a rebalance happened since `resetRebalanced()`.
    private(set) var rebalanced = false
    private(set) var stored: [TopicPartition: KafkaOffset] = [:]
    private(set) var uncommitted: [TopicPartition: KafkaOffset] = [:]

    mutating func resetRebalanced() { rebalanced = false }

    var assignmentIfRebalanced: Set<TopicPartition>? { rebalanced ? assignment : nil }

    /// Keeps, per partition, the highest offset stored.
    mutating func didStore(_ offsets: [TopicPartition: KafkaOffset]) {
        for (partition, offset) in offsets where stored[partition].map({ $0 < offset }) ?? true {
            stored[partition] = offset
        }
    }

    /// Partitions are being assigned: returns where to resume those whose last commit failed
    /// (the service's own offsets, asked next, take precedence). Forgets the other failed
    /// commits: their partitions went to another member, which resumes from the committed ones.
    mutating func assigning(_ partitions: [TopicPartition]) -> [TopicPartition: KafkaOffset] {
        rebalanced = true
        defer { uncommitted = [:] }
        return uncommitted.filter { partitions.contains($0.key) }
    }

    mutating func assigned(_ partitions: [TopicPartition]) {
        assignment.formUnion(partitions)
    }

    /// Partitions are being revoked: they leave the assignment at once (messages fetched for
    /// them are dropped).
    mutating func revoking(_ revoked: Set<TopicPartition>) {
        rebalanced = true
        assignment.subtract(revoked)
    }

    /// Once the batch in flight is finished: forgets and returns the offsets stored for revoked
    /// partitions, which the revoke commits.
    mutating func takeStored(of revoked: Set<TopicPartition>) -> [TopicPartition: KafkaOffset] {
        defer { for partition in revoked { stored[partition] = nil } }
        return stored.filter { revoked.contains($0.key) }
    }

    /// The commit before a revoke failed: keep these offsets in case the partitions come back.
    mutating func commitFailed(_ offsets: [TopicPartition: KafkaOffset]) {
        uncommitted.merge(offsets) { _, new in new }
    }

    /// The rebalance failed: librdkafka unassigns everything.
    mutating func failed() {
        rebalanced = true
        assignment.removeAll()
    }
}
