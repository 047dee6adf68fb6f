import Contracts
import Foundation
import Kafka
import Logging
import ServiceKit
import Storage
import Synchronization

/// Rebuilds one service's state in a fresh database from the beginning of its topics, then
/// swaps it in for the current one (`reentrybus replay SERVICE`).
///
/// - **Same code as `serve`.** The projection, the admission of messages and the batch
///   transaction are the service's own (`ServiceFactory`, `EventConsumerService`), so offsets,
///   applied event ids and dead-letter decisions come out as the service made them.
/// - **No notification twice.** What the rebuild queues in its outbox (notifications, dead
///   letters) is deleted, never produced. The rebuild applies exactly what the current state
///   applied — every partition up to the offset the current state stored, nothing past it — so
///   the service, started on the new state, goes on where it stopped and sends what comes
///   next itself.
/// - **Nothing owed is lost.** What the current state committed and never delivered (a crash
///   after a commit, a delivery that failed and stopped the service) and what the broker
///   refused for good are carried into the new state at the swap, numbered as they were
///   (`ServiceDatabase.carryOutbox`): the service started on it sends them.
/// - **The old state serves until the swap.** The running service and readers (`view`,
///   `inbox`) keep using it while the new one is built; the rebuild follows what the service
///   applies meanwhile.
/// - **The swap needs the service stopped.** A running service would go on writing to the state
///   it opened (the replaced SQLite file, or the renamed schema), and what it wrote would be
///   lost. So the swap happens only while nobody else has the current state open: after
///   rebuilding, the replay waits (up to `ReplayOptions.stopTimeout`) for the service to stop,
///   catching up meanwhile; once it has stopped, it applies what the service applied last and
///   swaps, checking under a lock that the current state's offsets did not move. Start the
///   service again afterwards.
/// - **Atomic.** SQLite: `<service>.sqlite.replay` is renamed over `<service>.sqlite` (both
///   first checkpointed out of WAL mode). PostgreSQL: schema `<schema>_replay` is renamed to
///   `<schema>` in one transaction that drops the old one. Any failure before that leaves the
///   current state as it was and removes the new one (`ReplayError`).
///
/// A replay runs once (`run()`).
public final class Replay: Sendable {
    public let service: ServiceName
    /// Where the replay stands, for a display; awaitable.
    public let progress = AwaitableState(ReplayProgress())

    private let projection: any EventProjection
    private let admission: MessageAdmission
    private let serviceConfiguration: EventConsumerService.Configuration
    private let readerConfiguration: KafkaTopicReaderConfiguration
    private let brokerCheck: BrokerCheck?
    private let target: any ReplayTarget
    private let options: ReplayOptions
    private let logger: Logger
    private let onPhase: @Sendable (ReplayProgress) -> Void

    /// How the broker is checked before anything starts: the external cluster's address.
    private struct BrokerCheck: Sendable {
        var client: KafkaClientConfiguration
        var timeout: Duration
    }

    /// What the replay did.
    public struct Report: Sendable {
        /// The state that was replaced (now holding the rebuilt one).
        public var location: String
        public var progress: ReplayProgress
        public var duration: Duration
    }

    /// Prepares a replay of `service` with the settings `serve` would run it with
    /// (`configuration.services` is not used). Opens nothing yet.
    ///
    /// - Parameter onPhase: called at each change of phase, with the progress then, on the
    ///   replay's task (a display prints a line for each).
    /// - Throws: `ReplayError` for a configuration a replay cannot use: an embedded broker
    ///   (it would start empty), no contracts.
    public init(
        _ service: ServiceName, configuration: ApplicationConfiguration, options: ReplayOptions = ReplayOptions(), logger: Logger,
        onPhase: @escaping @Sendable (ReplayProgress) -> Void = { _ in }
    ) throws(ReplayError) {
        var logger = logger
        logger[metadataKey: "service"] = "\(service)"
        let location: String = configuration.postgres.map { "\($0.location) (schema \(configuration.databaseSchema(service)))" }
            ?? configuration.databasePath(service)
        func invalid(_ field: String, _ reason: String) -> ReplayError {
            ReplayError(reason: .invalidConfiguration(field: field, reason: reason), service: service, current: location, rebuilt: location, leftover: false)
        }
        guard service.isConsumer else {
            throw invalid("service", "keeps no state to rebuild: the scheduler writes the clock, it reads nothing")
        }
        let bootstrapServers: [String]
        let embedded: Bool
        switch configuration.broker {
        case .embedded:
            throw invalid("broker", "must be a running cluster: an embedded broker would start empty, with nothing to replay")
        case .shared(let kafka):
            (bootstrapServers, embedded) = ([kafka.bootstrapServers], true)
            brokerCheck = nil
        case .external(let servers):
            guard !servers.isEmpty else { throw invalid("broker", "needs at least one bootstrap server, HOST:PORT") }
            (bootstrapServers, embedded) = (servers, false)
            brokerCheck = BrokerCheck(
                client: KafkaClientConfiguration(
                    bootstrapServers: servers, clientID: "reentrybus-replay-setup", security: configuration.client.security),
                timeout: configuration.client.connectTimeout)
        }
        let factory = ServiceFactory(configuration: configuration, bootstrapServers: bootstrapServers, embedded: embedded)
        do {
            admission = try factory.makeAdmission(service)
        } catch {
            throw invalid("catalog", "is needed: \(service) checks events against the contracts")
        }
        let projection: any EventProjection
        do {
            projection = try factory.makeProjection(service, onNotificationStored: { _ in })
        } catch {
            throw invalid("catalog", "is needed: \(service) checks events against the contracts")
        }
        let serviceConfiguration = factory.serviceConfiguration(service)
        var client = serviceConfiguration.consumer.client
        client.clientID = "reentrybus-\(service.rawValue)-replay"
        readerConfiguration = KafkaTopicReaderConfiguration(
            client: client, topics: projection.topics, partitionDiscoveryInterval: nil,
            fetchMaxWait: serviceConfiguration.consumer.fetchMaxWait, maxBatchSize: serviceConfiguration.consumer.maxBatchSize)
        self.projection = projection
        self.serviceConfiguration = serviceConfiguration
        if let postgres = configuration.postgres {
            do {
                target = try ReplayPostgresTarget(server: postgres, schema: configuration.databaseSchema(service), logger: logger)
            } catch {
                throw invalid("database", "the schema \(configuration.databaseSchema(service))_replay is not a usable schema name")
            }
        } else {
            target = ReplaySQLiteTarget(
                path: configuration.databasePath(service), cacheKibibytes: options.sqliteCacheMebibytes * 1_024, logger: logger)
        }
        self.service = service
        self.options = options
        self.logger = logger
        self.onPhase = onPhase
    }

    /// The current state: a path, or a URL (without password) and schema.
    public var location: String { target.location }
    /// Where the new state is built.
    public var replayLocation: String { target.replayLocation }

    /// Rebuilds, waits for the service to stop, catches up, swaps.
    ///
    /// - Throws: `ReplayError`; the current state is then as it was.
    public func run() async throws -> Report {
        let started = ContinuousClock.now
        logger.info("Replay started", metadata: ["database": "\(target.location)", "topics": "\(projection.topics.joined(separator: ","))"])
        do {
            try await checkBroker()
            try await rebuildAndSwap()
        } catch {
            enter(.failed)
            let removed = await target.discard()
            await target.close()
            let failure = ReplayError(
                reason: Self.reason(for: error), service: service, current: target.location, rebuilt: target.replayLocation,
                leftover: !removed)
            logger.error("Replay failed", metadata: ["error": "\(failure)"])
            throw failure
        }
        await target.close()
        enter(.swapped)
        let report = Report(location: target.location, progress: progress.value, duration: .now - started)
        logger.info("Replay swapped in", metadata: [
            "database": "\(target.location)", "events": "\(report.progress.events)", "applied": "\(report.progress.applied)",
            "dead-lettered": "\(report.progress.deadLettered)", "duplicates": "\(report.progress.duplicates)",
        ])
        return report
    }

    private func rebuildAndSwap() async throws {
        let topics = Set(projection.topics)
        var goal = try await target.currentOffsets().filter { topics.contains($0.key.topic) }
        var consumer: EventConsumerService? = makeConsumer(try await target.openFresh(migrations: projection.migrations))
        var reached: [TopicPartition: KafkaOffset] = [:]
        try await read(into: consumer!, from: &reached, to: goal, entering: .rebuilding)
        logger.info("Rebuilt", metadata: ["events": "\(progress.value.events)"])
        let waitStarted = ContinuousClock.now
        var lastCatchUp = ContinuousClock.now
        var moves = 0
        while true {
            while try await target.isInUse() {
                let waited = ContinuousClock.now - waitStarted
                guard waited < options.stopTimeout else { throw ReplayFailure(.stillInUse(waited: waited)) }
                if progress.value.phase != .waitingForStop {
                    enter(.waitingForStop)
                    logger.notice("Waiting for the service to stop: the swap needs its state closed", metadata: ["database": "\(target.location)"])
                }
                if consumer == nil { consumer = makeConsumer(try await target.reopen(migrations: projection.migrations)) }
                if ContinuousClock.now - lastCatchUp >= options.catchUpInterval {
                    goal = try await target.currentOffsets().filter { topics.contains($0.key.topic) }
                    try await read(into: consumer!, from: &reached, to: goal)
                    lastCatchUp = .now
                }
                try await Task.sleep(for: options.checkInterval)
            }
            if consumer == nil { consumer = makeConsumer(try await target.reopen(migrations: projection.migrations)) }
            goal = try await target.currentOffsets().filter { topics.contains($0.key.topic) }
            if ReplayPass.hasWork(from: reached, to: goal) {
                try await read(into: consumer!, from: &reached, to: goal, entering: .catchingUp)
            }
            try await consumer!.finishReplay(at: goal)
            enter(.swapping)
            // The new database is closed before the swap: its last references go here.
            consumer = nil
            let projection = self.projection
            switch try await target.swap(expecting: goal, topics: topics, carry: { try projection.carryAcrossReplay(from: $0, into: $1, $2) }) {
            case .swapped: return
            case .inUse: logger.notice("The service's state was opened again; the swap waits")
            case .moved:
                // Nobody has the state open, yet its offsets keep moving: something writes to it
                // that the check does not see. Swapping would lose what it writes.
                moves += 1
                guard moves < Self.movesBeforeGivingUp else {
                    throw ReplayFailure(.swapRefused(
                        "its offsets kept moving although nothing seemed to have it open; stop whatever writes to it and replay again"))
                }
                logger.notice("The service applied more since; catching up before the swap")
            }
        }
    }

    /// One pass from `reached` to `goal` (entering `phase` first, with the pass counted in the
    /// total); `reached` is `goal` afterwards.
    private func read(
        into consumer: EventConsumerService, from reached: inout [TopicPartition: KafkaOffset], to goal: [TopicPartition: KafkaOffset],
        entering phase: ReplayProgress.Phase? = nil
    ) async throws {
        let distance = ReplayPass.distance(from: reached, to: goal)
        let done = progress.value.offsetsDone
        progress.update { $0.offsetsTotal += distance }
        if let phase { enter(phase) }
        guard distance > 0 else {
            reached = goal
            return
        }
        progress.update { $0.readingSince = .now }
        defer {
            progress.update { progress in
                if let since = progress.readingSince { progress.readTime += .now - since }
                progress.readingSince = nil
            }
        }
        let pass = ReplayPass(
            reader: readerConfiguration, stallTimeout: options.stallTimeout, mergeWindow: options.mergeWindow,
            eventsPerTransaction: options.eventsPerTransaction, logger: logger)
        let progress = self.progress
        try await pass.run(into: consumer, from: reached, to: goal) { report in
            progress.update {
                $0.events += report.messages
                $0.applied += report.applied?.applied ?? 0
                $0.deadLettered += report.applied?.deadLettered ?? 0
                $0.duplicates += report.applied?.duplicates ?? 0
                if let applied = report.applied {
                    $0.transactions += 1
                    $0.stages += applied.stages
                }
                $0.offsetsDone += report.offsetsCovered
                $0.offsetsRead += report.offsetsRead
            }
        }
        // Offsets no message reached (the end of a compacted partition) count as covered too.
        progress.update {
            $0.offsetsDone = done + distance
            $0.offsetsRead = $0.offsetsDone
        }
        reached = goal
    }

    /// Swaps refused because the offsets moved, in a row, before the replay gives up.
    static let movesBeforeGivingUp = 10

    private func enter(_ phase: ReplayProgress.Phase) {
        progress.update { $0.phase = phase }
        onPhase(progress.value)
    }

    private func makeConsumer(_ database: ServiceDatabase) -> EventConsumerService {
        EventConsumerService(
            projection: projection, database: database, admission: admission, configuration: serviceConfiguration, logger: logger)
    }

    /// A metadata request to the external cluster within the connect timeout.
    private func checkBroker() async throws {
        guard let check = brokerCheck else { return }
        do {
            let administrator = try KafkaAdmin(configuration: check.client, timeout: check.timeout, logger: logger)
            _ = try await administrator.listTopics()
        } catch {
            throw ReplayFailure(.brokerUnreachable(bootstrapServers: check.client.bootstrapServers, timeout: check.timeout, reason: "\(error)"))
        }
    }

    static func reason(for error: any Error) -> ReplayError.Reason {
        switch error {
        case let failure as ReplayFailure: failure.reason
        case is CancellationError: .cancelled
        case let error as KafkaError where error.code == .cancelled: .cancelled
        case let error as KafkaError: .readFailed(error)
        case let error as ServiceDatabaseError: .database(error.description)
        case let error as StorageError: .database(error.description)
        default: .database("\(type(of: error))")
        }
    }
}
