import Demo
import Foundation
import Notifications
import Pipeline
import TestSupport
import Testing

/// Every service as its own `reentrybus serve` process on a real broker, fed by `reentrybus
/// publish`, the way an agency runs them: topics from `topics apply`, one shared notification
/// key, the inbox ending with exactly the notifications the demo scenario calls for.
@Suite("Services end to end on Tansu", .needsTansu, .timeLimit(.minutes(3)))
struct ServicesEndToEndTests {
    @Test func everyServiceThroughServeFedByPublish() async throws {
        let broker = try await RealBroker.start()
        let directory = temporaryDirectory("reentrybus-real-e2e")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await applyTopics(broker)
        let services = try ServeProcesses(broker: broker, directory: directory)
        for name in ["router", "warrant-resolver", "inbox"] { try services.start(name) }

        let scenario = try DemoScenario(now: Date(timeIntervalSince1970: 1_750_000_000))
        var produced: [String: Int64] = [:]
        for (index, step) in scenario.steps.enumerated() {
            if step.event.topic.hasPrefix("bus.") {
                // The bus's own topics (a subscription, a tick of the clock) are written by its
                // tools and scheduler, never by `publish`, which refuses them.
                try await broker.produce([step.event.message])
            } else {
                // One file per step, published by the command partners use.
                let file = directory.appendingPathComponent("step-\(index).ndjson")
                try Data(step.event.value + Array("\n".utf8)).write(to: file)
                let publish = try await runReentrybus([
                    "publish", "--topic", step.event.topic, file.path, "--bootstrap", broker.bootstrap, "--dir", topicsDirectory.path,
                    "--log-level", "warning",
                ])
                #expect(publish.termination.value == .init(status: 0, bySignal: false), "\(step.name): \(publish.lastErrorLines())")
                #expect(publish.output.value.contains("published 1 events to \(step.event.topic)"), "\(publish.output.value)")
            }
            produced[step.event.topic, default: 0] += 1
            // The scenario is a sequence in time: its next step waits until this one was read.
            let topic = step.event.topic
            let target = produced[topic]!
            try await services.wait("\(step.readBy.rawValue) to read \(step.name)", progress: { services.consumed(by: step.readBy.rawValue, from: [topic]) }) { $0 >= target }
        }
        let expected = Int64(DemoNotificationKey.expected.count)
        try await services.wait("the inbox to hold the demo's notifications", progress: { Int64(services.inboxCount) }) { $0 >= expected }
        try await services.stopGracefully()

        let notifications = try #require(services.read("inbox") { try InboxStore.all($0.storage) })
        #expect(notifications.count == Int(expected))
        #expect(Set(notifications.map(DemoNotificationKey.init)) == DemoNotificationKey.expected)
        // A graceful stop leaves no outbox behind: every notification was acknowledged by Tansu.
        for name in ["router", "warrant-resolver"] {
            #expect(services.read(name) { try Int.fetchOne($0, sql: "SELECT count(*) FROM kit_outbox") } == 0, "\(name)")
        }
        await broker.stop()
    }
}
