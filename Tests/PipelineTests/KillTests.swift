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
/// The expected inbox is computed (`ArrestScenario`): each arrest of a supervisee notifies the
/// supervising officer once, and each case the police of its registered address, under ids
/// derived from the source event, the rule, the case and the recipient (`BusNotification.id`),
/// whatever the order in which the router reads cases and arrests. Progress is read from the services' databases, polled with a deadline.
@Suite("Services killed with SIGKILL and restarted", .serialized)
struct KillTests {
    static let supervisees = 10_000  // a case and an arrest each: 20,000 events, 20,000 notifications (officer, police)
    static let kills = 6
    static let partitions = 8
    /// More partitions for the notifications, which are keyed by recipient: 31 officers and
    /// the police of 16 cities (`ArrestScenario.cities`). The embedded broker keeps only ~5 MiB
    /// a partition and silently drops older messages (shared/notes/embedded-broker.md): with
    /// 8, one run's partition grew past 9,000 messages (copies sent again by a router killed
    /// mid-delivery, which the inbox drops by id, on top of those expected) while its inbox,
    /// killed four times, lagged; with every case's police in one city, one recipient's 10,000
    /// notices overfilled a partition alone. `ServeProcesses` fails at once if it happens again.
    static let notificationPartitions = 32

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
            "--topic", "\(BusTopic.notifications):\(Self.notificationPartitions)", "--topic", "\(BusTopic.deadLetters):2",
        ], name: "broker")
        let announced = try await within(.seconds(30), "the broker's address") { await broker.waitForLine(startingWith: "bootstrap servers: ") }
        let bootstrap = String(try #require(announced, "the broker ended: \(broker.lastErrorLines())").dropFirst("bootstrap servers: ".count))

        let scenario = try ArrestScenario(supervisees: Self.supervisees, run: "kill")
        let (events, expected) = (scenario.events, scenario.expected)
        try await Self.produce(events, bootstrap: bootstrap)
        print("kill -9 test: \(events.count) events produced in \(clock.now - began)")

        let keyFile = try writeNotificationKeyFile(in: directory)
        let services = ServeProcesses(binary: binary, directory: directory) { name in
            ["serve", name, "--bootstrap", bootstrap, "--data-dir", directory.path, "--dir", topicsDirectory.path,
             "--notification-key-file", keyFile,
             "--session-timeout", "3", "--log-level", "warning"]
        }
        // Progress as the databases show it: events the router consumed, notifications in the inbox.
        let router = { services.consumed(by: "router", from: ArrestScenario.routerTopics) }
        let combined = { router() + Int64(services.inboxCount) }
        try services.start("router")
        try services.start("inbox")

        // Kill moments: random points of the combined progress (router events + inbox rows),
        // within the first 80 % so that every kill lands mid-stream; the first two kill each
        // service once, the others one of them or both.
        let total = Double(events.count + expected.count)
        let points = (0..<Self.kills).map { _ in Int64((Double.random(in: 0.03..<0.8, using: &random) * total).rounded()) }.sorted()
        var victims: [[String]] = Bool.random(using: &random) ? [["router"], ["inbox"]] : [["inbox"], ["router"]]
        while victims.count < Self.kills { victims.append([["router"], ["inbox"], ["router", "inbox"]].randomElement(using: &random)!) }

        for (point, victim) in zip(points, victims) {
            try await services.wait("combined progress \(point)", progress: combined) { $0 >= point }
            let (routerAt, inboxAt) = (router(), services.inboxCount)
            for name in victim {
                try await services.kill(name)
                try services.start(name)
            }
            print("kill -9 test: killed \(victim.joined(separator: " and ")) at router \(routerAt)/\(events.count), inbox \(inboxAt)/\(expected.count)")
        }
        try await services.wait("every event and notification", progress: combined) { $0 >= Int64(events.count + expected.count) }
        #expect(router() == Int64(events.count))
        #expect(services.inboxCount == expected.count)
        try await services.stopGracefully()
        broker.send(SIGTERM)
        _ = try await within(.seconds(30), "the broker to stop") { await broker.waitForExit() }

        let inbox = try ServiceDatabase.openReadOnly(path: directory.appendingPathComponent("inbox.sqlite").path)
        let ids = try await inbox.writer.read { try String.fetchAll($0, sql: "SELECT id FROM inbox") }
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
