import Contracts
import Foundation
import Logging
import Pipeline
import ServiceKit
import Testing

/// Every event type of the contracts is read by at least one service, on a topic it reads:
/// an agency publishing an event nobody consumes would believe it shared what it did not.
@Suite struct EventCoverageTests {
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
        // The audit ledger's topic is a record for auditors' tools (its contract's consumers:
        // operations), written by the services that disclose; no service of the bus reads it.
        for topic in catalog.topics where topic.name != BusTopic.audit {
            for event in topic.events {
                let consumed = projections.contains { $0.topics.contains(topic.name) && $0.handles(eventType: event.type) }
                if !consumed { unconsumed.insert(event.type) }
            }
        }
        #expect(unconsumed.isEmpty, "no service consumes \(unconsumed.sorted())")
    }
}
