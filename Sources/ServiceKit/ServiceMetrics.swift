import Metrics
import Synchronization

/// A service's metrics (swift-metrics; exported by whatever backend the process bootstraps).
///
/// Labels are bounded: the service's name; event types, which come from the contracts (a type
/// not in the contract is dead-lettered before it is counted as skipped or applied); and the
/// labels a projection counts with (`ProjectionTransaction.countOnCommit`), which are rule
/// codes and enumerations, never values of an event.
///
/// The metrics factory is the one current when the service is made (`MetricsSystem.factory`:
/// the bootstrapped backend, or a task-local one in tests), and metrics made later (a new event
/// type) use that same factory.
final class ServiceMetrics: Sendable {
    /// Label of the counter of events applied, per service and event type.
    static let appliedLabel = "reentrybus_events_applied_total"
    /// Label of the gauge of outbox rows not yet acknowledged by the broker, per service.
    static let outboxDepthLabel = "reentrybus_outbox_depth"
    /// Label of the timer (a histogram in Prometheus) of a batch's transaction, per service.
    static let batchCommitLabel = "reentrybus_batch_commit_seconds"
    /// Label of the counters of seconds spent in each stage of the batches (``BatchStages``),
    /// per service and stage: their rates say where a busy service's time goes.
    static let batchStageLabel = "reentrybus_batch_stage_seconds_total"
    /// Label of the counter of statements the batches ran (``BatchStages/statementCount``): over
    /// the messages applied, what a message costs in round trips on PostgreSQL.
    static let batchStatementsLabel = "reentrybus_batch_statements_total"

    let service: String
    let factory: any MetricsFactory
    let deadLetters: Counter
    let duplicates: Counter
    let reusedIds: Counter
    let outboxFailures: Counter
    let offsetStoreFailures: Counter
    let storageReadFailures: Counter
    /// Batches applied again because the database was unavailable.
    let storageRetries: Counter
    /// How long each batch's transaction took, from its start to its commit.
    let batchCommit: Timer
    private let outboxDepthGauge: Gauge
    /// Seconds per stage, in ``BatchStages/named``'s order.
    private let stageSeconds: [FloatingPointCounter]
    private let statements: Counter
    /// Outbox rows committed and not yet acknowledged (or moved to the failed outbox).
    private let outboxWaiting = Mutex<Int>(0)
    private let skippedByType = Mutex<[String: Counter]>([:])
    private let appliedByType = Mutex<[String: Counter]>([:])
    private let projectionCounters = Mutex<[ProjectionCount: Counter]>([:])

    init(service: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.service = service
        self.factory = factory
        let dimensions = [("service", service)]
        deadLetters = Counter(label: "reentrybus_dead_letters_total", dimensions: dimensions, factory: factory)
        duplicates = Counter(label: "reentrybus_duplicate_events_total", dimensions: dimensions, factory: factory)
        reusedIds = Counter(label: "reentrybus_event_id_reused_total", dimensions: dimensions, factory: factory)
        outboxFailures = Counter(label: "reentrybus_outbox_failed_total", dimensions: dimensions, factory: factory)
        offsetStoreFailures = Counter(label: "reentrybus_offset_store_failures_total", dimensions: dimensions, factory: factory)
        storageReadFailures = Counter(label: "reentrybus_storage_read_failures_total", dimensions: dimensions, factory: factory)
        storageRetries = Counter(label: "reentrybus_storage_retries_total", dimensions: dimensions, factory: factory)
        batchCommit = Timer(label: Self.batchCommitLabel, dimensions: dimensions, factory: factory)
        outboxDepthGauge = Gauge(label: Self.outboxDepthLabel, dimensions: dimensions, factory: factory)
        outboxDepthGauge.record(0)
        statements = Counter(label: Self.batchStatementsLabel, dimensions: dimensions, factory: factory)
        stageSeconds = BatchStages().named.map { stage in
            FloatingPointCounter(
                label: Self.batchStageLabel, dimensions: dimensions + [("stage", stage.stage)], factory: factory)
        }
    }

    /// Adds a batch's stages to the stage counters, and its statements.
    func record(_ stages: BatchStages) {
        for (counter, stage) in zip(stageSeconds, stages.named) {
            if stage.time > .zero { counter.increment(by: stage.time.fractionalSeconds) }
        }
        if stages.statementCount > 0 { statements.increment(by: stages.statementCount) }
    }

    /// Events of `eventType` read past because the service does not need them.
    func skipped(_ eventType: String) -> Counter {
        counter(in: skippedByType, eventType, label: "reentrybus_events_skipped_total")
    }

    /// Events of `eventType` the projection applied.
    func applied(_ eventType: String) -> Counter {
        counter(in: appliedByType, eventType, label: Self.appliedLabel)
    }

    /// The counter a projection asked for (`ProjectionTransaction.countOnCommit`), with the
    /// service's label added.
    func projectionCounter(_ count: ProjectionCount) -> Counter {
        projectionCounters.withLock { counters in
            if let counter = counters[count] { return counter }
            let dimensions = [("service", service)] + count.dimensions.map { ($0.name, $0.value) }
            let counter = Counter(label: count.label, dimensions: dimensions, factory: factory)
            counters[count] = counter
            return counter
        }
    }

    /// `change` rows more (committed) or fewer (acknowledged, or moved to the failed outbox)
    /// wait in the outbox.
    func outboxDepth(changedBy change: Int) {
        guard change != 0 else { return }
        let depth = outboxWaiting.withLock { waiting in
            waiting = max(0, waiting + change)
            return waiting
        }
        outboxDepthGauge.record(depth)
    }

    /// Sets the rows waiting in the outbox (at start: what a previous run left).
    func outboxDepth(set depth: Int) {
        outboxWaiting.withLock { $0 = depth }
        outboxDepthGauge.record(depth)
    }

    private func counter(in cache: borrowing Mutex<[String: Counter]>, _ eventType: String, label: String) -> Counter {
        cache.withLock { counters in
            if let counter = counters[eventType] { return counter }
            let counter = Counter(label: label, dimensions: [("service", service), ("event_type", eventType)], factory: factory)
            counters[eventType] = counter
            return counter
        }
    }
}

/// One count a projection asked for in a transaction: a metric label and its bounded
/// dimensions (the service's name is added).
struct ProjectionCount: Hashable, Sendable {
    struct Dimension: Hashable, Sendable {
        var name: String
        var value: String
    }

    var label: String
    var dimensions: [Dimension]
}
