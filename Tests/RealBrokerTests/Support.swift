import Contracts
import Demo
import Foundation
import GRDB
import Kafka
import Logging
import ServiceKit
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

let testLogger = makeTestLogger("real-broker-tests")

/// The `reentrybus` binary built with the tests (next to the test bundle).
func reentrybusBinary() throws -> URL {
    try #require(BuildProducts.executable("reentrybus"), "reentrybus is not next to the test bundle: build with `swift build --build-tests`")
}

func temporaryDirectory(_ prefix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
}

/// Runs `reentrybus` to its end; returns the process (its output and termination).
func runReentrybus(_ arguments: [String], limit: Duration = .seconds(60)) async throws -> ChildProcess {
    let process = try ChildProcess(try reentrybusBinary(), arguments, name: "reentrybus \(arguments.first ?? "")")
    _ = try await within(limit, "reentrybus \(arguments.prefix(2).joined(separator: " ")) to end") { await process.waitForExit() }
    return process
}

/// `reentrybus topics apply` against `broker`, expected to succeed; returns its standard output.
func applyTopics(_ broker: RealBroker) async throws -> String {
    let apply = try await runReentrybus(["topics", "apply", "--bootstrap", broker.bootstrap, "--dir", topicsDirectory.path, "--log-level", "warning"])
    #expect(apply.termination.value == .init(status: 0, bySignal: false), "topics apply: \(apply.lastErrorLines())")
    return apply.output.value
}

/// Client settings for `broker`. Consumers use a 6-second session: Tansu answers a group's first
/// JoinGroup after about half the session timeout.
extension RealBroker {
    func clientConfiguration(_ clientID: String) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: [bootstrap], clientID: clientID)
    }

    func producerConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(client: clientConfiguration("real-broker-producer"))
    }

    func consumerConfiguration(groupID: String, topics: [String]) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(client: clientConfiguration("real-broker-consumer"), groupID: groupID, topics: topics, sessionTimeout: .seconds(6))
    }

    /// Sends `messages` with our producer, every one acknowledged.
    func produce(_ messages: [KafkaProducerMessage]) async throws {
        let producer = try KafkaProducer(configuration: producerConfiguration(), logger: testLogger)
        for start in stride(from: 0, to: messages.count, by: 5_000) {
            let report = try await producer.sendBatch(Array(messages[start..<min(messages.count, start + 5_000)]))
            #expect(report.allDelivered, "\(report.failures.count) messages not delivered")
        }
        await producer.shutdown()
    }
}

/// `reentrybus serve` processes on one broker, one data directory and one notification key,
/// started, killed and restarted by name.
final class ServiceProcesses: Sendable {
    let directory: URL
    private let binary: URL
    private let bootstrap: String
    private let keyFile: String
    private let running = Mutex<[String: ChildProcess]>([:])
    /// The last lines of every process that ended, for a failure message.
    private let ended = Mutex<[String]>([])

    init(broker: RealBroker, directory: URL) throws {
        self.directory = directory
        binary = try reentrybusBinary()
        bootstrap = broker.bootstrap
        keyFile = try writeNotificationKeyFile(in: directory)
    }

    func start(_ name: String) throws {
        let process = try ChildProcess(binary, [
            "serve", name, "--bootstrap", bootstrap, "--data-dir", directory.path, "--dir", topicsDirectory.path,
            "--notification-key-file", keyFile, "--session-timeout", "6", "--connect-timeout", "20", "--log-level", "warning",
        ], name: name)
        running.withLock { $0[name] = process }
    }

    /// Kills `name` with SIGKILL (no shutdown at all) and waits for it to be gone.
    func kill(_ name: String) async throws {
        let process = try #require(running.withLock { $0.removeValue(forKey: name) })
        process.send(SIGKILL)
        let termination = try await within(.seconds(30), "\(name) to die") { await process.waitForExit() }
        #expect(termination == .init(status: SIGKILL, bySignal: true), "\(name) ended before the kill: \(process.lastErrorLines())")
        ended.withLock { $0.append("\(name) (killed): \(process.lastErrorLines(5))") }
    }

    /// A service that ended on its own is a failure: the test would wait for it in vain.
    func checkAlive() throws {
        for (name, process) in running.withLock({ $0 }) {
            if let termination = process.termination.value {
                throw RealBrokerFailure(description: "\(name) ended (\(termination)): \(process.lastErrorLines())")
            }
        }
    }

    /// SIGTERM to every service; each must finish its batch, commit, leave and exit 0.
    func stopGracefully() async throws {
        for (name, process) in running.withLock({ $0 }) {
            process.send(SIGTERM)
            let termination = try await within(.seconds(40), "\(name) to stop") { await process.waitForExit() }
            #expect(termination == .init(status: 0, bySignal: false), "\(name): \(process.lastErrorLines())")
        }
        running.withLock { $0 = [:] }
    }

    /// Standard error of every process so far (last lines), for a failure message.
    var diagnostics: String {
        (ended.withLock { $0 } + running.withLock { $0 }.map { "\($0.key): \($0.value.lastErrorLines(5))" }).joined(separator: "\n")
    }

    /// What a service's database shows: events consumed from `topics` (the sum of its stored
    /// next offsets: the topics are fresh, so offsets start at 0), or notifications in the inbox.
    func consumed(by service: String, from topics: [String]) -> Int64 {
        read(service) { db in
            let marks = topics.map { _ in "?" }.joined(separator: ", ")
            return try Int64.fetchOne(db, sql: "SELECT coalesce(sum(next_offset), 0) FROM kit_offsets WHERE topic IN (\(marks))",
                                      arguments: StatementArguments(topics)) ?? 0
        } ?? 0
    }

    var inboxCount: Int {
        read("inbox") { try Int.fetchOne($0, sql: "SELECT count(*) FROM inbox") ?? 0 } ?? 0
    }

    /// Nil while the database or its tables do not exist yet (a service starting).
    func read<T>(_ service: String, _ body: (Database) throws -> T) -> T? {
        let path = directory.appendingPathComponent("\(service).sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? ServiceDatabase.openReadOnly(path: path).read(body)
    }

    /// Polls the databases every 20 ms until `ready` holds, so as to see the state the
    /// services reach; fails after a minute without any change in `progress`, or as soon as a
    /// service has ended on its own.
    func wait(_ what: String, progress: () -> Int64, until ready: (Int64) -> Bool) async throws {
        var last = progress()
        var lastChange = ContinuousClock.now
        while !ready(last) {
            try checkAlive()
            guard ContinuousClock.now - lastChange < .seconds(60) else {
                throw RealBrokerFailure(description: "no progress for a minute waiting for \(what) (at \(last))\n\(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(20))
            let next = progress()
            if next != last { lastChange = .now }
            last = next
        }
    }
}

/// Writes a fresh notification signing key (64 hex digits) for `serve` processes, which share
/// one key; returns the file's path.
func writeNotificationKeyFile(in directory: URL) throws -> String {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var generator = SystemRandomNumberGenerator()
    let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    let path = directory.appendingPathComponent("notification.key").path
    try Data(hex.utf8).write(to: URL(fileURLWithPath: path))
    return path
}
