import Contracts
import Foundation
import Logging
import Pipeline
import ServiceKit
import Testing

/// Every event type of the contracts is read by at least one service, on a topic it reads:
/// an agency publishing an event nobody consumes would believe it shared what it did not.
@Suite struct EventCoverageTests {
    /// Sealing and expungement orders (records.sealing): issue 13, item 4. Subscriptions
    /// (bus.subscriptions): the router takes them next (issue 14, item 1), reading the topic
    /// in full into `SubscriptionStore`.
    static let notYetConsumed: Set<String> = ["records.record.sealed", "records.record.expunged", "bus.subscription.recorded"]

    @Test func everyEventTypeOfTheContractsHasAConsumer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coverage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let application = try buildApplication(
            ApplicationConfiguration(
                broker: .external(bootstrapServers: ["127.0.0.1:9"]), dataDirectory: directory, catalog: catalog,
                topics: .init(createContractTopics: false)),
            logger: Logger(label: "coverage-tests"))
        let projections = application.services.values.map(\.projection)
        var unconsumed: Set<String> = []
        for topic in catalog.topics {
            for event in topic.events {
                let consumed = projections.contains { $0.topics.contains(topic.name) && $0.handles(eventType: event.type) }
                if !consumed { unconsumed.insert(event.type) }
            }
        }
        #expect(unconsumed == Self.notYetConsumed)
    }
}
