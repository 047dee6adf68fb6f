import Foundation
import TestSupport
import Testing

/// The proxy's own unit tests (`scripts/real-broker/test_kafka_proxy.py`: the ApiVersions
/// rewrite on bytes captured from Tansu, pass-through, the connection cut), run here so that
/// `swift test` (and so CI) runs them. They need no broker and never skip.
@Suite("The real-broker proxy")
struct ProxyTests {
    @Test func theProxysUnitTestsPass() async throws {
        let tests = try python(["-m", "unittest", "discover", "-s", repositoryRoot.appendingPathComponent("scripts/real-broker").path,
                                "-p", "test_*.py"], name: "test_kafka_proxy")
        let ended = try await within(.seconds(60), "the proxy's unit tests") { await tests.waitForExit() }
        #expect(ended == .init(status: 0, bySignal: false), "\(tests.lastErrorLines(40))")
        // unittest reports on standard error: "Ran N tests" then "OK".
        #expect(tests.errors.value.contains("\nOK"), "\(tests.lastErrorLines(40))")
        #expect(!tests.errors.value.contains("Ran 0 tests"))
    }
}
