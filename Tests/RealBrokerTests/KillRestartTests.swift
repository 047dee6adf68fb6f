import Foundation
import Kafka
import Notifications
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The kill -9 restart on a real broker: `serve router` and `serve inbox` killed with SIGKILL
/// mid-stream (no shutdown, no commit, no leaving the group) and started again on their data
/// directories; the inbox ends with every notification once. A smaller run than the embedded
/// broker's (PipelineTests' KillTests): 2,000 events, 2 kills.
@Suite("Services killed with SIGKILL on Tansu", .needsTansu, .timeLimit(.minutes(3)))
struct KillRestartTests {
    @Test func theInboxAfterTwoKillsHoldsEveryNotificationOnce() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let broker = try await RealBroker.start()
        let directory = temporaryDirectory("reentrybus-real-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await applyTopics(broker)
        let scenario = try ArrestScenario(supervisees: 1_000, run: "real-kill")
        try await broker.produce(scenario.events.map(\.message))
        let total = Int64(scenario.events.count)
        let router = { (services: ServeProcesses) in services.consumed(by: "router", from: ArrestScenario.routerTopics) }

        let services = try ServeProcesses(broker: broker, directory: directory)
        try services.start("router")
        try services.start("inbox")

        // Each kill right after the service's first committed batch (at most 1,000 events, so
        // the router is mid-stream), then a restart on the same data directory.
        try await services.wait("the router's first batch", progress: { router(services) }) { $0 >= 1 }
        try await services.kill("router")
        print("real-broker kill test: router killed at \(router(services))/\(total) events")
        try services.start("router")
        try await services.wait("the inbox's first notifications", progress: { Int64(services.inboxCount) }) { $0 >= 1 }
        try await services.kill("inbox")
        print("real-broker kill test: inbox killed at \(services.inboxCount)/\(scenario.expected.count) notifications")
        try services.start("inbox")

        try await services.wait("every event and notification", progress: { router(services) + Int64(services.inboxCount) }) {
            $0 == total + Int64(scenario.expected.count)
        }
        try await services.stopGracefully()
        let ids = try #require(services.read("inbox") { try String.fetchAll($0, sql: "SELECT id FROM inbox") })
        #expect(ids.count == scenario.expected.count, "notifications in the inbox, each once")
        #expect(Set(ids) == scenario.expected, "\(scenario.expected.subtracting(ids).count) missing, \(Set(ids).subtracting(scenario.expected).count) unexpected")
        print("real-broker kill test: 2 kills, \(ids.count) of \(scenario.expected.count) notifications, none missing, none twice, in \(clock.now - began)")
        await broker.stop()
    }
}
