import Contracts
import Demo
import Foundation
import GRDB
import Kafka
import Notifications
import Routing
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a small seeded generator, so a failing run can be repeated with its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The broker and the services as separate `reentrybus` processes, the services killed with
/// SIGKILL at random moments and restarted: the inbox ends equal to the inbox of a run without
/// kills, every notification once.
///
/// The expected inbox is computed: each arrest of a supervisee notifies the supervising
/// officer once, under an id derived from the arrest's event id, the rule, the case and the
/// officer (`BusNotification.id`), whatever the order in which the router reads cases and
/// arrests. Progress is read from the services' databases, polled with a deadline.
@Suite("Services killed with SIGKILL and restarted", .serialized)
struct KillTests {
    static let supervisees = 10_000  // a case and an arrest each: 20,000 events, 10,000 notifications
    static let kills = 6
    static let partitions = 8

    @Test func theInboxAfterKillsEqualsTheInboxOfARunWithoutKills() async throws {
        let binary = try reentrybusBinary()
        let seed = ProcessInfo.processInfo.environment["REENTRYBUS_KILL_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("kill -9 test: seed \(seed) (REENTRYBUS_KILL_SEED=\(seed) repeats the kill schedule)")
        var random = SeededRandom(seed: seed)
        let directory = temporaryDirectory("reentrybus-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ContinuousClock()
        let began = clock.now

        let broker = try ChildProcess(binary, [
            "broker", "--brokers", "1", "--log-level", "warning",
            "--topic", "supervision.cases:\(Self.partitions)", "--topic", "police.arrests:\(Self.partitions)",
            "--topic", "\(BusTopic.notifications):\(Self.partitions)", "--topic", "\(BusTopic.deadLetters):2",
        ], name: "broker")
        let announced = try await within(.seconds(30), "the broker's address") { await broker.waitForLine(startingWith: "bootstrap servers: ") }
        let bootstrap = String(try #require(announced, "the broker ended: \(broker.lastErrorLines())").dropFirst("bootstrap servers: ".count))

        let scenario = try ArrestScenario(supervisees: Self.supervisees, run: "kill")
        let (events, expected) = (scenario.events, scenario.expected)
        try await Self.produce(events, bootstrap: bootstrap)
        print("kill -9 test: \(events.count) events produced in \(clock.now - began)")

        let keyFile = try writeNotificationKeyFile(in: directory)
        let services = KilledServices(binary: binary, arguments: { name in
            ["serve", name, "--bootstrap", bootstrap, "--data-dir", directory.path, "--dir", topicsDirectory.path,
             "--notification-key-file", keyFile,
             "--session-timeout", "3", "--log-level", "warning"]
        })
        let progress = Progress(directory: directory, events: Int64(events.count), notifications: expected.count)
        try services.start("router")
        try services.start("inbox")

        // Kill moments: random points of the combined progress (router events + inbox rows),
        // within the first 80 % so that every kill lands mid-stream; the first two kill each
        // service once, the others one of them or both.
        let total = Double(events.count + expected.count)
        let points = (0..<Self.kills).map { _ in Int((Double.random(in: 0.03..<0.8, using: &random) * total).rounded()) }.sorted()
        var victims: [[String]] = Bool.random(using: &random) ? [["router"], ["inbox"]] : [["inbox"], ["router"]]
        while victims.count < Self.kills { victims.append([["router"], ["inbox"], ["router", "inbox"]].randomElement(using: &random)!) }

        for (point, victim) in zip(points, victims) {
            let reached = try await progress.wait("combined progress \(point)", services: services) { $0.combined >= point }
            for name in victim {
                try await services.kill(name)
                try services.start(name)
            }
            print("kill -9 test: killed \(victim.joined(separator: " and ")) at router \(reached.router)/\(events.count), inbox \(reached.inbox)/\(expected.count)")
        }
        let done = try await progress.wait("every event and notification", services: services) {
            $0.router == Int64(events.count) && $0.inbox == expected.count
        }
        #expect(done.inbox == expected.count)
        try await services.stopGracefully()
        broker.send(SIGTERM)
        _ = try await within(.seconds(30), "the broker to stop") { await broker.waitForExit() }

        let inbox = try ServiceDatabase.openReadOnly(path: directory.appendingPathComponent("inbox.sqlite").path)
        let ids = try await inbox.read { try String.fetchAll($0, sql: "SELECT id FROM inbox") }
        #expect(ids.count == expected.count, "notifications in the inbox, each once")
        #expect(Set(ids) == expected, "\(expected.subtracting(ids).count) missing, \(Set(ids).subtracting(expected).count) unexpected")
        print("kill -9 test: \(Self.kills) kills, \(ids.count) of \(expected.count) notifications, none missing, none twice, in \(clock.now - began)")
    }

    static func produce(_ events: [ScenarioEvent], bootstrap: String) async throws {
        var client = KafkaClientConfiguration(bootstrapServers: [bootstrap], clientID: "kill-test")
        client.properties.merge(EmbeddedKafka.producerTuning) { _, tuned in tuned }
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: client), logger: testLogger)
        for start in stride(from: 0, to: events.count, by: 5_000) {
            let report = try await producer.sendBatch(events[start..<min(events.count, start + 5_000)].map(\.message))
            #expect(report.allDelivered)
        }
        await producer.shutdown()
    }
}

/// The service processes of the kill test, restarted under the same names.
final class KilledServices: @unchecked Sendable {
    private let binary: URL
    private let arguments: (String) -> [String]
    private let lock = NSLock()
    private var running: [String: ChildProcess] = [:]
    /// Standard error of every process that ended, for a failure message.
    private var ended: [String] = []

    init(binary: URL, arguments: @escaping (String) -> [String]) {
        self.binary = binary
        self.arguments = arguments
    }

    func start(_ name: String) throws {
        let process = try ChildProcess(binary, arguments(name), name: name)
        lock.withLock { running[name] = process }
    }

    func kill(_ name: String) async throws {
        let process = try #require(lock.withLock { running.removeValue(forKey: name) })
        process.send(SIGKILL)
        let termination = try await within(.seconds(30), "\(name) to die") { await process.waitForExit() }
        #expect(termination == .init(status: SIGKILL, bySignal: true), "\(name) ended before the kill: \(process.lastErrorLines())")
        lock.withLock { ended.append("\(name): \(process.lastErrorLines(5))") }
    }

    /// A service that ended on its own is a failure: the test would wait for it in vain.
    func checkAlive() throws {
        for (name, process) in lock.withLock({ running }) {
            if let termination = process.termination.value {
                throw ServiceEnded(description: "\(name) ended (\(termination)): \(process.lastErrorLines())")
            }
        }
    }

    func stopGracefully() async throws {
        for (name, process) in lock.withLock({ running }) {
            process.send(SIGTERM)
            let termination = try await within(.seconds(40), "\(name) to stop") { await process.waitForExit() }
            #expect(termination == .init(status: 0, bySignal: false), "\(name): \(process.lastErrorLines())")
        }
        lock.withLock { running = [:] }
    }

    var diagnostics: String { lock.withLock { (ended + running.map { "\($0.key): \($0.value.lastErrorLines(5))" }).joined(separator: "\n") } }

    struct ServiceEnded: Error, CustomStringConvertible { var description: String }
}

/// The services' progress as their databases show it: events the router consumed (its
/// stored offsets on the fresh topics), notifications in the inbox.
struct Progress: Sendable {
    struct Snapshot: Sendable {
        var router: Int64
        var inbox: Int
        var combined: Int { Int(router) + inbox }
    }

    let directory: URL
    let events: Int64
    let notifications: Int

    func snapshot() -> Snapshot {
        Snapshot(
            router: read("router.sqlite") { try Int64.fetchOne($0, sql: "SELECT coalesce(sum(next_offset), 0) FROM kit_offsets") ?? 0 } ?? 0,
            inbox: read("inbox.sqlite") { try Int.fetchOne($0, sql: "SELECT count(*) FROM inbox") ?? 0 } ?? 0)
    }

    /// Nil while the database or its tables do not exist yet (a service starting).
    private func read<T>(_ file: String, _ body: (Database) throws -> T) -> T? {
        let path = directory.appendingPathComponent(file).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? ServiceDatabase.openReadOnly(path: path).read(body)
    }

    /// Polls every 20 ms until `ready` holds; fails after a minute without progress, or when a
    /// service ended on its own.
    func wait(_ what: String, services: KilledServices, until ready: (Snapshot) -> Bool) async throws -> Snapshot {
        var last = snapshot()
        var lastChange = ContinuousClock.now
        while !ready(last) {
            try services.checkAlive()
            guard ContinuousClock.now - lastChange < .seconds(60) else {
                throw KilledServices.ServiceEnded(description: "no progress for a minute waiting for \(what): stuck at router \(last.router)/\(events), inbox \(last.inbox)/\(notifications)\n\(services.diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(20))
            let next = snapshot()
            if next.combined != last.combined { lastChange = .now }
            last = next
        }
        return last
    }
}
