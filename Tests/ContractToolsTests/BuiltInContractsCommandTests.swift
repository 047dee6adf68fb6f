import Foundation
import LocalPostgres
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
    func run(_ arguments: [String], in folder: URL) async throws -> (status: Int32, output: String) {
        let executable = try #require(Self.executable, "no reentrybus beside \(Bundle.main.bundleURL.path); build with swift build --build-tests")
        let run = try await ChildProcess.run(executable, arguments, directory: folder, mergingErrors: true)
        return (run.termination.bySignal ? -1 : run.termination.status, run.output)
    }

    @Test("topics validate works from an empty folder, and --dir still overrides")
    func validateFromAnEmptyFolder() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }

        let builtIn = try await run(["topics", "validate"], in: empty)
        #expect(builtIn.status == 0, "\(builtIn.output)")
        #expect(builtIn.output.contains("(built-in contracts)"))

        let missing = try await run(["topics", "validate", "--dir", "Topics"], in: empty)
        #expect(missing.status != 0)
        #expect(missing.output.contains("The contracts directory Topics does not exist"))

        let given = try await run(["topics", "validate", "--dir", repositoryTopics.path], in: empty)
        #expect(given.status == 0, "\(given.output)")
        #expect(given.output.contains("(\(repositoryTopics.path))"))
    }
}
