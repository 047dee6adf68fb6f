import Contracts
import Demo
import Foundation
import Kafka
import LocalPostgres
import Logging
import Notifications
import Pipeline
import ServiceKit
import Storage
import Synchronization

/// `bench pipeline`: the walking skeleton's services on the embedded broker.
///
/// - Latency: an arrest of a supervisee produced at `rate` per second; measured from just
///   before the producer is handed the arrest to the commit of its notification in the inbox
///   (router → bus.notifications → inbox, two consumer hops and two SQLite transactions).
/// - Throughput: `events` mixed events (case started, arrest, warrant issued, release
///   scheduled; a quarter each) produced first, then the router and the warrant resolver
///   started on empty databases and timed until both have handled everything: a replay.
///   Topics get enough partitions to stay under the broker's ~5 MiB kept per partition.
public struct PipelineBenchmark: Sendable {
    public var latencyEvents: Int
    public var rate: Int
    public var events: Int
    public var contractsDirectory: URL
    /// Logs the services' trace lines (each batch's transaction and delivery times) to stderr.
    public var trace = false
    /// The services' Kafka client settings (linger, fetch wait, …); the raw hop is measured
    /// with what they make of them. Default: the application's defaults.
    public var client = ApplicationConfiguration.ClientOptions()
    /// The `reentrybus` program, to run each service of the replay in a process of its own for
    /// its peak resident memory (`pipeline.replay.peak_resident.<service>`); nil skips that
    /// part, saying so. `bench pipeline` passes itself.
    public var serviceBinary: URL?
    /// Statements to list after the measured arrests (router, inbox) and after the replay
    /// (router, resolver), per service, those its writer spent most time in
    /// (``StatementTimings``). Default: 0, none (and nothing timed).
    public var statements = 0
    /// Where to write each measured arrest's send time and latency, one line each in the order
    /// sent (`sent_ms<TAB>latency_ms`, the send time from the first measured arrest): shows
    /// whether a tail is spread over the run or made of stalls. Default: nil, not written.
    public var latencyLog: URL?
    /// Where the replay's router and resolver keep their state: SQLite files, as by default
    /// (the issue's figure), or a private PostgreSQL 15 cluster the benchmark starts; there the
    /// yardstick is PostgreSQL's raw upsert and the figures are named `pipeline.replay.postgres…`.
    public var replayDatabase = ReplayDatabase.sqlite
    /// A Kafka cluster (`host:port`, at least one) for the latency run instead of an embedded
    /// broker of its own: the services and the raw hop then travel on a broker that indexes its
    /// offsets (the embedded one walks each partition from its oldest message on every fetch,
    /// "The ratio and the run's length" in the README). The cluster must hold none of the
    /// benchmark's topics yet: a fresh one each run. Nil (default): the embedded broker. The
    /// replay run always uses the embedded broker.
    public var bootstrapServers: [String]?

    /// Where the replay's services keep their state.
    public enum ReplayDatabase: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public init(latencyEvents: Int, rate: Int, events: Int, contractsDirectory: URL) {
        self.latencyEvents = latencyEvents
        self.rate = rate
        self.events = events
        self.contractsDirectory = contractsDirectory
    }

    var logger: Logger {
        var logger = Logger(label: "bench.pipeline")
        logger.logLevel = trace ? .trace : .error
        return logger
    }

    /// Runs the parts asked for, printing figure lines to standard output, or to `figures`
    /// when given (tests).
    public func run(figures: (@Sendable (String) -> Void)? = nil) async throws {
        let printer = FigurePrinter(figures: figures)
        let catalog = try TopicCatalog.load(from: contractsDirectory)
        if latencyEvents > 0 { try await latency(catalog, printer) }
        guard events > 0 else { return }
        switch replayDatabase {
        case .sqlite:
            try await throughput(catalog, printer, postgres: nil)
        case .postgres:
            guard PostgresBinaries.isInstalled else {
                printer.progress("throughput: the PostgreSQL replay was SKIPPED: \(PostgresBinaries.notFoundReason)")
                return
            }
            printer.progress("throughput: starting a private PostgreSQL cluster")
            try await PostgresCluster.with { cluster in
                let name = try await cluster.createDatabase("bench_pipeline")
                try await throughput(catalog, printer, postgres: try PostgresStorage.Configuration(url: cluster.url(database: name)))
            }
        }
    }

    /// The topics the benchmark's events travel on, each with `partitions`.
    private static let topics = ["supervision.cases", "police.arrests", "courts.warrants", "custody.releases", SealingOrder.topic] + BusTopic.all

    /// `services` on an embedded broker of their own, with the benchmark's topics.
    /// `notificationPartitions` for `bus.notifications` when given (it carries more than the
    /// others).
    private func application(
        _ services: Set<ServiceName>, partitions: Int, notificationPartitions: Int? = nil, catalog: TopicCatalog, directory: URL,
        broker: ApplicationConfiguration.Broker = .embedded(brokers: 1),
        postgres: PostgresStorage.Configuration? = nil, onNotificationStored: @escaping @Sendable (BusNotification) -> Void = { _ in }
    ) throws -> Application {
        let specifications = Self.topics.map { topic in
            KafkaTopicSpecification(name: topic, partitions: topic == BusTopic.notifications ? notificationPartitions ?? partitions : partitions)
        }
        var configuration = ApplicationConfiguration(
            broker: broker, dataDirectory: directory, services: services, catalog: catalog,
            // Every contract's topic exists (a service fails at start on a reference topic that
            // does not); the benchmark's own are created first, with `partitions`.
            topics: .init(createContractTopics: true, additional: specifications),
            client: client)
        configuration.postgres = postgres
        return try buildApplication(configuration, logger: logger, onNotificationStored: onNotificationStored)
    }

    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-bench-\(UUID().uuidString.prefix(8))")
    }

    /// Numbered from 1: "MO00000000" would say "no state ID" (`PersonNumberPlaceholder`).
    private static func person(_ index: Int) -> SubjectIdentifiers {
        SubjectIdentifiers(stateId: "MO\(String(format: "%08d", index + 1))", name: PersonName(given: "Bench", family: "Person\(index)"))
    }

    // MARK: Latency

    private func latency(_ catalog: TopicCatalog, _ printer: FigurePrinter) async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let supervisees = Self.supervisees
        let warmUp = Self.warmUpArrests
        let stored = LatencyLog(capacity: latencyEvents)
        let rawHopSamples = MeasuredValue<[Double]>([])
        let measuredCPU = MeasuredValue<CPUUsage.Span?>(nil)
        let measuredStages = MeasuredValue<(router: BatchStages, inbox: BatchStages)?>(nil)
        let timings = MeasuredValue<(router: StatementTimings?, inbox: StatementTimings?)>((nil, nil))
        let broker = bootstrapServers.map { ApplicationConfiguration.Broker.external(bootstrapServers: $0) } ?? .embedded(brokers: 1)
        let application = try application(
            [.router, .inbox], partitions: Self.latencyPartitions, catalog: catalog, directory: directory, broker: broker
        ) { notification in
            stored.stored(notification.sourceEventId, at: monotonicNanoseconds())
        }
        guard let router = application.services[.router], let inbox = application.services[.inbox] else {
            throw BenchmarkFailure(description: "the application lacks a service")
        }
        let hopTopics = try await LatencyTopics(kafka: application.kafka, bootstrapServers: application.bootstrapServers, logger: logger)
        try await hopTopics.requireFresh(Self.topics + [Self.rawHopTopic])
        try await application.prepare()  // the topics, before the first event is produced
        printer.progress("latency: \(latencyEvents) arrests at \(rate)/s after \(warmUp) not measured, router + inbox, on \(hopTopics.brokerDescription)")
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await application.run() }
            // On a cluster, the services' own producer settings (the embedded broker's tuning is its own).
            var producerConfiguration = application.kafka?.producerConfiguration(clientID: "bench-pipeline") ?? {
                var settings = router.configuration.producer
                settings.client.clientID = "bench-pipeline"
                return settings
            }()
            producerConfiguration.linger = .zero
            let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
            let cases = try (0..<supervisees).map { index in
                try DemoScenario.caseStarted(Self.person(index), caseId: "C-\(index)", officer: Officer(officerId: "PO-\(index % 50)", name: "Officer"),
                                             startDate: DemoScenario.day(now, -30), now: now, id: UUID())
            }
            _ = try await producer.sendBatch(cases.map(\.message))
            try await router.progress.benchmarkWait("the router reading the cases", { $0.consumed("supervision.cases") }, reaches: Int64(supervisees))
            // Each case tells the police of its registered address of a new resident
            // (`resident-supervision-started`): those reach the inbox before any arrest is sent.
            try await inbox.progress.benchmarkWait("the inbox storing the new residents' notices", { Int64($0.applied) }, reaches: Int64(supervisees))
            // Warm-up, not measured: group joins, each partition's first fetch, SQLite's caches.
            try await sendArrests(try arrests(0..<warmUp, now: now), producer: producer) { _ in }
            try await inbox.progress.benchmarkWait("the inbox storing the warm-up arrests' notices", { Int64($0.applied) }, reaches: Int64(supervisees + warmUp))
            let measured = try arrests(warmUp..<(warmUp + latencyEvents), now: now)
            // The measured arrests' statements only (timing them costs a little: the latency
            // figures of such a run are not comparable with others).
            if statements > 0 { timings.set((try await router.database.timeStatements(), try await inbox.database.timeStatements())) }
            let stagesBefore = (router: router.progress.snapshot.stages, inbox: inbox.progress.snapshot.stages)
            let cpu = CPUUsage()
            try await sendArrests(measured, producer: producer) { stored.produced($0, at: monotonicNanoseconds()) }
            try await inbox.progress.benchmarkWait("the inbox storing the measured arrests' notices", { Int64($0.applied) }, reaches: Int64(supervisees + warmUp + latencyEvents))
            measuredCPU.set(cpu.span())
            // The router reports a batch once its notifications are acknowledged, which the
            // inbox may have applied a moment before.
            try await router.progress.benchmarkWait("the router committing the arrests", { $0.consumed("police.arrests") }, reaches: Int64(warmUp + latencyEvents))
            measuredStages.set((router.progress.snapshot.stages - stagesBefore.router, inbox.progress.snapshot.stages - stagesBefore.inbox))
            await producer.shutdown()
            // The yardstick, on the same broker while the services idle beside it.
            printer.progress("latency: raw hop, \(latencyEvents) messages at \(rate)/s with the services' client settings")
            let arrestSize = try DemoScenario.arrest(Self.person(0), arrestId: "A-0", at: now, now: now, id: UUID()).message.value.count
            try await hopTopics.create(Self.rawHopTopic, partitions: Self.latencyPartitions)
            let hop = rawHop(router: router, inbox: inbox, valueSize: arrestSize)
            rawHopSamples.set(try await hop.measure(logger: logger))
            await application.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let samples = stored.samples()
        if let latencyLog { try Self.write(samples, to: latencyLog) }
        let latencies = samples.map(\.latency).sorted()
        guard latencies.count == latencyEvents else {
            throw BenchmarkFailure(description: "\(latencies.count) of \(latencyEvents) arrests reached the inbox")
        }
        let hop = rawHopSamples.value
        printer.figure("pipeline.arrest_to_inbox.p50", percentile(latencies, 0.50), "ms")
        printer.figure("pipeline.arrest_to_inbox.p99", percentile(latencies, 0.99), "ms")
        printer.figure("pipeline.arrest_to_inbox.p99_9", percentile(latencies, 0.999), "ms")
        printer.figure("pipeline.raw_hop.p50", percentile(hop, 0.50), "ms")
        printer.figure("pipeline.raw_hop.p99", percentile(hop, 0.99), "ms")
        // What the measured arrests cost the CPU (the services, the broker and the clients, all
        // in this process): on a host whose cores this keeps busy, the tail is batches queueing.
        if let cpu = measuredCPU.value {
            printer.figure("pipeline.latency.cpu.cores", cpu.cores, "cores")
            printer.figure("pipeline.latency.cpu.per_arrest", cpu.cpuSeconds / Double(latencyEvents) * 1e6, "us")
            printer.figure("pipeline.latency.host.cores", Double(ProcessInfo.processInfo.activeProcessorCount), "cores")
            if let steal = cpu.stealShare { printer.figure("pipeline.latency.host.steal", steal * 100, "%") }
        }
        // Arrest → inbox is two hops (arrest → router, notification → inbox).
        printer.ratio("pipeline.latency.p99", percentile(latencies, 0.99) / (2 * percentile(hop, 0.99)))
        printer.statements(timings.value.router, of: ServiceName.router.rawValue, count: statements)
        printer.statements(timings.value.inbox, of: ServiceName.inbox.rawValue, count: statements)
        // Where the measured arrests' batches spent their time in each service, and how many
        // messages a batch held (the fewer, the more commits an arrest pays for).
        if let stages = measuredStages.value {
            for (name, service) in [(ServiceName.router, stages.router), (.inbox, stages.inbox)] {
                printer.stages(service, as: "pipeline.latency.\(name.rawValue)")
                printer.figure("pipeline.latency.\(name.rawValue).messages_per_batch", Double(service.messages) / Double(max(1, service.batches)), "messages")
            }
        }
    }

    private static func write(_ samples: [LatencyLog.Sample], to file: URL) throws {
        let start = samples.first?.sent ?? 0
        var text = "sent_ms\tlatency_ms\n"
        for sample in samples {
            text += String(format: "%.3f\t%.3f\n", Double(sample.sent &- start) / 1e6, sample.latency)
        }
        do {
            try text.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw BenchmarkFailure(description: "cannot write the latency log \(file.path): \(error.localizedDescription)")
        }
    }

    static let rawHopTopic = "bench.raw-hop"

    /// One hop as the services make it: the router's producer settings (the outbox's: linger,
    /// idempotence, acks, the embedded broker's tuning) sending to a consumer with the inbox's
    /// consumer settings (fetch wait, batch size, session), over as many partitions as the
    /// pipeline's topics, at the same rate, with messages as large as the arrests.
    private func rawHop(router: EventConsumerService, inbox: EventConsumerService, valueSize: Int) -> HopLatency {
        var producer = router.configuration.producer
        producer.client.clientID = "bench-raw-hop-producer"
        var consumer = inbox.configuration.consumer
        consumer.groupID = Self.rawHopTopic
        consumer.topics = [Self.rawHopTopic]
        consumer.client.clientID = "bench-raw-hop-consumer"
        return HopLatency(producer: producer, consumer: consumer, count: latencyEvents, rate: rate, valueSize: max(8, valueSize))
    }

    /// Partitions of each topic in the latency run.
    static let latencyPartitions = 12
    /// Arrests sent before the measured ones, at the same rate.
    static let warmUpArrests = 500
    static let supervisees = 1_000

    /// Arrests of supervisees, made before they are sent (so that making them is in neither the
    /// pacing nor the measured CPU).
    private func arrests(_ indexes: Range<Int>, now: Date) throws -> [ScenarioEvent] {
        try indexes.map { index in
            try DemoScenario.arrest(Self.person(index % Self.supervisees), arrestId: "A-\(index)", at: now, now: now, id: UUID())
        }
    }

    /// Sends `arrests` at `rate` per second (each scheduled from the start, so a slow send does
    /// not shift the rest), calling `produced` with the event id just before each is handed to
    /// the producer.
    private func sendArrests(
        _ arrests: [ScenarioEvent], producer: KafkaProducer, produced: @escaping @Sendable (String) -> Void
    ) async throws {
        let interval = UInt64(1_000_000_000 / max(1, rate))
        let start = monotonicNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { sends in
            for (index, arrest) in arrests.enumerated() {
                let due = start + UInt64(index) * interval
                let current = monotonicNanoseconds()
                if due > current { try await Task.sleep(for: .nanoseconds(Int64(due - current))) }
                produced(arrest.eventId)
                sends.addTask { _ = try await producer.send(arrest.message) }
                if index % 64 == 63 { while let _ = await sends.nextResult() { if sends.isEmpty { break } } }
            }
            try await sends.waitForAll()
        }
    }

    // MARK: Throughput

    /// The replay, its services on SQLite in a temporary directory or on `postgres` (a schema
    /// each, as `serve --database postgres://…` makes them).
    private func throughput(_ catalog: TopicCatalog, _ printer: FigurePrinter, postgres: PostgresStorage.Configuration?) async throws {
        let figures = postgres == nil ? "pipeline.replay" : "pipeline.replay.postgres"
        // Up to ~800 bytes an event plus record overhead (say 1 KiB), a quarter of them per
        // topic, at most ~4 MiB per partition: the embedded broker silently drops the oldest
        // data of a partition past ~5 MiB (a 1,000,000-event run sized for 700 bytes an event
        // lost 94 of its 750,000 notifications that way).
        // Notifications, about two an event, are keyed by recipient, and a partition holds
        // whole recipients: the people spread over enough places, officers, courts and
        // supervising agencies (`spread`, ~25 people each) that every partition holds dozens of
        // recipients and so stays near the average (100,000 events with ~250 people a
        // recipient overfilled two of 147 partitions), and the topic gets partitions for its
        // volume (~1.4 KB a notification, ~2 MiB a partition on average).
        let perTopic = (events + 3) / 4
        let partitions = max(12, min(512, perTopic * 1024 / (4 << 20) + 1))
        let notificationPartitions = max(12, min(2048, 2 * events * 1536 / (2 << 20) + 1))
        let spread = max(16, perTopic / 25)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let application = try application(
            [.router, .warrantResolver], partitions: partitions, notificationPartitions: notificationPartitions, catalog: catalog, directory: directory,
            postgres: postgres)
        guard let kafka = application.kafka, let router = application.services[.router], let resolver = application.services[.warrantResolver]
        else { throw BenchmarkFailure(description: "the application lacks its embedded broker or a service") }
        try await application.prepare()
        let now = Date()
        printer.progress("throughput: producing \(events) mixed events over \(partitions) partitions per topic (\(notificationPartitions) for notifications)")
        var producerConfiguration = kafka.producerConfiguration(clientID: "bench-pipeline")
        producerConfiguration.maxQueuedMessages = 200_000
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        var produced: [String: Int64] = [:]
        var index = 0
        while index < events {
            let chunk = min(20_000, events - index)
            var messages: [KafkaProducerMessage] = []
            messages.reserveCapacity(chunk)
            for n in index..<(index + chunk) {
                let (number, person) = (n / 4, Self.person(n / 4))
                let event: ScenarioEvent
                switch n % 4 {
                case 0: event = try DemoScenario.caseStarted(
                    person, caseId: "C-\(number)", officer: Officer(officerId: "PO-\(number % spread)", name: "Officer"),
                    startDate: DemoScenario.day(now, -30), now: now, id: UUID(), address: DemoScenario.address(person: number, among: spread),
                    supervisingAgencyId: "MO-DOC-PP\(number % spread)")
                case 1: event = try DemoScenario.arrest(person, arrestId: "A-\(number)", at: now, now: now, id: UUID())
                case 2: event = try DemoScenario.warrantIssued(
                    person, warrantId: "W-\(number)", kind: .bench, agency: "MO-CIRCUIT\(number % spread)", now: now, id: UUID())
                default: event = try DemoScenario.releaseScheduled(
                    person, releaseId: "R-\(number)", facility: DemoScenario.werdcc, at: now.addingTimeInterval(60 * 86_400),
                    to: DemoScenario.address(person: number + 1, among: spread), now: now, id: UUID(), supervisingAgencyId: "MO-DOC-PP\(number % spread)")
                }
                produced[event.topic, default: 0] += 1
                messages.append(event.message)
            }
            let report = try await producer.sendBatch(messages)
            guard report.allDelivered else { throw BenchmarkFailure(description: "\(report.failures.count) events not delivered") }
            index += chunk
        }
        await producer.shutdown()
        let (consumeRate, upsertRate) = try await baselines(of: produced, router: router, directory: directory, postgres: postgres, printer)
        printer.progress("throughput: replaying with router + warrant resolver on empty databases")
        let routerTimings = statements > 0 ? try await router.database.timeStatements() : nil
        let resolverTimings = statements > 0 ? try await resolver.database.timeStatements() : nil
        // Resident memory of the process (both services and the embedded broker holding the
        // produced events) before the replay, and its peak during it.
        let residentBefore = ProcessMemory.residentBytes()
        let peakReset = ProcessMemory.resetPeak()
        let targets = produced
        let clock = ContinuousClock()
        let (started, finished, published, byRule, peak, processes) = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await application.run() }
            // Timed from the first committed batch of either service (group joins excluded).
            try await withThrowingTaskGroup(of: Void.self) { first in
                first.addTask { try await router.progress.benchmarkWait("the router's first batch", { Int64($0.batches) }, reaches: 1) }
                first.addTask { try await resolver.progress.benchmarkWait("the resolver's first batch", { Int64($0.batches) }, reaches: 1) }
                try await first.next()
                first.cancelAll()
            }
            let started = clock.now
            // What both services had read of the benchmark's topics when the clock started.
            let consumedAtStart = [router, resolver].reduce(Int64(0)) { sum, service in
                let progress = service.progress.snapshot
                return service.projection.topics.reduce(sum) { $0 + min(progress.consumed($1), targets[$1] ?? 0) }
            }
            for service in [router, resolver] {
                let topics = service.projection.topics
                try await service.progress.benchmarkWait(
                    "\(service.projection.name) replaying", { progress in topics.reduce(0) { $0 + min(progress.consumed($1), targets[$1] ?? 0) } },
                    reaches: topics.reduce(0) { $0 + (targets[$1] ?? 0) })
            }
            let finished = clock.now
            // Before the processes below add to what the broker holds.
            let peak = ProcessMemory.peakResidentBytes()
            let published = [router, resolver].reduce(0) { $0 + ($1.progress.snapshot.published[BusTopic.notifications] ?? 0) }
            // A failed read-back stops the application gracefully too (the broker last): left
            // to the task group's cancellation, the broker went first and the services' close
            // waited for it.
            let byRule: [String: Int]
            do {
                byRule = try await notificationsByRule(kafka)
            } catch {
                await application.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw error
            }
            // Each service's memory, in processes of their own on the same broker (its
            // events still there), before it stops; the services above sit idle meanwhile.
            // (Not on PostgreSQL: the processes would need the cluster's address and schemas of their own.)
            let processes: ProcessReplay?
            do {
                processes = postgres != nil ? nil : try await residentPerService(
                    bootstrapServers: application.bootstrapServers,
                    services: [(.router, router.projection.topics), (.warrantResolver, resolver.projection.topics)], targets: targets,
                    directory: directory, printer)
            } catch {
                await application.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw error
            }
            await application.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ((started, consumedAtStart), finished, published, byRule, peak, processes)
        }
        // The services' PostgreSQL connections, before the cluster stops (after a failure, its
        // stop ends them).
        for service in [router, resolver] { try await (service.database.storage as? PostgresStorage)?.close() }
        let seconds = Double((finished - started.0).components.attoseconds) / 1e18 + Double((finished - started.0).components.seconds)
        // The services' topics overlap (the router reads all four, the resolver two), so the
        // share of the work done after the clock started, in events: reading an event counts
        // once per service that reads it.
        let work = [router, resolver].reduce(Int64(0)) { sum, service in
            service.projection.topics.reduce(sum) { $0 + (produced[$1] ?? 0) }
        }
        guard work > started.1 else {
            throw BenchmarkFailure(description: "the services' first batches read all \(events) events before the clock started, "
                + "so the replay's rate cannot be measured: replay more events or use smaller batches")
        }
        let handled = Double(events) * Double(work - started.1) / Double(work)
        printer.figure("\(figures).events", Double(events), "events")
        printer.figure("\(figures).throughput", handled / seconds, "events/s")
        if let residentBefore, let peak, peakReset {
            printer.figure("pipeline.replay.resident_before", residentBefore / 1_048_576, "MiB")
            printer.figure("pipeline.replay.peak_resident", peak / 1_048_576, "MiB")
        }
        processes?.print(printer)
        printer.ratio(figures, handled / seconds / min(consumeRate, upsertRate))
        printer.statements(routerTimings, of: ServiceName.router.rawValue, count: statements)
        printer.statements(resolverTimings, of: ServiceName.warrantResolver.rawValue, count: statements)
        // How many transactions the replay took: each commits its effects, offsets and event
        // ids (and the database's pages) once, so fewer, larger batches write less.
        for (name, service) in [(ServiceName.router, router), (.warrantResolver, resolver)] {
            let batches = service.progress.snapshot.batches
            printer.figure("pipeline.replay.batches.\(name.rawValue)", Double(batches), "batches")
        }
        // Where each service's batches spent their time, per message they read.
        for (name, service) in [(ServiceName.router, router), (.warrantResolver, resolver)] {
            printer.stages(service.progress.snapshot.stages, as: "\(figures).\(name.rawValue)")
        }
        // What each service's state takes on disk after the replay: the database (bytes per
        // event: what the checkpoints copy and the page cache holds) and its write-ahead log.
        for service in [ServiceName.router, .warrantResolver] where postgres == nil {
            let base = directory.appendingPathComponent("\(service.rawValue).sqlite").path
            func size(_ path: String) -> Double { Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) }
            printer.figure("pipeline.replay.database.\(service.rawValue)", size(base) / 1_048_576, "MiB")
            printer.figure("pipeline.replay.database.\(service.rawValue).per_event", size(base) / Double(events), "bytes")
            printer.figure("pipeline.replay.database.\(service.rawValue).log", size(base + "-wal") / 1_048_576, "MiB")
        }
        printer.figure("pipeline.replay.notifications", Double(published), "notifications")
        for (rule, count) in byRule.sorted(by: { $0.key < $1.key }) {
            printer.figure("pipeline.replay.notifications.\(rule)", Double(count), "notifications")
        }
        // What the broker kept is what the services say they published (none lost to its
        // retention, none doubled), and the rule every event of the mix feeds saw them all:
        // each arrest (a quarter of the events) tells its officer.
        let readBack = byRule.values.reduce(0, +)
        let arrests = (events + 2) / 4
        guard readBack == published, byRule["supervisee-arrested"] == arrests else {
            throw BenchmarkFailure(description: """
                the replay published \(published) notifications, bus.notifications holds \(readBack), \
                \(byRule["supervisee-arrested"] ?? 0) for the \(arrests) arrests: events were lost (broker retention?) or doubled
                """)
        }
    }
}

/// Produce and store times of the latency run, by source event id.
final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var producedAt: [String: UInt64] = [:]
    private var storedAt: [String: UInt64] = [:]

    init(capacity: Int) {
        producedAt.reserveCapacity(capacity)
        storedAt.reserveCapacity(capacity)
    }

    func produced(_ id: String, at time: UInt64) { lock.withLock { producedAt[id] = time } }
    func stored(_ id: String, at time: UInt64) { lock.withLock { storedAt[id] = time } }

    /// One arrest that reached the inbox: when it was sent (monotonic ns) and its latency (ms).
    struct Sample {
        var sent: UInt64
        var latency: Double
    }

    /// The arrests that reached the inbox, in the order they were sent.
    func samples() -> [Sample] {
        lock.withLock {
            storedAt.compactMap { id, stored in producedAt[id].map { Sample(sent: $0, latency: Double(stored &- $0) / 1e6) } }
        }.sorted { $0.sent < $1.sent }
    }
}

/// A figure set by the task that measured it (the raw hop's latencies, the measured phase's
/// CPU), read once the tasks are done.
final class MeasuredValue<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>

    init(_ initial: Value) { stored = Mutex(initial) }

    func set(_ value: Value) { stored.withLock { $0 = value } }
    var value: Value { stored.withLock { $0 } }
}
