import Contracts
import Storage
import Kafka

extension EventConsumerService {
    /// What one batch's transaction did.
    struct BatchOutcome: Sendable {
        var applied = 0, deadLettered = 0, duplicates = 0, skipped = 0, reusedIds = 0, forgotten = 0
        /// Sealing orders applied, and events not kept because an order covers them.
        var sealingOrders = 0, sealedRecords = 0
        /// Events of types the service does not need, per type.
        var skippedByType: [String: Int] = [:]
        /// Events applied, per type.
        var appliedByType: [String: Int] = [:]
        /// What the projection asked to count (`ProjectionTransaction.countOnCommit`), for
        /// the events whose changes were kept.
        var counts: [ProjectionCount] = []
        /// What the projection asked to warn of (`ProjectionTransaction.warnOnCommit`), likewise.
        var warnings: [ProjectionWarning] = []
        var offsets: [TopicPartition: KafkaOffset] = [:]
        /// The outbox entries this batch added, to deliver after the commit.
        var outbox: [ServiceDatabase.OutboxEntry] = []
        var afterCommit: [@Sendable () -> Void] = []
        /// Where each dead letter came from and why (for the log: names no values).
        var deadLetters: [(source: String, reason: String)] = []
        /// Whether the batch was applied event by event, each in a savepoint (``EventIsolation``).
        var isolatedEachEvent = false
        /// Poison messages a projection found (after writing, maybe): rolled back to their savepoints.
        var poisonedInProjection = 0
        /// Where the batch's time went.
        var stages = BatchStages()
    }

    /// Applies one batch in one transaction: effects, outbox, offsets, applied event ids.
    /// Without a savepoint an event unless a projection finds a poison message, which takes a
    /// second transaction (``EventIsolation``).
    ///
    /// `acknowledged`: outbox entries up to it were delivered and are removed here.
    /// `published`: entries up to it were handed to the producer; the outcome lists only those after.
    /// `thread`: the service's own; when the caller runs on it, the transaction runs right
    /// there (blocking it), otherwise on the database's thread.
    func applyBatch(
        _ batch: [KafkaConsumerMessage], acknowledged: Int64?, published: Int64, on thread: ServiceThread? = nil
    ) async throws -> BatchOutcome {
        let ordered = ArrivalOrder.merged(batch)
        let projection = self.projection
        let admission = self.admission
        let deadLetterTopic = configuration.deadLetterTopic
        let maxMessageBytes = configuration.producer.maxMessageBytes
        let retention = configuration.retention
        let forgetLimit = ForgetBudget.rows(forBatchOf: batch.count)
        let body: @Sendable (EventIsolation, any StorageTransaction) throws -> BatchOutcome = { isolation, db in
            var outcome = BatchOutcome()
            outcome.isolatedEachEvent = isolation == .eachEvent
            var stageClock = StageClock()
            let statementsBefore = db.statementTime, statementCountBefore = db.statementCount
            outcome.stages.batches = 1
            outcome.stages.messages = ordered.count
            if let acknowledged { try ServiceDatabase.removeFromOutbox(through: acknowledged, db) }
            var offsets = try ServiceDatabase.storedOffsets(of: Set(ordered.map(\.topicPartition)), db)
            var clock = try ServiceDatabase.eventClock(db)
            let transaction = ProjectionTransaction(storage: db, maxMessageBytes: maxMessageBytes)
            let sealing = SealingLedger(db)
            // One indexed read per batch; until an order is applied, no event needs checking.
            var sealingOrdersExist = try sealing.hasOrders()
            // First what each message is, without writing; then the admitted events' ids are
            // recorded together (``ServiceDatabase/recordApplied(_:_:)``); then each applied.
            outcome.stages.preparing = stageClock.lap()
            var steps: [BatchStep] = []
            steps.reserveCapacity(ordered.count)
            var admitted: [ServiceDatabase.AppliedEvent] = []
            var anyAlreadyApplied = false
            for message in ordered {
                if let next = offsets[message.topicPartition], message.offset < next {
                    steps.append(.alreadyApplied)
                    anyAlreadyApplied = true
                    // Reported as read, for progress and lag: after a commit whose answer was
                    // lost the retry applies nothing, yet the messages are applied.
                    outcome.offsets[message.topicPartition] = next
                    continue
                }
                offsets[message.topicPartition] = KafkaOffset(message.offset.rawValue + 1)
                outcome.offsets[message.topicPartition] = offsets[message.topicPartition]
                if let time = message.timestampMilliseconds, time > (clock ?? .min) { clock = time }
                do {
                    let envelope = try admission.envelope(of: message)
                    guard projection.handles(eventType: envelope.eventType) else {
                        steps.append(.notNeeded(eventType: envelope.eventType))
                        continue
                    }
                    let event = try admission.admit(message, envelope: envelope)
                    let eventTime = message.timestampMilliseconds ?? clock
                    admitted.append(ServiceDatabase.AppliedEvent(
                        eventId: event.eventId, contentHash: Self.contentHash(event.value),
                        forgetAfterMilliseconds: eventTime.map { retention.forgetAfter(eventTime: $0, topic: message.topic) }))
                    steps.append(.admitted(event, record: admitted.count - 1))
                } catch let poison as PoisonMessage {
                    steps.append(.poison(poison))
                }
            }
            outcome.stages.admitting = stageClock.lap()
            let records = try ServiceDatabase.recordApplied(admitted, db)
            outcome.stages.recordingIds = stageClock.lap()
            let statementsBeforeApplying = db.statementTime
            for (message, step) in zip(ordered, steps) {
                // A sealing order removes messages from the outbox table: the earlier events'
                // go there first, outside the order's savepoint (``ProjectionTransaction/flushOutbox()``).
                if case .admitted(let event, _) = step, SealingOrder.eventTypes.contains(event.eventType) {
                    try transaction.flushOutbox()
                }
                let mark = transaction.mark
                do {
                    let event: AdmittedEvent
                    switch step {
                    case .alreadyApplied:
                        outcome.skipped += 1
                        continue
                    case .notNeeded(let eventType):
                        outcome.skippedByType[eventType, default: 0] += 1
                        continue
                    case .poison(let poison):
                        throw poison
                    case .admitted(let admittedEvent, let record):
                        event = admittedEvent
                        switch records[record] {
                        case .new: break
                        case .duplicate:
                            outcome.duplicates += 1
                            continue
                        case .reused:
                            outcome.reusedIds += 1
                            throw PoisonMessage(reason: "event-id reused for different content")
                        }
                    }
                    let applyEvent = { () throws -> SealingEffect in
                        if let order = try SealingOrder(event) {
                            _ = try sealing.apply(order, by: projection, in: transaction)
                            return .orderApplied
                        }
                        if sealingOrdersExist, try SealedRecordCheck.covers(event, in: sealing) {
                            return .recordCovered
                        }
                        try projection.apply(event, in: transaction)
                        return .none
                    }
                    let effect: SealingEffect
                    switch isolation {
                    case .eachEvent:
                        do {
                            effect = try db.savepoint(applyEvent)
                        } catch let poison as PoisonMessage {
                            outcome.poisonedInProjection += 1
                            throw poison
                        }
                    case .wholeBatch:
                        do {
                            effect = try applyEvent()
                        } catch is PoisonMessage {
                            // Its changes cannot be told from the others': the batch again, event by event.
                            throw EventIsolationNeeded()
                        }
                    }
                    switch effect {
                    case .orderApplied:
                        sealingOrdersExist = true
                        outcome.sealingOrders += 1
                    case .recordCovered:
                        outcome.sealedRecords += 1
                    case .none:
                        break
                    }
                    outcome.applied += 1
                    outcome.appliedByType[event.eventType, default: 0] += 1
                } catch let poison as PoisonMessage {
                    transaction.rollBack(to: mark)
                    transaction.emitDeadLetter(DeadLetter.message(
                        for: message, reason: poison.reason, topic: deadLetterTopic, maxMessageBytes: maxMessageBytes))
                    outcome.deadLettered += 1
                    outcome.deadLetters.append(("\(message.topicPartition)@\(message.offset)", poison.reason))
                }
            }
            outcome.stages.applying = stageClock.lap()
            outcome.stages.applyingStatements = db.statementTime - statementsBeforeApplying
            try ServiceDatabase.advance(outcome.offsets, db)
            if let clock {
                try ServiceDatabase.advanceEventClock(to: clock, db)
                outcome.forgotten = try ServiceDatabase.forgetAppliedEvents(before: clock, limit: forgetLimit, db)
                try projection.forget(before: clock, limit: forgetLimit, in: transaction)
            }
            try ServiceDatabase.increment("dead_lettered", by: outcome.deadLettered, db)
            try ServiceDatabase.increment("duplicates", by: outcome.duplicates, db)
            try ServiceDatabase.increment("event_id_reused", by: outcome.reusedIds, db)
            try ServiceDatabase.increment("sealing_orders", by: outcome.sealingOrders, db)
            try ServiceDatabase.increment("sealed_records_not_kept", by: outcome.sealedRecords, db)
            for (type, count) in outcome.skippedByType { try ServiceDatabase.increment("skipped:\(type)", by: count, db) }
            try transaction.flushOutbox()
            // What this batch queued, and what an earlier attempt at it queued: a commit whose
            // answer was lost (the connection dropped during COMMIT) looks failed, yet committed;
            // its retry finds every message applied and emits nothing, and its rows would wait
            // for the next batch that emits, or a restart.
            if transaction.emitted > 0 || anyAlreadyApplied { outcome.outbox = try ServiceDatabase.outbox(after: published, db) }
            outcome.afterCommit = transaction.afterCommit
            outcome.counts = transaction.counts
            outcome.warnings = transaction.warnings
            try db.writePending()  // so that the batch's count holds the rows PostgreSQL held back
            outcome.stages.finishing = stageClock.lap()
            outcome.stages.statements = db.statementTime - statementsBefore
            outcome.stages.statementCount = db.statementCount - statementCountBefore
            return outcome
        }
        let database = self.database
        let run = { (isolation: EventIsolation) async throws -> BatchOutcome in
            let attempt: @Sendable (any StorageTransaction) throws -> BatchOutcome = { try body(isolation, $0) }
            let started = ContinuousClock.now
            var outcome: BatchOutcome
            if let thread, thread.isCurrent {
                outcome = try database.writeBlocking(attempt)
            } else {
                outcome = try await database.write(attempt)
            }
            outcome.stages.transaction = ContinuousClock.now - started
            return outcome
        }
        let outcome: BatchOutcome
        do {
            outcome = try await run(isolateNextBatch.withLock { $0 } ? .eachEvent : .wholeBatch)
        } catch is EventIsolationNeeded {
            outcome = try await run(.eachEvent)
        }
        isolateNextBatch.withLock { $0 = outcome.poisonedInProjection > 0 }
        return outcome
    }

    /// How a batch keeps a poison message's changes from the other events' (``applyBatch``).
    ///
    /// A poison message can fail halfway through its projection, after some of its rows were
    /// written, and only those rows may go. An event in a savepoint of its own can be rolled
    /// back alone, but the savepoint costs every event of every batch two more statements (two
    /// more round trips on PostgreSQL) and a journal of each page it changes, for the rare
    /// event that fails: `bench replay`, two alternated pairs, 100,000 events on SQLite 6,670
    /// events/s with a savepoint an event, 7,580–7,960 without; 10,000 on PostgreSQL 910–920
    /// against 1,050–1,140 (2026-12-05). So a batch is applied whole first; when one of its events
    /// turns out poison inside the projection, that transaction is rolled back and the batch
    /// applied again with a savepoint an event (``eachEvent``), which rolls back only the
    /// poison's changes, as before. Poison found before the projection runs (an envelope, a
    /// contract, a reused event id) has written nothing and is dead-lettered in either mode.
    /// After a batch in which a projection found poison, the next one starts event by event, and
    /// the batch after a clean one whole again: a stream with poison in most batches is not
    /// applied twice a batch.
    enum EventIsolation: Sendable {
        /// No savepoints: the fast path, for batches without a poison message in a projection.
        case wholeBatch
        /// A savepoint an event: after the whole batch failed on a poison message, and for the
        /// batch after one in which a projection found poison.
        case eachEvent
    }

    /// Thrown out of a ``EventIsolation/wholeBatch`` transaction (rolling it back) when a
    /// projection found a poison message: the batch is to be applied again event by event.
    private struct EventIsolationNeeded: Error {}

    /// What a batch's first pass found a message to be, before anything was written.
    private enum BatchStep {
        /// At or below the partition's stored offset: applied by an earlier batch.
        case alreadyApplied
        /// Of a type the projection does not apply: counted per type.
        case notNeeded(eventType: String)
        /// Its envelope or value failed admission: dead-lettered.
        case poison(PoisonMessage)
        /// Admitted; `record` is its place among the ids the batch records as applied.
        case admitted(AdmittedEvent, record: Int)
    }

    /// What applying one event did about sealing.
    private enum SealingEffect {
        /// A sealing order: the projection removed what it covers.
        case orderApplied
        /// A record an applied order covers: not kept.
        case recordCovered
        /// Anything else: applied as usual.
        case none
    }

    /// SHA-256 of the value: tells a redelivery (same bytes) from another event reusing an id.
    static func contentHash(_ value: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(value)
        return hash.finalize()
    }
}
