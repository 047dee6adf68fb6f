import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster for tests and benchmarks (`bench replay`): `initdb` in a fresh
/// temporary directory, the server (`postgres`, a child of this process) on a free loopback
/// port with its unix socket inside that directory, trust authentication for
/// loopback and the socket only, fsync off (commits survive the server's death, not the
/// machine's). A database per test (``createDatabase()``); stopped
/// and started mid-test on the same port and data (``stop(_:)``, ``start()``); removed with its
/// directory by ``remove()`` — ``PostgresCluster/with(_:)`` and the `.postgresCluster` suite
/// trait do that also when a test fails.
/// The server's log is its standard error, kept in memory (``serverLog(lines:)``).
///
/// PostgreSQL refuses to run as root (CI runs as root): the server programs then run as the
/// `postgres` user (Debian's package creates it) or else `nobody`, through `setpriv`, and the
/// directory is handed to that user. Clients (`psql`, the tests' connections) run as the caller.
public final class PostgresCluster: Sendable {
    /// The server's role, with trust authentication.
    public let superuser = "reentrybus"
    public let host = "127.0.0.1"
    public let port: Int
    /// The temporary directory: data/, the socket and the server log.
    public let directory: URL
    public let binaries: PostgresBinaries
    /// `setpriv` arguments that run a server program as an unprivileged user (when root).
    private let asServerUser: [String]?
    /// The running `postgres` process, nil when stopped.
    private let server = Mutex<ChildProcess?>(nil)
    private let removed = Mutex(false)

    /// How long the server may take to accept connections after it was started.
    public static let startDeadlineSeconds = 60

    var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The unix socket's directory (PostgreSQL's `unix_socket_directories`).
    public var socketDirectory: URL { directory.appendingPathComponent("socket") }

    /// Creates and starts a cluster.
    ///
    /// - Throws: ``PostgresClusterError`` when PostgreSQL is missing or a step failed (with its output).
    public static func start() async throws -> PostgresCluster {
        guard let binaries = PostgresBinaries.find() else { throw PostgresClusterError(step: "find", output: PostgresBinaries.notFoundReason) }
        let asServerUser = try unprivilegedUserIfRoot()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-pg-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
        // Port races (another process taking the free port first) are retried with a new one.
        var lastError: (any Error)?
        for _ in 0..<3 {
            let cluster = PostgresCluster(binaries: binaries, directory: directory, port: try unusedLocalPort(), asServerUser: asServerUser)
            do {
                try await cluster.initialise()
                try await cluster.start()
                return cluster
            } catch let error as PostgresClusterError where error.step == "start" && error.output.contains("could not bind") {
                lastError = error
                await cluster.remove()
                try FileManager.default.createDirectory(at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
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

    private init(binaries: PostgresBinaries, directory: URL, port: Int, asServerUser: [String]?) {
        self.binaries = binaries
        self.directory = directory
        self.port = port
        self.asServerUser = asServerUser
    }

    // A cluster dropped without remove() (a test crashed past `with`): the server's
    // ChildProcess kills it when released; the directory stays for inspection.

    public var isRunning: Bool { server.withLock { $0 != nil } }

    /// `initdb`: trust authentication (the server listens on loopback and its own socket only).
    private func initialise() async throws {
        if FileManager.default.fileExists(atPath: dataDirectory.path) { return }
        if let asServerUser {
            // setpriv's first two options name the user and group the directory is handed to.
            let owner = asServerUser.prefix(2).map { $0.split(separator: "=").last.map(String.init) ?? "" }.joined(separator: ":")
            try await Self.run(URL(fileURLWithPath: "/usr/bin/chown"), ["-R", owner, directory.path], step: "chown")
        }
        try await runAsServer(binaries.initdb, [
            "-D", dataDirectory.path, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ], step: "initdb")
    }

    /// Starts the server (again, after ``stop(_:)``: same port, same data) and returns once it
    /// accepts connections: it says so on its standard error, awaited (not polled) for at most
    /// ``startDeadlineSeconds``.
    ///
    /// `postgres` runs as a child of this process, not daemonised by `pg_ctl`: a daemon would
    /// inherit Foundation's process-monitoring socket and `pg_ctl` would never be seen to end.
    public func start() async throws {
        guard !isRunning else { return }
        let arguments = [
            binaries.postgres.path, "-D", dataDirectory.path, "-p", "\(port)", "-k", socketDirectory.path,
            "-c", "listen_addresses=\(host)",
            // fsync off: a killed server loses nothing the OS has (what the tests simulate), only a
            // machine crash would. synchronous_commit stays on: off would lose commits to SIGQUIT.
            "-c", "fsync=off",
            // The test process's suites share one cluster, each test with databases and pools of
            // its own: more than the default 100 connections at once.
            "-c", "max_connections=400",
        ]
        let process = try asServerUser.map { try ChildProcess(URL(fileURLWithPath: "/usr/bin/setpriv"), $0 + ["--"] + arguments, name: "postgres") }
            ?? ChildProcess(binaries.postgres, Array(arguments.dropFirst()), name: "postgres")
        let ready: Bool
        do {
            ready = try await within(.seconds(Self.startDeadlineSeconds), "PostgreSQL to accept connections") {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await process.errors.wait { $0.contains("ready to accept connections") } }
                    group.addTask { await process.termination.wait { $0 != nil } }
                    await group.next()
                    group.cancelAll()
                }
                return process.termination.value == nil
            }
        } catch {
            process.send(SIGKILL)
            // Awaited in a task of its own: when this one was cancelled, a wait returns at once.
            await Task { await process.waitForExit() }.value
            throw PostgresClusterError(step: "start", output: "\(error)\n" + process.errors.value)
        }
        guard ready else { throw PostgresClusterError(step: "start", output: process.errors.value) }
        server.withLock { $0 = process }
    }

    public enum StopMode: String, Sendable {
        /// Disconnects clients, rolls back their transactions, shuts down cleanly.
        case fast
        /// Kills the server at once, as a crash would (recovery at the next start).
        case immediate
    }

    /// Stops the server and waits until it has ended; the data stays for ``start()``.
    public func stop(_ mode: StopMode = .fast) async throws {
        guard let process = server.withLock({ $0 }) else { return }
        // PostgreSQL's signals: SIGINT is a fast shutdown, SIGQUIT an immediate one.
        process.send(mode == .fast ? SIGINT : SIGQUIT)
        let ended = try await within(.seconds(60), "PostgreSQL to stop") { await process.waitForExit() }
        server.withLock { $0 = nil }
        guard ended.status == 0 || mode == .immediate else {
            throw PostgresClusterError(step: "stop", output: "postgres \(ended): \(process.lastErrorLines())")
        }
    }

    /// Stops the server if it runs and deletes the directory. Failures are recorded on stderr
    /// (a cleanup must not hide the test's own failure).
    ///
    /// Runs to its end also when the caller's task is cancelled (`bench replay` interrupted,
    /// the usual way ``with(_:)`` gets here): in a cancelled task every wait returns at once,
    /// so the stop would give up before the server ended and the directory would be deleted
    /// under it. The work runs in a task of its own, which does not inherit the cancellation.
    public func remove() async {
        await Task { await self.stopAndDelete() }.value
    }

    private func stopAndDelete() async {
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

    /// The running server's last log lines (its standard error), for a failure message.
    public func serverLog(lines: Int = 30) -> String {
        server.withLock { $0 }?.lastErrorLines(lines) ?? "(the server is not running)"
    }

    private func runAsServer(_ program: URL, _ arguments: [String], step: String) async throws {
        if let asServerUser {
            try await Self.run(URL(fileURLWithPath: "/usr/bin/setpriv"), asServerUser + ["--", program.path] + arguments, step: step)
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

    /// Nil when not root; else `setpriv` options that run a program as `postgres` (Debian's
    /// package creates that user), or else `nobody`. `setpriv` execs the program itself, so a
    /// signal to the child reaches PostgreSQL.
    private static func unprivilegedUserIfRoot() throws -> [String]? {
        guard geteuid() == 0 else { return nil }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw PostgresClusterError(step: "find", output: "running as root, and /usr/bin/setpriv (util-linux) is missing to run PostgreSQL as another user")
        }
        guard let user = getpwnam("postgres") ?? getpwnam("nobody") else {
            throw PostgresClusterError(step: "find", output: "running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")
        }
        return ["--reuid=\(user.pointee.pw_uid)", "--regid=\(user.pointee.pw_gid)", "--clear-groups"]
    }
}

/// A step of setting up or running the cluster failed; `output` holds what the program said.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public var step: String
    public var output: String

    public init(step: String, output: String) {
        self.step = step
        self.output = output
    }

    public var description: String { "PostgreSQL cluster: \(step) failed: \(output)" }
}

/// PostgreSQL's server programs: from `$PG_BIN` when it is set (and only there, so that
/// `PG_BIN=/nonexistent` shows the tests and `bench replay` skipping), else Debian's PostgreSQL 15
/// (`/usr/lib/postgresql/15/bin`).
public struct PostgresBinaries: Sendable {
    public var directory: URL
    var initdb: URL { directory.appendingPathComponent("initdb") }
    var psql: URL { directory.appendingPathComponent("psql") }
    var postgres: URL { directory.appendingPathComponent("postgres") }

    public static func find() -> PostgresBinaries? {
        let binaries = PostgresBinaries(directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"))
        let complete = [binaries.initdb, binaries.psql, binaries.postgres].allSatisfy { FileManager.default.isExecutableFile(atPath: $0.path) }
        return complete ? binaries : nil
    }

    /// Whether the tests and benchmarks that need PostgreSQL can run here.
    public static var isInstalled: Bool { find() != nil }

    /// Why they skip when it is not.
    public static let notFoundReason =
        "PostgreSQL is not installed: no initdb, postgres and psql in $PG_BIN, or without PG_BIN in /usr/lib/postgresql/15/bin (scripts/install-deps.sh installs Debian's postgresql-15)"
}
