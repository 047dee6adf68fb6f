import Benchmarks
import Foundation
import Testing
import TestSupport

/// `bench gateway` at a rate a debug build sustains on two cores: a child `reentrybus dev`
/// answers every request, none with a 5xx, and every event it accepted is on the topic once.
@Suite(.timeLimit(.minutes(6)))
struct GatewayLoadTests {
    @Test("150 requests/s for 10 s from a second process: zero 5xx, zero missing, zero duplicates")
    func ingestUnderLoad() async throws {
        let executable = try #require(BuildProducts.executable("reentrybus"), "build the reentrybus executable with the tests")
        let load = GatewayLoad(executable: executable, rate: 150, duration: .seconds(10), connections: 32)
        let report = try await load.run()
        let figures = report.figures
        #expect(report.sent == 1_500, "\(figures)")
        #expect(report.serverErrors == 0, "\(figures)")
        #expect(report.transportErrors == 0, "\(figures)")
        #expect(report.accepted == report.sent, "every valid event is accepted below the agency's rate: \(report.statuses)")
        #expect(report.missing == 0, "\(figures)")
        #expect(report.duplicates == 0, "\(figures)")
        #expect(report.p50Milliseconds > 0 && report.p50Milliseconds <= report.p99Milliseconds)
        #expect(figures.contains { $0.hasPrefix("gateway.ingest.rate ") })
    }
}
