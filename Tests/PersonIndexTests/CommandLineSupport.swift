import Foundation
import TestSupport
import Testing

/// Runs the built `reentrybus` to its end, as an operator runs it (at most 60 s).
func runPersonsCommand(_ arguments: [String]) async throws -> (ChildProcess.Termination, ChildProcess) {
    let binary = try #require(BuildProducts.executable("reentrybus"), "build the reentrybus executable with the tests")
    let process = try ChildProcess(binary, arguments)
    let termination = try await within(.seconds(60), "reentrybus \(arguments.joined(separator: " "))") { await process.waitForExit() }
    return (termination, process)
}
