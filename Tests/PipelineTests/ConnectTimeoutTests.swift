import Foundation
import TestSupport
import Testing

/// `serve` against an address where no broker listens ends, with a clear error, within its
/// connect timeout. Its assertion bounds wall-clock time, so the suite runs with the other timed
/// suites, by itself (`scripts/test`): beside the whole suite on two cores, starting the process
/// alone once took longer than the bound.
@Suite struct ConnectTimeoutTests {
    /// Finding 8: a bootstrap address where nothing listens ends `serve` with a clear error
    /// within the connect timeout, instead of waiting for ever.
    @Test func serveFailsWithinTheConnectTimeoutWhenNoBrokerAnswers() async throws {
        let directory = temporaryDirectory("reentrybus-serve")
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = "127.0.0.1:\(try unusedLocalPort())"
        let clock = ContinuousClock()
        let start = clock.now
        let (termination, process) = try await runReentrybus([
            "serve", "inbox", "--bootstrap", address, "--connect-timeout", "1", "--data-dir", directory.path, "--log-level", "critical",
            "--notification-key-file", try writeNotificationKeyFile(in: directory),
        ])
        #expect(termination == .init(status: 1, bySignal: false))
        #expect(process.errors.value.contains("no Kafka broker answered at \(address) within 1 s"), "\(process.errors.value)")
        #expect(clock.now - start < .seconds(25), "a guard against the old hang, with room for a loaded machine")
    }
}
