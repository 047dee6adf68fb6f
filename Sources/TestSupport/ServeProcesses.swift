import Foundation
import GRDB
import LocalPostgres
import ServiceKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `reentrybus` binary built with the tests (next to the test bundle).
public func reentrybusBinary() throws -> URL {
    try #require(BuildProducts.executable("reentrybus"), "reentrybus is not next to the test bundle: build with `swift build --build-tests`")
}

/// A fresh path under the temporary directory (not created).
public func temporaryDirectory(_ prefix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
}

/// Writes a fresh notification signing key (64 hex digits) into `directory` for `serve`
/// processes, which share one key; returns the file's path.
public func writeNotificationKeyFile(in directory: URL) throws -> String {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var generator = SystemRandomNumberGenerator()
    let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    let path = directory.appendingPathComponent("notification.key").path
    try Data(hex.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// `reentrybus serve` processes sharing one data directory, started, killed and restarted by
/// name, and what their databases show: the harness of the kill -9 tests (embedded and real
/// broker), the outage test and the real broker's end-to-end test.
public final class ServeProcesses: Sendable {
    public let directory: URL
    private let binary: URL
    private let arguments: @Sendable (String) -> [String]
    private let running = Mutex<[String: ChildProcess]>([:])
    /// The last lines of every process that ended, for a failure message.
    private let ended = Mutex<[String]>([])

    /// - Parameter arguments: the command line of the service named (`serve <name> …`).
    public init(binary: URL, directory: URL, arguments: @escaping @Sendable (String) -> [String]) {
        self.binary = binary
        self.directory = directory
        self.arguments = arguments
    }

    public func start(_ name: String) throws {
        let process = try ChildProcess(binary, arguments(name), name: name)
        running.withLock { $0[name] = process }
    }

    /// Kills `name` with SIGKILL (no shutdown at all) and waits for it to be gone.
    public func kill(_ name: String) async throws {
        let process = try #require(running.withLock { $0.removeValue(forKey: name) })
        process.send(SIGKILL)
        let termination = try await within(.seconds(30), "\(name) to die") { await process.waitForExit() }
        #expect(termination == .init(status: SIGKILL, bySignal: true), "\(name) ended before the kill: \(process.lastErrorLines())")
        ended.withLock { $0.append("\(name) (killed): \(process.lastErrorLines(5))") }
    }

    /// A service that ended on its own is a failure: the test would wait for it in vain. So is
    /// a consumer whose next offset the broker no longer holds (librdkafka logs "Offset out of
    /// range" and resets): the embedded broker dropped messages it had not read yet, past its
    /// ~5 MiB a partition, and the test would wait for them in vain; the scenario is too large
    /// for the partitions it was given.
    public func checkAlive() throws {
        for (name, process) in running.withLock({ $0 }) {
            if let termination = process.termination.value {
                throw ServeProcessesFailure(description: "\(name) ended (\(termination)): \(process.lastErrorLines())")
            }
            let errors = process.errors.value
            if errors.contains("Offset out of range"),
               let line = errors.split(separator: "\n").first(where: { $0.contains("Offset out of range") }) {
                throw ServeProcessesFailure(description: """
                    the broker no longer holds messages \(name) had not read (a partition over the embedded broker's \
                    ~5 MiB: give the scenario's topics more partitions or spread its keys): \(line)
                    """)
            }
        }
    }

    /// SIGTERM to every service; each must finish its batch, commit, leave and exit 0.
    public func stopGracefully() async throws {
        for (name, process) in running.withLock({ $0 }) {
            process.send(SIGTERM)
            let termination = try await within(.seconds(40), "\(name) to stop") { await process.waitForExit() }
            #expect(termination == .init(status: 0, bySignal: false), "\(name): \(process.lastErrorLines())")
        }
        running.withLock { $0 = [:] }
    }

    /// Standard error of every process so far (last lines), for a failure message.
    public var diagnostics: String {
        (ended.withLock { $0 } + running.withLock { $0 }.map { "\($0.key): \($0.value.lastErrorLines(5))" }).joined(separator: "\n")
    }

    /// Events `service` consumed from `topics`: the sum of its stored next offsets (the topics
    /// are fresh, so offsets start at 0).
    public func consumed(by service: String, from topics: [String]) -> Int64 {
        read(service) { db in
            let marks = topics.map { _ in "?" }.joined(separator: ", ")
            return try Int64.fetchOne(db, sql: "SELECT coalesce(sum(next_offset), 0) FROM kit_offsets WHERE topic IN (\(marks))",
                                      arguments: StatementArguments(topics)) ?? 0
        } ?? 0
    }

    /// Notifications in the inbox service's database.
    public var inboxCount: Int {
        read("inbox") { try Int.fetchOne($0, sql: "SELECT count(*) FROM inbox") ?? 0 } ?? 0
    }

    /// Reads `service`'s database; nil while it or its tables do not exist yet (a service
    /// starting), which is what a poll must read past.
    public func read<T>(_ service: String, _ body: (Database) throws -> T) -> T? {
        let path = directory.appendingPathComponent("\(service).sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? ServiceDatabase.openReadOnly(path: path).writer.read(body)
    }

    /// Polls the databases every 20 ms until `ready` holds, so as to see the state the
    /// services reach; fails after a minute without any change in `progress`, or as soon as a
    /// service has ended on its own. Returns the progress reached.
    @discardableResult
    public func wait(_ what: String, progress: () -> Int64, until ready: (Int64) -> Bool) async throws -> Int64 {
        var last = progress()
        var lastChange = ContinuousClock.now
        while !ready(last) {
            try checkAlive()
            guard ContinuousClock.now - lastChange < .seconds(60) else {
                throw ServeProcessesFailure(description: "no progress for a minute waiting for \(what) (at \(last))\n\(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(20))
            let next = progress()
            if next != last { lastChange = .now }
            last = next
        }
        return last
    }
}

/// A service process ended on its own, or made no progress for a minute.
public struct ServeProcessesFailure: Error, CustomStringConvertible {
    public var description: String
}
