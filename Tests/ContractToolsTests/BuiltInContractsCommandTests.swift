import Foundation
import Testing

/// Issue 10 item 10: the binary runs without a checkout of the repository.
@Suite("reentrybus uses the contracts built into it", .timeLimit(.minutes(1)))
struct BuiltInContractsCommandTests {
    /// The `reentrybus` executable of this build (beside the test bundle).
    static var executable: URL? {
        var folder = Bundle.main.bundleURL
        for _ in 0..<2 {
            let candidate = folder.appendingPathComponent("reentrybus")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs `reentrybus arguments…` in `folder`; returns its exit status and output.
    func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let executable = try #require(Self.executable, "no reentrybus beside \(Bundle.main.bundleURL.path); build with swift build --build-tests")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("topics validate works from an empty folder, and --dir still overrides")
    func validateFromAnEmptyFolder() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }

        let builtIn = try run(["topics", "validate"], in: empty)
        #expect(builtIn.status == 0, "\(builtIn.output)")
        #expect(builtIn.output.contains("(built-in contracts)"))

        let missing = try run(["topics", "validate", "--dir", "Topics"], in: empty)
        #expect(missing.status != 0)
        #expect(missing.output.contains("The contracts directory Topics does not exist"))

        let given = try run(["topics", "validate", "--dir", repositoryTopics.path], in: empty)
        #expect(given.status == 0, "\(given.output)")
        #expect(given.output.contains("(\(repositoryTopics.path))"))
    }
}
