import Foundation
import Kafka

/// What a running service has durably done, with a way to await a condition on it without
/// polling (tests, `dev`, benchmarks). Updated after each batch's commit.
public final class ServiceProgress: Sendable {
    public struct Snapshot: Sendable {
        /// Next offset per partition, as committed in the service's database.
        public var nextOffsets: [TopicPartition: KafkaOffset] = [:]
        /// Events applied, poison messages dead-lettered, duplicates (by event id) and messages
        /// skipped (at or below a stored offset) since this process started the service.
        public var applied = 0
        public var deadLettered = 0
        public var duplicates = 0
        public var skipped = 0
        /// Events of types the service does not need, read past, per event type.
        public var skippedByType: [String: Int] = [:]
        /// Events whose id had been applied before with other content (dead-lettered).
        public var reusedIds = 0
        /// Applied event ids forgotten after their topic's retention.
        public var forgottenEventIds = 0
        /// Outbox messages the broker refused for good (moved to the failed outbox).
        public var failedOutbox = 0
        /// Outbox messages the broker acknowledged since start, per topic.
        public var published: [String: Int] = [:]
        /// Batches committed since start.
        public var batches = 0
        /// Where those batches' time went.
        public var stages = BatchStages()
        /// Attempts at a batch that failed because the database was unavailable (each retried).
        public var storageRetries = 0
        /// The partitions the group currently gives this service (empty until it has joined).
        public var assigned: Set<TopicPartition> = []
        /// Whether the group has given this service an assignment at least once. It may be
        /// empty (more members than partitions), so this, not `assigned`, says the service is
        /// ready: it has joined its group and will be given partitions on the next rebalance.
        public var joinedGroup = false

        /// The sum of next offsets over the topic's partitions: on a topic whose partitions start
        /// at offset 0, the number of its messages the service has consumed.
        public func consumed(_ topic: String) -> Int64 {
            nextOffsets.filter { $0.key.topic == topic }.reduce(0) { $0 + $1.value.rawValue }
        }
    }

    private let state = AwaitableState(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.value }

    func update(_ change: (inout Snapshot) -> Void) {
        state.update(change)
    }

    /// Returns once `ready` holds for the progress (or the task is cancelled).
    public func wait(until ready: @escaping @Sendable (Snapshot) -> Bool) async {
        await state.wait(until: ready)
    }
}
