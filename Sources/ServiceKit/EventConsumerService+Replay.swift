import Kafka
import Storage

extension EventConsumerService {
    /// What one replayed batch did.
    public struct ReplayedBatch: Sendable {
        /// Events applied to the state.
        public var applied = 0
        /// Poison messages (dead-lettered when the service read them the first time).
        public var deadLettered = 0
        /// Events whose id had been applied already (a message written twice).
        public var duplicates = 0
        /// Events of types the service does not need, read past.
        public var skippedByType = 0
        /// Where the batch's time went.
        public var stages = BatchStages()
    }

    /// Applies messages read outside the consumer group — a replay rebuilding the state in a
    /// fresh database (`reentrybus replay`) — through the very transaction `run()` uses: effects,
    /// offsets, applied event ids, dead-letter decisions and bounded-state pruning are those of
    /// the running service, so the rebuilt state is the one the service built.
    ///
    /// The outbox is discarded, never produced: a rebuilt state must not notify again (the
    /// service already did, and its notifications' ids are the same). Each batch's transaction
    /// deletes the rows the previous batch queued, and ``finishReplay(at:)`` the last ones.
    /// Nothing is counted in metrics, and `afterCommit` actions do not run.
    ///
    /// - Throws: the database's errors (``ServiceDatabaseError``); the batch committed nothing.
    public func applyReplayed(_ messages: [KafkaConsumerMessage]) async throws -> ReplayedBatch {
        // `acknowledged: .max` deletes every outbox row at the start of the transaction;
        // `published: .max` keeps the outcome from reading this batch's rows back.
        let outcome = try await applyBatch(messages, acknowledged: .max, published: .max)
        return ReplayedBatch(
            applied: outcome.applied, deadLettered: outcome.deadLettered, duplicates: outcome.duplicates,
            skippedByType: outcome.skippedByType.values.reduce(0, +), stages: outcome.stages)
    }

    /// Ends a replay, in one transaction: raises the stored offsets to `offsets` (those of the
    /// state being replaced, so the service resumes exactly where it stopped, also where a
    /// partition's last offsets held no message to apply) and discards what is left in the
    /// outbox.
    public func finishReplay(at offsets: [TopicPartition: KafkaOffset]) async throws {
        try await database.write { transaction in
            try ServiceDatabase.advance(offsets, transaction)
            try ServiceDatabase.removeFromOutbox(through: .max, transaction)
        }
    }
}
