import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster for tests: `initdb` in a fresh temporary directory, the server
/// on a free loopback port with its unix socket inside that directory, trust authentication for
/// loopback and the socket only, fsync off. A database per test (``createDatabase()``); stopped
/// and started mid-test on the same port and data (``stop(_:)``, ``start()``); removed with its
/// directory by ``remove()`` — ``PostgresCluster/with(_:)`` and the `.postgresCluster` suite
/// trait do that also when a test fails.
///
/// PostgreSQL refuses to run as root (CI runs as root): the server programs then run as the
/// `postgres` user (Debian's package creates it) or else `nobody`, through `runuser`, and the
/// directory is handed to that user. Clients (`psql`, the tests' connections) run as the caller.
public final class PostgresCluster: Sendable {
    /// The server's role, with trust authentication.
    public let superuser = "reentrybus"
    public let host = "127.0.0.1"
    public let port: Int
    /// The temporary directory: data/, the socket and the server log.
    public let directory: URL
    public let binaries: PostgresBinaries
    private let serverUser: String?
    private let running = Mutex(false)
    private let removed = Mutex(false)

    /// How long the server may take to accept connections after `pg_ctl start`.
    public static let startDeadlineSeconds = 60

    var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The unix socket's directory (PostgreSQL's `unix_socket_directories`).
    public var socketDirectory: URL { directory.appendingPathComponent("socket") }
    var logFile: URL { directory.appendingPathComponent("server.log") }

    /// Creates and starts a cluster.
    ///
    /// - Throws: ``PostgresClusterError`` when PostgreSQL is missing or a step failed (with its output).
    public static func start() async throws -> PostgresCluster {
        guard let binaries = PostgresBinaries.find() else { throw PostgresClusterError(step: "find", output: PostgresBinaries.notFoundReason) }
        let serverUser = try unprivilegedUserIfRoot()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-pg-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
        // Port races (another process taking the free port first) are retried with a new one.
        var lastError: (any Error)?
        for _ in 0..<3 {
            let cluster = PostgresCluster(binaries: binaries, directory: directory, port: try unusedLocalPort(), serverUser: serverUser)
            do {
                try await cluster.initialise()
                try await cluster.start()
                return cluster
            } catch let error as PostgresClusterError where error.step == "start" && error.output.contains("could not bind") {
                lastError = error
            } catch {
                await cluster.remove()
                throw error
            }
        }
        throw lastError ?? PostgresClusterError(step: "start", output: "no free port")
    }

    /// Runs `body` with a new cluster, then stops and removes the cluster, also when `body` throws.
    public static func with<T: Sendable>(_ body: (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let result = try await body(cluster)
            await cluster.remove()
            return result
        } catch {
            await cluster.remove()
            throw error
        }
    }

    private init(binaries: PostgresBinaries, directory: URL, port: Int, serverUser: String?) {
        self.binaries = binaries
        self.directory = directory
        self.port = port
        self.serverUser = serverUser
    }

    deinit {
        // A cluster that was never removed (a test crashed past `with`): stop the server at
        // once; its directory stays for inspection.
        guard running.withLock({ $0 }) else { return }
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        do {
            let firstLine = try String(contentsOf: pidFile, encoding: .utf8).split(separator: "\n").first
            if let pid = firstLine.flatMap({ Int32($0) }) { kill(pid, SIGQUIT) }
        } catch {
            FileHandle.standardError.write(Data("PostgresCluster: no server to stop at \(pidFile.path): \(error)\n".utf8))
        }
    }

    public var isRunning: Bool { running.withLock { $0 } }

    /// `initdb`: trust authentication (the server listens on loopback and its own socket only).
    private func initialise() async throws {
        if FileManager.default.fileExists(atPath: dataDirectory.path) { return }
        if let serverUser { try await Self.run("/usr/bin/chown", ["-R", serverUser, directory.path], step: "chown") }
        try await runAsServer(binaries.initdb, [
            "-D", dataDirectory.path, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ], step: "initdb")
    }

    /// Starts the server (again, after ``stop(_:)``: same port, same data) and returns once it
    /// accepts connections: `pg_ctl -w` polls the server until it is ready, within
    /// ``startDeadlineSeconds``.
    public func start() async throws {
        let options = [
            "-p \(port)", "-k \(socketDirectory.path)", "-c listen_addresses=\(host)",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
        ].joined(separator: " ")
        do {
            try await runAsServer(binaries.pgCtl, [
                "-D", dataDirectory.path, "-l", logFile.path, "-o", options, "-w", "-t", "\(Self.startDeadlineSeconds)", "start",
            ], step: "start")
        } catch let error as PostgresClusterError {
            throw PostgresClusterError(step: error.step, output: error.output + "\n" + serverLog())
        }
        running.withLock { $0 = true }
    }

    public enum StopMode: String, Sendable {
        /// Disconnects clients, rolls back their transactions, shuts down cleanly.
        case fast
        /// Kills the server at once, as a crash would (recovery at the next start).
        case immediate
    }

    /// Stops the server and waits until it has stopped; the data stays for ``start()``.
    public func stop(_ mode: StopMode = .fast) async throws {
        guard isRunning else { return }
        try await runAsServer(binaries.pgCtl, ["-D", dataDirectory.path, "-m", mode.rawValue, "-w", "-t", "60", "stop"], step: "stop")
        running.withLock { $0 = false }
    }

    /// Stops the server if it runs and deletes the directory. Failures are recorded on stderr
    /// (a cleanup must not hide the test's own failure).
    public func remove() async {
        guard !removed.withLock({ $0 }) else { return }
        do {
            try await stop(.immediate)
        } catch {
            FileHandle.standardError.write(Data("PostgresCluster: stopping \(directory.path) failed: \(error)\n".utf8))
        }
        do {
            try FileManager.default.removeItem(at: directory)
            removed.withLock { $0 = true }
        } catch {
            FileHandle.standardError.write(Data("PostgresCluster: removing \(directory.path) failed: \(error)\n".utf8))
        }
    }

    /// Creates a database with a unique name and returns its name.
    public func createDatabase(_ prefix: String = "test") async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased())".replacingOccurrences(of: "-", with: "_")
        try await Self.run(binaries.psql, [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory.path, "-p", "\(port)", "-U", superuser, "-d", "postgres",
            "-c", "CREATE DATABASE \(name)",
        ], step: "createdb")
        return name
    }

    /// `postgres://reentrybus@127.0.0.1:PORT/DATABASE`, for the storage's configuration.
    public func url(database: String) -> String { "postgres://\(superuser)@\(host):\(port)/\(database)" }

    /// The server log's last lines, for a failure message.
    public func serverLog(lines: Int = 30) -> String {
        let log: String
        do {
            log = try String(contentsOf: logFile, encoding: .utf8)
        } catch {
            return "(no server log at \(logFile.path): \(error))"
        }
        return log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func runAsServer(_ program: URL, _ arguments: [String], step: String) async throws {
        if let serverUser {
            try await Self.run(URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", serverUser, "--", program.path] + arguments, step: step)
        } else {
            try await Self.run(program, arguments, step: step)
        }
    }

    @discardableResult
    private static func run(_ program: URL, _ arguments: [String], step: String) async throws -> String {
        let process = try ChildProcess(program, arguments)
        let termination = await process.waitForExit()
        guard termination == .init(status: 0, bySignal: false) else {
            throw PostgresClusterError(step: step, output: "\(program.lastPathComponent) \(termination): \(process.output.value)\(process.errors.value)")
        }
        return process.output.value
    }

    /// Nil when not root; else the user the server runs as (`postgres`, or `nobody`).
    private static func unprivilegedUserIfRoot() throws -> String? {
        guard geteuid() == 0 else { return nil }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else {
            throw PostgresClusterError(step: "find", output: "running as root, and /usr/sbin/runuser (util-linux) is missing to run PostgreSQL as another user")
        }
        return getpwnam("postgres") != nil ? "postgres" : "nobody"
    }
}

/// A step of setting up or running the cluster failed; `output` holds what the program said.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public var step: String
    public var output: String
    public var description: String { "PostgreSQL cluster: \(step) failed: \(output)" }
}

/// PostgreSQL's server programs: `$PG_BIN`, else Debian's PostgreSQL 15 (`/usr/lib/postgresql/15/bin`).
public struct PostgresBinaries: Sendable {
    public var directory: URL
    var initdb: URL { directory.appendingPathComponent("initdb") }
    var pgCtl: URL { directory.appendingPathComponent("pg_ctl") }
    var psql: URL { directory.appendingPathComponent("psql") }

    public static func find() -> PostgresBinaries? {
        let candidates = [ProcessInfo.processInfo.environment["PG_BIN"], "/usr/lib/postgresql/15/bin"].compactMap { $0 }
        return candidates.map { PostgresBinaries(directory: URL(fileURLWithPath: $0)) }.first { binaries in
            [binaries.initdb, binaries.pgCtl, binaries.psql, binaries.directory.appendingPathComponent("postgres")]
                .allSatisfy { FileManager.default.isExecutableFile(atPath: $0.path) }
        }
    }

    /// Whether the tests that need PostgreSQL can run here.
    public static var isInstalled: Bool { find() != nil }

    /// Why they skip when it is not.
    public static let notFoundReason =
        "PostgreSQL is not installed: no initdb, pg_ctl, postgres and psql in $PG_BIN or /usr/lib/postgresql/15/bin (scripts/install-deps.sh installs Debian's postgresql-15)"
}
