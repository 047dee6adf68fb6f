import Contracts
import Foundation
import Kafka
import LocalPostgres
import Logging
import Pipeline
import ServiceKit
import Storage

/// `bench replay`: the heaviest projector — the `views` service, every read model and the
/// agency directory over one database — rebuilding its state from a million mixed events, on
/// SQLite and on PostgreSQL, each beside the raw batched-upsert rate of the same database
/// measured in the same run (`ratio replay.<database>` = replay events/s ÷ raw rows/s).
///
/// **What is fed, and why not through the broker.** The events go straight into the service's
/// batch transaction as in-memory messages (`EventConsumerService.applyReplayed`, the entry
/// `reentrybus replay` uses: admission against the contracts, applied-id bookkeeping, offsets,
/// outbox, dead-letter decisions and bounded-state pruning, all as the running service does
/// them), batch by batch in the order the events occurred, each on its topic's partition with
/// offsets and timestamps as a consumer would hand them over (`ReplayMessages`). The embedded
/// broker is left out on purpose: it keeps only ~5 MiB per partition (a million ~0.7 KiB events
/// would need hundreds of partitions), runs on the same two cores, and its consume rate (~2M
/// messages/s, `bench kafka`) is three orders of magnitude above what a projector applies, so
/// through it the figure would measure the machine's contention more than the projection.
/// `bench pipeline` measures the services with the broker.
///
/// **What is timed.** Only the batches' transactions: generating and encoding the events, and
/// building each batch's rows for the baseline, happen before or between them. Each database
/// gets a fresh state: a temporary directory for SQLite; for PostgreSQL a private cluster the
/// benchmark starts from Debian's PostgreSQL 15 binaries (`PostgresCluster`, `fsync` off as in
/// the tests, like SQLite's `synchronous = NORMAL` it survives a crash of the process, not of
/// the machine) and removes afterwards. Without those binaries the PostgreSQL part is skipped,
/// saying why.
///
/// The run fails (after printing its figures) unless every generated event was applied: a
/// workload the views refuse would measure dead letters, not the projection.
public struct ReplayBenchmark: Sendable {
    public enum Database: String, Sendable, CaseIterable {
        case sqlite
        case postgres
    }

    /// Where the PostgreSQL part runs.
    public enum PostgresServer: Sendable {
        /// A private cluster started by the benchmark and removed afterwards.
        case privateCluster
        /// A database of a running server (the tests' suite cluster). The benchmark creates the
        /// schemas `views` and `bench_raw` in it and leaves them.
        case database(PostgresStorage.Configuration)
    }

    /// Events replayed (and rows upserted by the baseline). Default: 1,000,000.
    public var events: Int
    /// People the events are about. Default (nil): one per 20 events.
    public var people: Int?
    /// The databases measured, in this order. Default: SQLite, then PostgreSQL.
    public var databases: [Database]
    /// Messages per transaction, for the replay and the baseline alike. Default: 5,000, as
    /// `reentrybus replay` applies them (`ReplayOptions.eventsPerTransaction`; a running
    /// service's batches hold up to 1,000).
    public var batchSize: Int
    /// The SQLite page cache of the replay's database, in KiB: a replay's
    /// (``ReplayOptions/sqliteCacheMebibytes``, 256 MiB; a running service, and the baseline's
    /// sequential upsert, have 16 MiB).
    public var sqliteCacheKibibytes = ReplayOptions().sqliteCacheMebibytes * 1_024
    /// The workload's seed: the same seed, the same events.
    public var seed: UInt64
    /// The contracts the service admits events against.
    public var catalog: TopicCatalog
    public var postgres: PostgresServer
    /// Statements to list after each SQLite replay, those the views' writer spent most time in
    /// (``StatementTimings``). Default: 0, none (and nothing timed).
    public var statements = 0

    public init(
        events: Int = 1_000_000, people: Int? = nil, databases: [Database] = Database.allCases, batchSize: Int = ReplayOptions().eventsPerTransaction,
        seed: UInt64 = 0x5EED_2025, catalog: TopicCatalog, postgres: PostgresServer = .privateCluster
    ) {
        self.events = max(1, events)
        self.people = people
        self.databases = databases
        self.batchSize = max(1, batchSize)
        self.seed = seed
        self.catalog = catalog
        self.postgres = postgres
    }

    /// What one database did.
    public struct Result: Sendable {
        public var database: Database
        public var events: Int
        /// What the service did with the events (from its batch outcomes).
        public var applied = 0, deadLettered = 0, duplicates = 0, skipped = 0
        public var replaySeconds = 0.0
        public var rawRows = 0
        public var rawSeconds = 0.0
        /// The process's CPU time (user + system) during the replay; PostgreSQL's server runs in
        /// processes of its own and is not in it.
        public var replayClientCPUSeconds = 0.0
        /// Where the replay's batches spent their time.
        public var stages = BatchStages()

        public var replayRate: Double { replaySeconds > 0 ? Double(events) / replaySeconds : 0 }
        public var rawRate: Double { rawSeconds > 0 ? Double(rawRows) / rawSeconds : 0 }
        /// Replay events/s ÷ raw rows/s.
        public var ratio: Double { rawRate > 0 ? replayRate / rawRate : 0 }
    }

    public struct Report: Sendable {
        /// The generated events per event type.
        public var workload: [String: Int] = [:]
        public var results: [Result] = []
        /// Databases not measured, and why (PostgreSQL not installed).
        public var skipped: [Database: String] = [:]
    }

    /// Generates the workload, then measures each database in turn: the raw baseline first,
    /// then the replay, printing each database's figures as soon as it is done.
    ///
    /// - Parameter figures: receives each figure line; nil prints them on standard output.
    /// - Throws: `BenchmarkFailure` when the service did not apply every event; the databases' errors.
    @discardableResult
    public func run(figures: (@Sendable (String) -> Void)? = nil) async throws -> Report {
        let printer = FigurePrinter(figures: figures)
        let mix = ReplayEventMix(events: events, people: people, seed: seed)
        printer.progress("replay: generating \(events) events about \(mix.population) people (seed \(String(seed, radix: 16)))")
        let generated = try mix.generate { made in printer.progress("replay: generated \(made) of \(events) events") }
        var report = Report()
        for event in generated { report.workload[event.scenario.eventType, default: 0] += 1 }
        let messages = try ReplayMessages.make(generated, catalog: catalog)
        let bytes = messages.reduce(0) { $0 + $1.payload.count }
        printer.figure("replay.events", Double(messages.count), "events")
        printer.figure("replay.people", Double(mix.population), "people")
        printer.figure("replay.event_size.mean", Double(bytes) / Double(max(1, messages.count)), "bytes")
        printer.figure("replay.batch", Double(batchSize), "events")
        for database in databases {
            let result: Result
            switch database {
            case .sqlite:
                result = try await onSQLite(messages, printer)
            case .postgres:
                guard let measured = try await onPostgres(messages, printer) else {
                    report.skipped[.postgres] = PostgresBinaries.notFoundReason
                    printer.progress("replay: the PostgreSQL part was SKIPPED: \(PostgresBinaries.notFoundReason)")
                    continue
                }
                result = measured
            }
            printFigures(result, printer)
            report.results.append(result)
        }
        for result in report.results where result.applied != result.events || result.deadLettered > 0 {
            throw BenchmarkFailure(description: """
                the \(result.database.rawValue) replay applied \(result.applied) of \(result.events) events (\(result.deadLettered) \
                dead-lettered, \(result.duplicates) duplicates, \(result.skipped) skipped): the workload is not what the views accept
                """)
        }
        return report
    }

    private func printFigures(_ result: Result, _ printer: FigurePrinter) {
        let name = "replay.\(result.database.rawValue)"
        printer.figure("\(name).raw_upsert", result.rawRate, "rows/s")
        printer.figure("\(name).throughput", result.replayRate, "events/s")
        printer.figure("\(name).applied", Double(result.applied), "events")
        printer.figure("\(name).dead_lettered", Double(result.deadLettered), "events")
        printer.figure("\(name).client_cpu_per_event", result.replayClientCPUSeconds / Double(max(1, result.events)) * 1e6, "us")
        printer.stages(result.stages, as: name)
        printer.ratio(name, result.ratio)
    }

    var logger: Logger {
        var logger = Logger(label: "bench.replay")
        logger.logLevel = .error
        return logger
    }

    /// Replays `messages` into `service` batch by batch, timing only the transactions.
    func replay(_ messages: [KafkaConsumerMessage], into service: EventConsumerService, as result: inout Result, _ printer: FigurePrinter) async throws {
        let label = result.database.rawValue
        var lastReport = ContinuousClock.now
        let cpuBefore = processCPUSeconds()
        var start = messages.startIndex
        while start < messages.endIndex {
            let end = min(start + batchSize, messages.endIndex)
            let batch = Array(messages[start..<end])
            try Task.checkCancellation()
            let began = ContinuousClock.now
            let outcome = try await service.applyReplayed(batch)
            result.replaySeconds += (ContinuousClock.now - began).seconds
            result.applied += outcome.applied
            result.deadLettered += outcome.deadLettered
            result.duplicates += outcome.duplicates
            result.skipped += outcome.skippedByType
            result.stages += outcome.stages
            start = end
            if ContinuousClock.now - lastReport >= .seconds(5) || end == messages.endIndex {
                lastReport = .now
                let rate = Double(end) / max(result.replaySeconds, 1e-9)
                let left = Double(messages.count - end) / max(rate, 1e-9)
                printer.progress("replay: \(label): \(end) of \(messages.count) events, \(Int(rate)) events/s, about \(Int(left.rounded())) s left")
            }
        }
        result.replayClientCPUSeconds = processCPUSeconds() - cpuBefore
    }

    /// The raw baseline into `database`, with progress.
    func raw(_ messages: [KafkaConsumerMessage], into database: ServiceDatabase, as result: inout Result, _ printer: FigurePrinter) async throws {
        let label = result.database.rawValue
        var lastReport = ContinuousClock.now
        let outcome = try await RawUpsertBaseline(database: database, batchSize: batchSize).run(messages) { rows, seconds in
            guard ContinuousClock.now - lastReport >= .seconds(5) else { return }
            lastReport = .now
            printer.progress("replay: \(label) raw upsert: \(rows) of \(messages.count) rows, \(Int(Double(rows) / max(seconds, 1e-9))) rows/s")
        }
        result.rawRows = outcome.rows
        result.rawSeconds = outcome.seconds
    }
}
