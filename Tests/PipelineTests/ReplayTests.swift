import Contracts
import Demo
import Foundation
import GRDB
import Logging
import Notifications
import Storage
import Synchronization
import TestSupport
import Testing

@testable import Kafka
@testable import ServiceKit
@testable import Pipeline

/// `reentrybus replay` on the embedded broker with SQLite: the rebuilt state equals the one
/// the services built incrementally; a running service holds the swap back; a failure leaves
/// the old state as it was; the command shows its progress.
@Suite("Replay on the embedded broker (SQLite)")
struct ReplayTests {
    /// Every service built incrementally (small batches, the demo's flows with a poison message,
    /// more people in bulk), then each replayed in batches of another size: the same state,
    /// offsets, applied event ids and counters, nothing left in the outbox, the file replaced.
    @Test func eachServiceIsRebuiltAsItWasBuiltIncrementallyAndSwappedIn() async throws {
        let bus = try await TestBus(maxBatchSize: 5)
        try await within(.seconds(240), "incremental build, then every replay") {
            try await buildEveryServiceIncrementally(on: bus)
            try await expectEachServiceRebuiltAndSwappedIn(on: bus)
        }
    }

    /// A replay started while the router runs rebuilds, then waits for the router to stop,
    /// following what it applies meanwhile; once the router stopped it swaps in the state the
    /// router left. The router, started again, goes on where it stopped: it sends the next
    /// arrest's notification and nothing of what it had sent before.
    @Test func theSwapWaitsForTheRunningServiceToStop() async throws {
        let bus = try await TestBus(maxBatchSize: 5)
        try await within(.seconds(120), "replay beside a running router") {
            let (cases, arrests) = try casesAndArrests(count: 30, run: "wait")
            var router: RunningService? = try bus.start(.router)
            try await bus.publish(Array(cases.prefix(15)) + Array(arrests.prefix(15)))
            await bus.waitUntilCaughtUp(router!)

            let atSwap = LockedValue<Result<StateSnapshot, any Error>?>(nil)
            let replay = try Replay(
                .router, configuration: bus.configuration,
                options: ReplayOptions(stopTimeout: .seconds(60), checkInterval: .milliseconds(50), catchUpInterval: .milliseconds(100)),
                logger: testLogger,
                onPhase: { progress in
                    // The old state as the stopped router left it, just before the swap.
                    if progress.phase == .swapping { atSwap.withLock { $0 = Result { try bus.snapshot(.router) } } }
                })
            try await withThrowingTaskGroup(of: Replay.Report.self) { group in
                group.addTask { try await replay.run() }
                await replay.progress.wait { $0.phase == .waitingForStop }
                // The running router applies more; the waiting replay follows.
                try await bus.publish(Array(cases.suffix(15)) + Array(arrests.suffix(15)))
                await bus.waitUntilCaughtUp(router!)
                await replay.progress.wait { $0.events == 60 }
                #expect(replay.progress.value.phase == .waitingForStop)
                try await router!.stop()
                router = nil  // its database closes with it
                let report = try #require(try await group.next())
                #expect(report.progress.events == 60)
                #expect(report.progress.applied == 60)
            }
            let old = try #require(try atSwap.withLock { $0 }?.get())
            #expect(try bus.snapshot(.router) == old)
            #expect(try !bus.hasReplayLeftovers(.router))

            let again = try bus.start(.router)
            let next = try DemoScenario.arrest(
                SubjectIdentifiers(stateId: "MO8000003", name: PersonName(given: "Person", family: "Wait3")), arrestId: "A-again",
                at: scenarioNow.addingTimeInterval(120), now: scenarioNow, id: ScenarioEvent.eventId("wait/arrest-again"))
            try await bus.publish([next])
            await bus.waitUntilCaughtUp(again)
            try await again.stop()
            #expect(again.service.progress.snapshot.applied == 1)
            #expect(again.service.progress.snapshot.published[BusTopic.notifications] == 1)
        }
    }

    /// The broker gone: the replay gives up after its stall timeout, says why, removes what it
    /// built and leaves the router's database untouched (same file, same state).
    @Test func aReplayWithoutItsBrokerLeavesTheOldStateAsItWas() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "replay without a broker") {
            try await buildRouter(on: bus, people: 10, run: "gone")
            let before = try bus.snapshot(.router)
            let identity = try bus.stateIdentity(.router)
            try bus.kafka.setBrokerDown(1)
            let replay = try Replay(.router, configuration: bus.configuration, options: ReplayOptions(stallTimeout: .seconds(2)), logger: quietLogger)
            do {
                _ = try await replay.run()
                Issue.record("the replay succeeded without a broker")
            } catch let error as ReplayError {
                guard case .stalled = error.reason else {
                    Issue.record("unexpected reason: \(error)")
                    return
                }
                #expect(!error.leftover)
                #expect(error.description.contains("the broker stopped answering"))
                #expect(error.description.contains("its state at \(bus.configuration.databasePath(.router)) is as it was"))
            }
            #expect(replay.progress.value.phase == .failed)
            #expect(try bus.snapshot(.router) == before)
            #expect(try bus.stateIdentity(.router) == identity)
            #expect(try !bus.hasReplayLeftovers(.router))
            // The broker is left down: bringing a mock broker back up can abort the test
            // process when its port was taken meanwhile (scripts/test, "outages").
        }
    }

    /// The rebuild gathers what the reader brings and the merge lets go (here a few at a time:
    /// batches of 5, a merge window of 5) into transactions of up to `eventsPerTransaction`
    /// events: the 60 events in one by default, in at least ⌈60 / 7⌉ with 7; the state the
    /// same either way.
    @Test func theRebuildAppliesTransactionsOfTheSizeAsked() async throws {
        let bus = try await TestBus(maxBatchSize: 5)
        try await within(.seconds(120), "two replays") {
            try await buildRouter(on: bus, people: 30, run: "sizes")
            let built = try bus.snapshot(.router)
            for (size, expected) in [(5_000, 1...1), (7, 9...60)] {
                let replay = try Replay(
                    .router, configuration: bus.configuration,
                    options: ReplayOptions(stopTimeout: .seconds(30), mergeWindow: 5, eventsPerTransaction: size), logger: quietLogger)
                _ = try await replay.run()
                let progress = replay.progress.value
                #expect(progress.events == 60)
                #expect(expected.contains(progress.transactions), "\(progress.transactions) transactions of up to \(size) events")
                let rebuilt = try bus.snapshot(.router)
                #expect(rebuilt.digest == built.digest, "rebuilt in transactions of \(size)")
                #expect(rebuilt.offsets == built.offsets)
                #expect(rebuilt.appliedEventIds == built.appliedEventIds)
            }
        }
    }

    /// While a transaction is gathered, the share done moves with what the reader has read:
    /// with the 60 events in one transaction and the reader's batches of 5, the progress shows
    /// offsets read and a share above zero before anything is applied (a display would
    /// otherwise stand still for the seconds a transaction of 5,000 events takes to gather).
    @Test func progressMovesWithTheReadingBeforeATransactionCommits() async throws {
        let bus = try await TestBus(maxBatchSize: 5)
        try await within(.seconds(120), "a replay in one transaction") {
            try await buildRouter(on: bus, people: 30, run: "reading")
            let replay = try Replay(
                .router, configuration: bus.configuration,
                options: ReplayOptions(stopTimeout: .seconds(30), mergeWindow: 5, eventsPerTransaction: 5_000), logger: quietLogger)
            // The condition is checked at each change of the progress. Its first check happens as
            // the waiter registers, which the replay starts only after: no change is missed.
            let beforeAnyTransaction = Mutex<ReplayProgress?>(nil)
            let (registered, registration) = AsyncStream<Void>.makeStream()
            let watcher = Task {
                await replay.progress.wait { progress in
                    registration.yield()
                    if progress.transactions == 0, progress.phase == .rebuilding, progress.fraction > 0 {
                        beforeAnyTransaction.withLock { $0 = $0 ?? progress }
                    }
                    return progress.transactions > 0 || progress.phase == .failed
                }
            }
            for await _ in registered { break }
            _ = try await replay.run()
            await watcher.value
            let seen = try #require(beforeAnyTransaction.withLock { $0 }, "the share done stayed 0 until the transaction committed")
            #expect(seen.offsetsRead > 0 && seen.offsetsRead < seen.offsetsTotal)
            #expect(seen.events == 0 && seen.offsetsDone == 0)
            let done = replay.progress.value
            #expect(done.transactions == 1 && done.events == 60)
            #expect(done.offsetsRead == done.offsetsDone && done.fraction == 1)
        }
    }

    /// A replay cancelled while it waits for the router to stop (what Ctrl-C does) ends saying
    /// so, keeps nothing of what it built and leaves the router's state as it was.
    @Test func aCancelledReplayKeepsNothing() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "cancelled replay") {
            let (cases, arrests) = try casesAndArrests(count: 10, run: "cancel")
            let router = try bus.start(.router)
            try await bus.publish(cases + arrests)
            await bus.waitUntilCaughtUp(router)
            let before = try bus.snapshot(.router)
            let replay = try Replay(.router, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .seconds(60)), logger: quietLogger)
            let outcome = await withTaskGroup(of: Result<Replay.Report, any Error>.self) { group in
                group.addTask {
                    do {
                        return .success(try await replay.run())
                    } catch {
                        return .failure(error)
                    }
                }
                await replay.progress.wait { $0.phase == .waitingForStop }
                group.cancelAll()
                return await group.next()!
            }
            guard case .failure(let error as ReplayError) = outcome, case .cancelled = error.reason else {
                Issue.record("expected a cancelled replay, got \(outcome)")
                return
            }
            #expect(!error.leftover)
            #expect(replay.progress.value.phase == .failed)
            #expect(try !bus.hasReplayLeftovers(.router))
            try await router.stop()
            // The state the router built, as it was (its outbox empties as it stops).
            let after = try bus.snapshot(.router)
            #expect(after.digest == before.digest)
            #expect(after.offsets == before.offsets)
            #expect(after.appliedEventIds == before.appliedEventIds)
        }
    }

    /// `reentrybus replay router`: refused (exit 1, saying why, nothing kept) while the router
    /// runs and --stop-timeout is 0; once it stopped, a progress line per phase on standard
    /// error, the summary on standard output, and the rebuilt state swapped in.
    @Test func theCommandRefusesWhileTheServiceRunsThenShowsItsProgressAndSwaps() async throws {
        let directory = temporaryDirectory("reentrybus-replay-key")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = try writeNotificationKeyFile(in: directory)
        let key = try NotificationSigningKey(text: try String(contentsOfFile: keyFile, encoding: .utf8))
        let bus = try await TestBus(maxBatchSize: 5, notificationKey: key)
        try await within(.seconds(150), "replay command") {
            let arguments = [
                "replay", "router", "--bootstrap", bus.kafka.bootstrapServers, "--data-dir", bus.configuration.dataDirectory.path,
                "--notification-key-file", keyFile, "--log-level", "error",
            ]
            let (cases, arrests) = try casesAndArrests(count: 12, run: "command")
            do {
                let router = try bus.start(.router)
                try await bus.publish(cases + arrests)
                await bus.waitUntilCaughtUp(router)
                let (refused, process) = try await runReentrybus(arguments + ["--stop-timeout", "0"])
                #expect(refused == .init(status: 1, bySignal: false), "\(process.errors.value)")
                #expect(process.errors.value.contains("router still had its state open"), "\(process.errors.value)")
                #expect(process.errors.value.contains("nothing of the replay was kept"), "\(process.errors.value)")
                #expect(try !bus.hasReplayLeftovers(.router))
                try await router.stop()
            }
            let before = try bus.snapshot(.router)
            let (termination, process) = try await runReentrybus(arguments + ["--progress-interval", "0.1"])
            #expect(termination == .init(status: 0, bySignal: false), "\(process.errors.value)")
            let lines = process.errors.value.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("replay router: rebuilding: 0 events") }, "\(process.errors.value)")
            #expect(lines.contains { $0.hasPrefix("replay router: swapping: 24 events, ") && $0.contains(" events/s, 100%") },
                    "\(process.errors.value)")
            #expect(process.output.value.hasPrefix(
                "replay router: swapped in at \(bus.configuration.databasePath(.router)): 24 events read (24 applied, 0 dead letters, 0 duplicates)"),
                "\(process.output.value)")
            #expect(try bus.snapshot(.router) == before)
            #expect(try !bus.hasReplayLeftovers(.router))
        }
    }

    /// The progress line a display prints: counts grouped, the rate while reading, the share
    /// done, the time left.
    @Test func aProgressLineSaysHowManyHowFastAndHowLong() {
        let start = ContinuousClock.now
        func rebuilding(events: Int, done: Int64, read: Int64 = 0) -> ReplayProgress {
            var progress = ReplayProgress()
            progress.phase = .rebuilding
            progress.readingSince = start
            progress.events = events
            progress.offsetsDone = done
            progress.offsetsRead = read
            progress.offsetsTotal = 100_000
            return progress
        }
        var progress = rebuilding(events: 12_345, done: 25_000)
        #expect(progress.line(at: start + .seconds(5)) == "rebuilding: 12,345 events, 2,469 events/s, 25%, ETA 0:15")
        // The pass ended after 5 s: time spent waiting afterwards does not lower the rate.
        progress.phase = .waitingForStop
        progress.readingSince = nil
        progress.readTime = .seconds(5)
        #expect(progress.line(at: start + .seconds(60)) == "waiting for the service to stop: 12,345 events, 2,469 events/s, 25%")
        #expect(ReplayProgress().line(at: start) == "starting: 0 events")
        // Read ahead of what a transaction applied: the share and the time left follow the
        // reading; the events count what was applied.
        let gathering = rebuilding(events: 20_000, done: 20_000, read: 25_000)
        #expect(gathering.line(at: start + .seconds(5)) == "rebuilding: 20,000 events, 4,000 events/s, 25%, ETA 0:15")
    }

    /// What the replaced state committed and never delivered (a crash after the commit, a
    /// delivery that failed and stopped the service) and what the broker refused for good are
    /// carried into the rebuilt state: the router, started on it, sends the waiting message.
    @Test func whatTheReplacedStateOwedTheBusIsCarriedThroughTheSwap() async throws {
        let bus = try await TestBus()
        try await within(.seconds(120), "replay with an undelivered outbox") {
            try await expectUndeliveredOutboxCarriedThroughTheSwap(on: bus)
        }
    }

    @Test func theInboxKeepsItsArrivalNumbersThroughTheSwap() async throws {
        let bus = try await TestBus()
        try await within(.seconds(120), "inbox replay") { try await expectInboxArrivalsKeptThroughTheSwap(on: bus) }
    }
}

/// `ReplayMerge`: a replay applies what it reads in the order the running service met it
/// (Kafka timestamps across partitions), whatever order the broker's fetches come back in.
@Suite("Replay order")
struct ReplayMergeTests {
    let releases = TopicPartition(topic: "custody.releases", partition: 0)
    let directory = TopicPartition(topic: "reference.agencies", partition: 0)

    func message(_ partition: TopicPartition, _ offset: Int64, at time: Int64) -> KafkaConsumerMessage {
        KafkaConsumerMessage(topicPartition: partition, offset: KafkaOffset(offset), key: nil, value: [], timestampMilliseconds: time)
    }

    func names(_ messages: [KafkaConsumerMessage]) -> [String] {
        messages.map { "\($0.topic)@\($0.offset.rawValue)" }
    }

    /// A whole partition fetched before another: nothing goes until both have shown a message;
    /// then the earliest always goes first, each partition in its own order.
    @Test func nothingGoesBeforeEveryPartitionShowedOneThenTheEarliestFirst() {
        var merge = ReplayMerge(partitions: [releases, directory], window: 100)
        merge.add(message(releases, 0, at: 30))
        merge.add(message(releases, 1, at: 50))
        #expect(merge.ready().isEmpty)
        merge.add(message(directory, 0, at: 10))
        merge.add(message(directory, 1, at: 40))
        merge.finished(directory)
        #expect(names(merge.ready()) == [
            "reference.agencies@0", "custody.releases@0", "reference.agencies@1", "custody.releases@1",
        ])
        // Within a partition, offset order wins over a timestamp out of order.
        merge.add(message(releases, 2, at: 70))
        merge.add(message(releases, 3, at: 60))
        #expect(names(merge.ready()) == ["custody.releases@2", "custody.releases@3"])
    }

    /// At most `window` messages wait: past it the earliest goes anyway; `drain()` lets the
    /// rest go in order when nothing more will come.
    @Test func theWindowBoundsWhatWaitsAndDrainLetsTheRestGo() {
        var merge = ReplayMerge(partitions: [releases, directory], window: 2)
        merge.add(message(releases, 0, at: 30))
        merge.add(message(releases, 1, at: 20))
        #expect(merge.ready().isEmpty)
        merge.add(message(releases, 2, at: 10))
        #expect(names(merge.ready()) == ["custody.releases@0"])
        #expect(merge.waiting == 2)
        #expect(names(merge.drain()) == ["custody.releases@1", "custody.releases@2"])
        #expect(merge.waiting == 0)
    }
}

/// The same on PostgreSQL (a private cluster), schema by schema; skipped, saying why, where
/// PostgreSQL is not installed.
@Suite(
    "Replay on PostgreSQL",
    .enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReplayPostgresTests {
    /// Every service built incrementally; a replay of the router while it runs is refused and
    /// keeps nothing; then each service is replayed and swapped in with the same state.
    @Test func eachServiceIsRebuiltAsItWasBuiltIncrementallyAndSwappedIn() async throws {
        let cluster = try #require(PostgresCluster.current)
        let url = cluster.url(database: try await cluster.createDatabase())
        let bus = try await TestBus(maxBatchSize: 5, postgres: try .init(url: url))
        try await within(.seconds(240), "incremental build, then every replay") {
            try await buildEveryServiceIncrementally(on: bus)
            let before = try bus.snapshot(.router)
            do {
                let router = try bus.start(.router)
                let replay = try Replay(.router, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .zero), logger: quietLogger)
                do {
                    _ = try await replay.run()
                    Issue.record("the replay swapped while the router ran")
                } catch let error as ReplayError {
                    guard case .stillInUse = error.reason else {
                        Issue.record("unexpected reason: \(error)")
                        return
                    }
                    #expect(!error.leftover)
                }
                try await router.stop()
            }
            #expect(try bus.snapshot(.router) == before)
            #expect(try !bus.hasReplayLeftovers(.router))
            try await expectEachServiceRebuiltAndSwappedIn(on: bus)
        }
    }

    /// As on SQLite: the outbox's identity sequence is set past every carried number.
    @Test func whatTheReplacedStateOwedTheBusIsCarriedThroughTheSwap() async throws {
        let cluster = try #require(PostgresCluster.current)
        let url = cluster.url(database: try await cluster.createDatabase())
        let bus = try await TestBus(postgres: try .init(url: url))
        try await within(.seconds(120), "replay with an undelivered outbox") {
            try await expectUndeliveredOutboxCarriedThroughTheSwap(on: bus)
        }
    }

    @Test func theInboxKeepsItsArrivalNumbersThroughTheSwap() async throws {
        let cluster = try #require(PostgresCluster.current)
        let url = cluster.url(database: try await cluster.createDatabase())
        let bus = try await TestBus(postgres: try .init(url: url))
        try await within(.seconds(120), "inbox replay") { try await expectInboxArrivalsKeptThroughTheSwap(on: bus) }
    }
}

// MARK: - Scenario and checks

let quietLogger: Logger = {
    var logger = Logger(label: "replay-tests")
    logger.logLevel = .critical
    return logger
}()

/// What a replay must reproduce of a service's database: its state (`stateDigest`), its
/// offsets, how many event ids it remembers, its durable counters.
struct StateSnapshot: Equatable, Sendable {
    var digest: String
    var offsets: [String: Int64]
    var appliedEventIds: Int
    var counters: [String: Int]
    var outbox: Int

    /// Offsets summed: on fresh topics, the messages the service read.
    var messagesRead: Int64 { offsets.values.reduce(0, +) }
}

extension TestBus {
    /// Reads a service's database; on SQLite waiting up to 10 s for a lock (a service that just
    /// stopped holds its file's lock while its last connection checkpoints).
    func readWaiting<T>(_ name: ServiceName, _ body: (any StorageTransaction) throws -> T) throws -> T {
        guard configuration.postgres == nil else { return try read(name, body) }
        var options = GRDB.Configuration()
        options.readonly = true
        options.busyMode = .timeout(10)
        let path = configuration.databasePath(name)
        return try SQLiteStorage(writer: try DatabaseQueue(path: path, configuration: options), location: path).readBlocking(body)
    }

    func snapshot(_ name: ServiceName) throws -> StateSnapshot {
        try readWaiting(name) { transaction in
            var offsets: [String: Int64] = [:]
            for row in try transaction.fetchAll("SELECT topic, partition_id, next_offset FROM kit_offsets") {
                offsets["\(try row.get("topic", as: String.self))[\(try row.get("partition_id", as: Int.self))]"] = try row.get("next_offset")
            }
            var counters: [String: Int] = [:]
            for row in try transaction.fetchAll("SELECT name, value FROM kit_counters") {
                counters[try row.get("name", as: String.self)] = try row.get("value", as: Int.self)
            }
            return StateSnapshot(
                digest: try stateDigest(transaction), offsets: offsets,
                appliedEventIds: try transaction.fetchOne("SELECT count(*) AS n FROM kit_applied_events")?.get("n", as: Int.self) ?? -1,
                counters: counters,
                outbox: try transaction.fetchOne("SELECT count(*) AS n FROM kit_outbox")?.get("n", as: Int.self) ?? -1)
        }
    }

    /// What changes when a state is swapped in: the file's inode, or the schema's oid.
    func stateIdentity(_ name: ServiceName) throws -> Int64 {
        if let postgres = configuration.postgres {
            return try PostgresStorage(configuration: postgres, logger: quietLogger).readBlocking { transaction in
                try #require(try transaction.fetchOne(
                    "SELECT oid::bigint AS id FROM pg_namespace WHERE nspname = $1", [.text(configuration.databaseSchema(name))]
                )?.get("id", as: Int64.self))
            }
        }
        let inode = try FileManager.default.attributesOfItem(atPath: configuration.databasePath(name))[.systemFileNumber]
        return try #require((inode as? NSNumber)?.int64Value ?? (inode as? UInt64).map { Int64($0) })
    }

    /// Runs `body` in a write transaction on a stopped service's state, closed afterwards (a
    /// replay swaps only a state nobody has open).
    func writeClosed<T>(_ name: ServiceName, _ body: (any StorageTransaction) throws -> T) async throws -> T {
        if let postgres = configuration.postgres {
            let storage = PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(name)), logger: quietLogger)
            let result = try storage.writeBlocking(body)
            try await storage.close()
            return result
        }
        let path = configuration.databasePath(name)
        var options = GRDB.Configuration()
        options.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: options)
        let result = try SQLiteStorage(writer: queue, location: path).writeBlocking(body)
        try queue.close()
        return result
    }

    /// Whether anything of a replay is left beside the service's state.
    func hasReplayLeftovers(_ name: ServiceName) throws -> Bool {
        if let postgres = configuration.postgres {
            let schema = configuration.databaseSchema(name)
            return try PostgresStorage(configuration: postgres, logger: quietLogger).readBlocking { transaction in
                try transaction.fetchOne(
                    "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name IN ($1, $2)",
                    [.text(schema + "_replay"), .text(schema + "_old")]
                )?.get("n", as: Int.self) != 0
            }
        }
        let path = configuration.databasePath(name) + ".replay"
        return ["", "-wal", "-shm", "-journal"].contains { FileManager.default.fileExists(atPath: path + $0) }
    }
}

/// Supervision cases and arrests of `count` people (one arrest each, within the case).
func casesAndArrests(count: Int, run: String) throws -> (cases: [ScenarioEvent], arrests: [ScenarioEvent]) {
    let people = (0..<count).map { index in
        SubjectIdentifiers(stateId: "MO8\(String(format: "%06d", index))", name: PersonName(given: "Person", family: "\(run.capitalized)\(index)"))
    }
    let cases = try people.enumerated().map { index, person in
        try DemoScenario.caseStarted(
            person, caseId: "\(run)-CASE-\(index)", officer: Officer(officerId: "PO-\(index % 5)", name: "Officer \(index % 5)"),
            startDate: DemoScenario.day(scenarioNow, -100), now: scenarioNow, id: ScenarioEvent.eventId("\(run)/case-\(index)"))
    }
    let arrests = try people.enumerated().map { index, person in
        try DemoScenario.arrest(
            person, arrestId: "\(run)-A-\(index)", at: scenarioNow.addingTimeInterval(Double(index)), now: scenarioNow,
            id: ScenarioEvent.eventId("\(run)/arrest-\(index)"))
    }
    return (cases, arrests)
}

/// The router alone, on `people` cases and arrests; stopped (and released) at the end.
func buildRouter(on bus: TestBus, people: Int, run: String) async throws {
    let (cases, arrests) = try casesAndArrests(count: people, run: run)
    let router = try bus.start(.router)
    try await bus.publish(cases + arrests)
    await bus.waitUntilCaughtUp(router)
    try await router.stop()
}

/// Every service's state built as `dev` builds it: the demo's steps one by one (each read by
/// its service before the next), a poison arrest among them, then 30 more people's cases and
/// arrests at once. Every service is stopped, and released (its database closed), at the end.
func buildEveryServiceIncrementally(on bus: TestBus) async throws {
    let router = try bus.start(.router)
    let resolver = try bus.start(.warrantResolver)
    let inbox = try bus.start(.inbox)
    let views = try bus.start(.views)
    let feeds = try bus.start(.feeds)
    let personIndex = try bus.start(.personIndex)
    let readers: [ServiceName: RunningService] = [.router: router, .warrantResolver: resolver]
    let scenario = try DemoScenario(now: scenarioNow, run: "replay")
    for step in scenario.steps {
        try await bus.publish([step.event])
        await bus.waitUntilCaughtUp(readers[step.readBy]!)
        if step.name == "A2 arrest" {
            try await bus.publish([try poison(step.event)])
            await bus.waitUntilCaughtUp(router)
        }
    }
    let (cases, arrests) = try casesAndArrests(count: 30, run: "bulk")
    try await bus.publish(cases + arrests)
    await bus.waitUntilCaughtUp(router)
    await bus.waitUntilCaughtUp(resolver)
    await bus.waitUntilInboxCaughtUp(inbox, running: [router, resolver])
    await bus.waitUntilCaughtUp(views)
    let delivered = inbox.service.progress.snapshot.consumed(BusTopic.notifications)
    await views.service.progress.wait { $0.consumed(BusTopic.notifications) >= delivered }
    await bus.waitUntilCaughtUp(feeds)
    await bus.waitUntilCaughtUp(personIndex)
    // The router reads the index's decisions: it stops only once it has read every one, or a
    // restart (the replay's) would find some unread and its state would move.
    let decisions = Int64(personIndex.service.progress.snapshot.published[BusTopic.identity] ?? 0)
    await router.service.progress.wait { $0.consumed(BusTopic.identity) >= decisions }
    #expect(router.service.progress.snapshot.deadLettered == 1)
    try await personIndex.stop()
    try await feeds.stop()
    try await views.stop()
    try await inbox.stop()
    try await resolver.stop()
    try await router.stop()
}

/// An arrest without charges (a schema violation), under an id of its own.
func poison(_ arrest: ScenarioEvent) throws -> ScenarioEvent {
    var document = try #require(try JSONSerialization.jsonObject(with: Data(arrest.value)) as? [String: Any])
    var payload = try #require(document["payload"] as? [String: Any])
    payload["charges"] = nil
    document["payload"] = payload
    let id = ScenarioEvent.eventId("replay/poison").uuidString.lowercased()
    document["eventId"] = id
    var event = arrest
    event.eventId = id
    event.value = Array(try JSONSerialization.data(withJSONObject: document))
    return event
}

/// Each service replayed (in batches of 1,000, the incremental build's were of 5) and swapped
/// in: same snapshot, every message below the old offsets read once, the file or schema
/// replaced, nothing of the replay left.
func expectEachServiceRebuiltAndSwappedIn(on bus: TestBus) async throws {
    var configuration = bus.configuration
    configuration.client.maxBatchSize = 1_000
    for name in ServiceName.consumers {
        let before = try bus.snapshot(name)
        let identity = try bus.stateIdentity(name)
        #expect(before.messagesRead > 0, "\(name)")
        #expect(before.outbox == 0, "\(name)")
        let replay = try Replay(name, configuration: configuration, options: ReplayOptions(stopTimeout: .seconds(30)), logger: quietLogger)
        let report = try await replay.run()
        #expect(Int64(report.progress.events) == before.messagesRead, "\(name)")
        #expect(report.progress.fraction == 1, "\(name)")
        #expect(try bus.snapshot(name) == before, "\(name)")
        #expect(try bus.stateIdentity(name) != identity, "\(name)")
        #expect(try !bus.hasReplayLeftovers(name), "\(name)")
        if bus.configuration.postgres == nil {
            // The swapped-in file stands alone: no log or journal of either file beside it.
            let path = bus.configuration.databasePath(name)
            #expect(["-wal", "-shm", "-journal"].filter { FileManager.default.fileExists(atPath: path + $0) } == [], "\(name)")
        }
    }
}

/// The router's state left with one message committed and never delivered and one the broker
/// refused for good (as a crash, or a refused delivery, leaves them), then replayed: both are in
/// the new state with their numbers, a message queued next is numbered after both (an
/// acknowledgement removes every row up to its number), and the router started on it delivers
/// the waiting one.
func expectUndeliveredOutboxCarriedThroughTheSwap(on bus: TestBus) async throws {
    try await buildRouter(on: bus, people: 5, run: "carry")
    #expect(try bus.snapshot(.router).outbox == 0)
    func message(_ key: String) -> OutgoingMessage {
        OutgoingMessage(topic: BusTopic.notifications, key: key, value: Array(#"{"id":"\#(key)"}"#.utf8), headers: [KafkaHeader(key: "h", value: [1, 2])])
    }
    let seqs = try await bus.writeClosed(.router) { transaction in
        // The refused message numbered last: the new outbox must number past the failed ones too.
        try ServiceDatabase.appendToOutbox([message("waiting"), message("refused")], transaction)
        try transaction.execute("""
            INSERT INTO kit_outbox_failed (seq, topic, key, value, headers, header_bytes, subject_digest, mention_digests, reason, failed_at)
            SELECT seq, topic, key, value, headers, header_bytes, subject_digest, mention_digests, 'message too large', '2026-12-07T00:00:00Z'
            FROM kit_outbox WHERE key = 'refused'
            """)
        try transaction.execute("DELETE FROM kit_outbox WHERE key = 'refused'")
        return try transaction.fetchAll("SELECT seq FROM kit_outbox UNION ALL SELECT seq FROM kit_outbox_failed").map { try $0.get("seq", as: Int64.self) }
    }

    _ = try await Replay(.router, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .seconds(30)), logger: quietLogger).run()

    let (waiting, failed) = try bus.read(.router) { transaction in
        (try ServiceDatabase.outbox(transaction), try transaction.fetchAll("SELECT seq, key, reason FROM kit_outbox_failed"))
    }
    // Without it, the router started below would wait for a message it never sends.
    try #require(waiting.map(\.message) == [message("waiting")])
    #expect(try failed.map { [try $0.get("key", as: String.self), try $0.get("reason", as: String.self)] } == [["refused", "message too large"]])
    #expect(Set(waiting.map(\.seq) + (try failed.map { try $0.get("seq", as: Int64.self) })) == Set(seqs))
    let nextSeq = try await bus.writeClosed(.router) { transaction in
        try ServiceDatabase.appendToOutbox([message("next")], transaction)
        let seq = try ServiceDatabase.outbox(transaction).first { $0.message.key == "next" }?.seq
        try transaction.execute("DELETE FROM kit_outbox WHERE key = 'next'")
        return seq
    }
    #expect(try #require(nextSeq) > seqs.max()!)

    let router = try bus.start(.router)
    await router.service.progress.wait { $0.published[BusTopic.notifications] == 1 }
    try await router.stop()
    #expect(try bus.snapshot(.router).outbox == 0)
}

/// The inbox, built by the router's notifications, numbered by the live inbox in another order
/// than the rebuild's (the order its fetches brought them: here the reverse), then replayed:
/// each notification keeps its arrival number and the counter its value, so a gateway cursor
/// (a webhook's, a stream's) means after the swap what it meant before (review 99: renumbered,
/// a notification that moved below a webhook's cursor was never sent to it).
func expectInboxArrivalsKeptThroughTheSwap(on bus: TestBus) async throws {
    do {  // the services released (their databases closed) at the end of the scope
        let router = try bus.start(.router)
        let inbox = try bus.start(.inbox)
        let (cases, arrests) = try casesAndArrests(count: 8, run: "arrivals")
        try await bus.publish(cases + arrests)
        await bus.waitUntilCaughtUp(router)
        await bus.waitUntilInboxCaughtUp(inbox, running: [router])
        try await router.stop()
        try await inbox.stop()
    }

    let (arrivals, next) = try await bus.writeClosed(.inbox) { transaction in
        let numbered = try transaction.fetchAll("SELECT id, arrival FROM inbox ORDER BY arrival").map {
            (try $0.get("id", as: String.self), try $0.get("arrival", as: Int64.self))
        }
        let reversed = Dictionary(uniqueKeysWithValues: zip(numbered.map(\.0), numbered.map(\.1).reversed()))
        try transaction.execute("UPDATE inbox SET arrival = -1 - arrival")
        for (id, arrival) in reversed { try transaction.execute("UPDATE inbox SET arrival = $1 WHERE id = $2", [.integer(arrival), .text(id)]) }
        let next = try #require(try transaction.fetchOne("SELECT next FROM inbox_arrivals")?.get("next", as: Int64.self))
        return (reversed, next)
    }
    #expect(arrivals.count >= 8, "each arrest told its officer at least")

    _ = try await Replay(.inbox, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .seconds(30)), logger: quietLogger).run()

    let (rebuilt, rebuiltNext) = try bus.read(.inbox) { transaction in
        let rows = try transaction.fetchAll("SELECT id, arrival FROM inbox").map { (try $0.get("id", as: String.self), try $0.get("arrival", as: Int64.self)) }
        return (Dictionary(uniqueKeysWithValues: rows), try transaction.fetchOne("SELECT next FROM inbox_arrivals")?.get("next", as: Int64.self))
    }
    #expect(rebuilt == arrivals)
    #expect(rebuiltNext == next)
}
