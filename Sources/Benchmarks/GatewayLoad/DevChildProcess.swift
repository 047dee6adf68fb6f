import Foundation
import LocalPostgres

#if canImport(Glibc)
import Glibc
#endif

/// `reentrybus dev` in a child process: the whole bus (embedded broker, services, gateway) in
/// another process than the load driver, so the two share the machine but not an address space
/// or a thread pool. Started with `--gateway-json`, whose line says where the gateway listens,
/// the broker's address and the demo tokens.
struct DevChildProcess: Sendable {
    /// What the child printed on its `gateway-json` line.
    struct Details: Sendable, Decodable {
        var url: String
        var bootstrapServers: [String]
        var tokens: [String: String]
    }

    enum Failure: Error, CustomStringConvertible {
        case exited(String, log: String)
        case notReady(after: Duration, log: String)
        case unreadableDetails(String)

        var description: String {
            switch self {
            case .exited(let how, let log): "reentrybus dev ended (\(how)) before its gateway was ready; its last log lines: \(log)"
            case .notReady(let after, let log): "reentrybus dev printed no gateway details within \(after); its last log lines: \(log)"
            case .unreadableDetails(let line): "reentrybus dev's gateway-json line is not the expected JSON: \(line)"
            }
        }
    }

    let child: ChildProcess

    /// Starts `executable dev` with its databases under `dataDirectory`, the gateway on a free
    /// loopback port, each agency allowed `gatewayRate` events per second.
    init(executable: URL, dataDirectory: URL, gatewayRate: Int) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        child = try ChildProcess(executable, [
            "dev", "--data-dir", dataDirectory.appendingPathComponent("bus").path, "--gateway-listen", "127.0.0.1:0",
            "--gateway-rate", String(gatewayRate), "--gateway-json",
        ], name: "reentrybus dev")
    }

    /// Waits until the child runs everything (its banner) and has printed its gateway's details.
    func details(within limit: Duration) async throws -> Details {
        let child = self.child
        let ready: Bool = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                let banner = await child.waitForLine(startingWith: "reentrybus dev:")
                let details = await child.waitForLine(startingWith: "gateway-json ")
                return banner != nil && details != nil
            }
            group.addTask {
                try await Task.sleep(for: limit)
                throw Failure.notReady(after: limit, log: child.lastErrorLines())
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard ready, let line = await child.waitForLine(startingWith: "gateway-json ") else {
            throw Failure.exited(await stop().description, log: child.lastErrorLines())
        }
        do {
            return try JSONDecoder().decode(Details.self, from: Data(line.dropFirst("gateway-json ".count).utf8))
        } catch {
            throw Failure.unreadableDetails(line)
        }
    }

    /// Asks the child to stop (SIGTERM: dev shuts down gracefully) and, if it has not ended
    /// 30 seconds later, kills it (SIGKILL). Returns how it ended.
    @discardableResult
    func stop() async -> ChildProcess.Termination {
        let child = self.child
        if child.termination.value == nil { child.send(SIGTERM) }
        let ended: ChildProcess.Termination? = await withTaskGroup(of: ChildProcess.Termination?.self) { group in
            group.addTask { await child.waitForExit() }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    return nil  // the child ended first
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let ended { return ended }
        child.send(SIGKILL)
        return await child.waitForExit()
    }
}
