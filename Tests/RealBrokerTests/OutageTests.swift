import Foundation
import Kafka
import Notifications
import ServiceKit
import TestSupport
import Testing

/// The broker unreachable while the services run (issue 12, "bad input and faults"): every
/// connection cut at the proxy and refused for 10 s mid-stream, while a producer keeps
/// sending. Tansu keeps its data in memory, so it is not restarted: the fault is the network.
/// The services must wait, not exit, and resume on their own; the inbox ends with every
/// notification once.
@Suite("The broker unreachable while services run, on Tansu", .needsTansu, .timeLimit(.minutes(3)))
struct OutageTests {
    @Test func servicesWaitOutATenSecondOutageAndLoseNothing() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let broker = try await RealBroker.start(outage: .seconds(10))
        let directory = temporaryDirectory("reentrybus-real-outage")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await applyTopics(broker)
        let scenario = try ArrestScenario(supervisees: 1_000, run: "real-outage")
        let messages = scenario.events.map(\.message)
        let half = messages.count / 2
        try await broker.produce(Array(messages[..<half]))
        let total = Int64(messages.count)
        let router = { (services: ServeProcesses) in services.consumed(by: "router", from: ArrestScenario.routerTopics) }

        let services = try ServeProcesses(broker: broker, directory: directory)
        try services.start("router")
        try services.start("inbox")
        try await services.wait("the router's first batch", progress: { router(services) }) { $0 >= 1 }

        let cut = try await broker.cutConnections()
        let cutAt = clock.now
        print("real-broker outage test: \(cut) at router \(router(services))/\(total) events, inbox \(services.inboxCount)/\(scenario.expected.count)")
        // The second half is sent during the outage: the producer waits for the broker too.
        let sending = Task { try await broker.produce(Array(messages[half...])) }
        try await broker.waitUntilOutageIsOver()
        try services.checkAlive()  // a service that gave up during the outage has ended by now

        try await services.wait("every event and notification after the outage", progress: { router(services) + Int64(services.inboxCount) }) {
            $0 == total + Int64(scenario.expected.count)
        }
        try await sending.value
        print("real-broker outage test: caught up \(clock.now - cutAt) after the cut")
        try await services.stopGracefully()
        #expect(broker.isRunning, "Tansu must not have been restarted (its data is in memory)")

        let ids = try #require(services.read("inbox") { try String.fetchAll($0, sql: "SELECT id FROM inbox") })
        #expect(ids.count == scenario.expected.count, "notifications in the inbox, each once")
        #expect(Set(ids) == scenario.expected, "\(scenario.expected.subtracting(ids).count) missing, \(Set(ids).subtracting(scenario.expected).count) unexpected")
        #expect(router(services) == total, "the router consumed every event once")
        print("real-broker outage test: \(ids.count) of \(scenario.expected.count) notifications, none missing, none twice, in \(clock.now - began)")
        await broker.stop()
    }
}
