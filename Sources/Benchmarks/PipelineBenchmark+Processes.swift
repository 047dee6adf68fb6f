import Foundation
import LocalPostgres
import Pipeline
import ServiceKit
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Each service's peak resident memory on the replay, from the services run as deployed: one
/// `reentrybus serve` process each. The timed replay runs both services in the benchmark's own
/// process (beside the embedded broker holding the events), where memory is one figure for all.
/// So once it is done, the same events are replayed again by a `serve` process per service, on
/// empty databases of their own and consumer groups of their own, against the same broker;
/// when both have consumed everything, each one's `VmHWM` (peak resident since its start) is
/// read before it is stopped.
extension PipelineBenchmark {
    /// What the services' processes showed.
    struct ProcessReplay {
        /// Peak resident bytes per service (nil where `/proc` could not be read).
        var peaks: [(service: ServiceName, bytes: Double?)] = []
        /// From starting the processes to both caught up: with their start and group joins, so
        /// not a throughput figure.
        var seconds = 0.0

        /// `pipeline.replay.peak_resident.<service>` (MiB) and `pipeline.replay.processes.seconds`.
        func print(_ printer: FigurePrinter) {
            for (service, bytes) in peaks {
                if let bytes { printer.figure("pipeline.replay.peak_resident.\(service.rawValue)", bytes / 1_048_576, "MiB") }
            }
            printer.figure("pipeline.replay.processes.seconds", seconds, "s")
        }
    }

    /// Replays the events again in one `serve` process per service; nil (said) without
    /// ``serviceBinary``.
    func residentPerService(
        bootstrapServers: [String], services: [(name: ServiceName, topics: [String])], targets: [String: Int64], directory: URL,
        _ printer: FigurePrinter
    ) async throws -> ProcessReplay? {
        guard let binary = serviceBinary else {
            printer.progress("throughput: each service's memory not measured: no reentrybus program to run the services in")
            return nil
        }
        let dataDirectory = directory.appendingPathComponent("processes", isDirectory: true)
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let keyFile = try Self.writeNotificationKey(in: dataDirectory)
        printer.progress("throughput: replaying again with \(services.map(\.name.rawValue).joined(separator: " and ")) in processes of their own, for their memory")
        let started = ContinuousClock.now
        var processes: [(name: ServiceName, process: ChildProcess, target: Int64, topics: [String])] = []
        for service in services {
            let arguments = [
                "serve", service.name.rawValue, "--bootstrap", bootstrapServers.joined(separator: ","),
                "--data-dir", dataDirectory.path, "--group-prefix", "bench-processes", "--notification-key-file", keyFile,
                "--dir", contractsDirectory.path, "--log-level", trace ? "trace" : "error",
            ]
            let process = try ChildProcess(binary, arguments, name: service.name.rawValue)
            processes.append((service.name, process, service.topics.reduce(0) { $0 + (targets[$1] ?? 0) }, service.topics))
        }
        defer { for entry in processes where entry.process.termination.value == nil { entry.process.send(SIGKILL) } }
        for entry in processes {
            let path = dataDirectory.appendingPathComponent("\(entry.name.rawValue).sqlite").path
            try await Self.waitForConsumption(of: entry.process, path: path, topics: entry.topics, target: entry.target)
        }
        var replay = ProcessReplay(seconds: (ContinuousClock.now - started).seconds)
        for entry in processes {
            replay.peaks.append((entry.name, ProcessMemory.peakResidentBytes(of: entry.process.processIdentifier)))
            entry.process.send(SIGTERM)
            let termination = await entry.process.waitForExit()
            guard termination == .init(status: 0, bySignal: false) else {
                throw BenchmarkFailure(description: "\(entry.name.rawValue) did not stop cleanly (\(termination)): \(entry.process.lastErrorLines())")
            }
        }
        return replay
    }

    /// Polls the service's database (its stored next offsets, on topics that start at 0) every
    /// 50 ms until it has consumed `target` events; fails when the process ends, or when a
    /// minute passes without progress.
    private static func waitForConsumption(of process: ChildProcess, path: String, topics: [String], target: Int64) async throws {
        var consumed: Int64 = -1
        var lastChange = ContinuousClock.now
        while consumed < target {
            if let termination = process.termination.value {
                throw BenchmarkFailure(description: "\(process.name) ended (\(termination)): \(process.lastErrorLines())")
            }
            guard ContinuousClock.now - lastChange < .seconds(60) else {
                throw BenchmarkFailure(description: "\(process.name) made no progress for a minute at \(max(consumed, 0)) of \(target) events: \(process.lastErrorLines())")
            }
            try await Task.sleep(for: .milliseconds(50))
            let now = (try? Self.consumed(path: path, topics: topics)) ?? 0
            if now != consumed { lastChange = .now }
            consumed = now
        }
    }

    /// The sum of the service's stored next offsets on `topics`; 0 before its database exists.
    private static func consumed(path: String, topics: [String]) throws -> Int64 {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let marks = topics.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let row = try ServiceDatabase.openReadOnly(path: path).readBlocking { transaction in
            try transaction.fetchOne("SELECT coalesce(sum(next_offset), 0) AS consumed FROM kit_offsets WHERE topic IN (\(marks))", topics.map { .text($0) })
        }
        return try row?.get("consumed", as: Int64.self) ?? 0
    }

    /// A fresh notification signing key (64 hex digits) in `directory`, for the services'
    /// processes; returns the file's path.
    private static func writeNotificationKey(in directory: URL) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let path = directory.appendingPathComponent("notification.key").path
        guard FileManager.default.createFile(atPath: path, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BenchmarkFailure(description: "could not write \(path)")
        }
        return path
    }
}
