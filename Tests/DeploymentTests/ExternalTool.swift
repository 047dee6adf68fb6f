import Foundation
import LocalPostgres

/// Runs the independent checkers (docker-compose, Python's jsonschema) as child processes.
enum ExternalTool {
    struct Result {
        var status: Int32
        /// Standard output and standard error, interleaved.
        var output: String
    }

    /// The first executable named `name` on `PATH`.
    static func find(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder), isDirectory: true).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil) async throws -> Result {
        let run = try await ChildProcess.run(executable, arguments, directory: directory, mergingErrors: true)
        return Result(status: run.termination.bySignal ? -1 : run.termination.status, output: run.output)
    }
}
