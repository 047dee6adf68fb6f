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

    /// Returns once `count` of the progress reaches `target`; throws `ProgressStalled` when
    /// `count` has not moved for `stall`, and `CancellationError` when the task is cancelled.
    ///
    /// For callers that would otherwise wait for ever on a service that stopped making progress
    /// (an event dead-lettered that was expected to arrive, a service whose run failed while
    /// the caller waited): benchmarks and tools that feed a service and wait for its effects.
    /// The stall is measured from the last change, so a long run that keeps moving never times out.
    public func wait(
        until count: @escaping @Sendable (Snapshot) -> Int64, reaches target: Int64, stallingAfter stall: Duration
    ) async throws {
        var seen = count(snapshot)
        while seen < target {
            try Task.checkCancellation()
            let last = seen
            let moved = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await self.wait { let now = count($0); return now != last || now >= target }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: stall)
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            seen = count(snapshot)
            guard moved || seen != last else { throw ProgressStalled(reached: seen, target: target, stall: stall) }
        }
    }
}

/// A wait for a service's progress ended because nothing changed for the time allowed.
public struct ProgressStalled: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the awaited count stood, and where it was to reach.
    public var reached: Int64
    public var target: Int64
    /// How long it stood still.
    public var stall: Duration

    public var description: String {
        "no progress for \(stall) at \(reached) of \(target)"
    }
}
