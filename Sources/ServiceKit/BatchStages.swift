/// Where a service's batches spent their time, stage by stage, summed over batches: what tells
/// an operator (and `bench pipeline`, `bench replay`, `reentrybus replay`) whether a slow
/// service waits for its database or for its own code, and in which part of the batch.
///
/// Measured on the thread that runs the batch's transaction, with the monotonic clock, a few
/// readings a batch plus two a statement (``StorageTransaction/statementTime``). Stages are
/// wall time: a thread that waits for a core counts the wait in the stage it waits in. On
/// PostgreSQL, a statement given to ``StorageTransaction/send(_:_:)`` counts where its answer
/// is waited for: the next query (maybe in a later stage) or, for the last ones, committing.
public struct BatchStages: Sendable, Equatable {
    /// Batches measured (each counted once, also when it was applied a second time event by
    /// event after a poison message: its stages are those of the attempt that committed).
    public var batches = 0
    /// Messages those batches held.
    public var messages = 0
    /// Before the first message: acknowledged outbox rows removed, stored offsets, the event
    /// clock, whether any sealing order exists.
    public var preparing: Duration = .zero
    /// Reading each message without writing: its envelope, its contract, its content hash.
    public var admitting: Duration = .zero
    /// Recording the admitted events' ids (telling new events from redeliveries).
    public var recordingIds: Duration = .zero
    /// Applying the events: the projection's rules and their statements, sealing checks, dead
    /// letters.
    public var applying: Duration = .zero
    /// The part of ``applying`` spent in the database's statements.
    public var applyingStatements: Duration = .zero
    /// After the events: offsets, event clock, forgetting what retention allows, counters, the
    /// batch's outbox messages written and read back.
    public var finishing: Duration = .zero
    /// The whole transaction, from asking for it to its commit: the stages above, plus
    /// beginning (waiting for the writer) and committing.
    public var transaction: Duration = .zero
    /// Every statement of the transaction's body (not BEGIN and COMMIT), in any stage.
    public var statements: Duration = .zero
    /// How many statements those were (``StorageTransaction/statementCount``).
    public var statementCount = 0

    public init() {}

    /// ``applying`` less its statements: the projection's own code (decoding, rules, building
    /// and signing messages).
    public var applyingRules: Duration { applying - applyingStatements }

    /// ``transaction`` less the stages of its body: beginning and committing.
    public var beginningAndCommitting: Duration {
        transaction - (preparing + admitting + recordingIds + applying + finishing)
    }

    /// The stages by the names figures and metrics use, in the batch's order; together they
    /// make up ``transaction``.
    public var named: [(stage: String, time: Duration)] {
        [
            ("preparing", preparing), ("admitting", admitting), ("recording_ids", recordingIds),
            ("applying_rules", applyingRules), ("applying_statements", applyingStatements),
            ("finishing", finishing), ("beginning_and_committing", beginningAndCommitting),
        ]
    }

    /// Statements a message the batches held.
    public var statementsPerMessage: Double {
        Double(statementCount) / Double(max(1, messages))
    }

    /// `time` in µs a message the batches held.
    public func microsecondsPerMessage(_ time: Duration) -> Double {
        time.fractionalSeconds / Double(max(1, messages)) * 1e6
    }

    /// The stages in µs a message, the largest first, on one line for a person reading a
    /// command's report: `applying_statements 175, applying_rules 163, … (transaction 435 µs a
    /// message over 20,000 messages, 14.2 statements a message)`.
    public var summary: String {
        let perMessage = { (time: Duration) in Int(microsecondsPerMessage(time).rounded()) }
        let stages = named.map { ($0.stage, perMessage($0.time)) }.sorted { $0.1 > $1.1 }
        return stages.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            + " (transaction \(perMessage(transaction)) µs a message over \(messages) messages, "
            + "\(String(format: "%.1f", statementsPerMessage)) statements a message)"
    }

    /// What `later` (a running total) added since `earlier` (the same total read before): the
    /// stages of the batches in between.
    public static func - (later: BatchStages, earlier: BatchStages) -> BatchStages {
        later.combined(with: earlier, -, -)
    }

    public static func += (total: inout BatchStages, batch: BatchStages) {
        total = total.combined(with: batch, +, +)
    }

    /// Each count and each time of this and `other`, combined field by field.
    private func combined(
        with other: BatchStages, _ count: (Int, Int) -> Int, _ time: (Duration, Duration) -> Duration
    ) -> BatchStages {
        var result = BatchStages()
        result.batches = count(batches, other.batches)
        result.messages = count(messages, other.messages)
        result.statementCount = count(statementCount, other.statementCount)
        result.preparing = time(preparing, other.preparing)
        result.admitting = time(admitting, other.admitting)
        result.recordingIds = time(recordingIds, other.recordingIds)
        result.applying = time(applying, other.applying)
        result.applyingStatements = time(applyingStatements, other.applyingStatements)
        result.finishing = time(finishing, other.finishing)
        result.transaction = time(transaction, other.transaction)
        result.statements = time(statements, other.statements)
        return result
    }
}

/// Times consecutive stages: each ``lap()`` returns the time since the previous one (or since
/// the clock was made).
struct StageClock {
    private var last = ContinuousClock.now

    mutating func lap() -> Duration {
        let now = ContinuousClock.now
        defer { last = now }
        return now - last
    }
}
