import Foundation

/// Runs the independent checkers (docker-compose, Python's jsonschema) as child processes.
///
/// Output goes to a temporary file rather than a pipe, so nothing blocks a thread of Swift's
/// cooperative pool reading it: the test awaits the process's exit, then reads the file.
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
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputURL.path])
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        do {
            try process.run()
        } catch {
            try? output.close()
            throw error
        }
        var status: Int32 = -1
        for await code in exited { status = code }
        try output.close()
        let text = String(decoding: FileManager.default.contents(atPath: outputURL.path) ?? Data(), as: UTF8.self)
        return Result(status: status, output: text)
    }
}
