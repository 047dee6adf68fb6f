import Contracts
import Foundation
import Logging
import Pipeline
import ServiceKit
import Testing

/// Every event type of the contracts is read by at least one service, on a topic it reads:
/// an agency publishing an event nobody consumes would believe it shared what it did not.
/// A topic the bus publishes for agencies alone (no bus service among its consumers, e.g.
/// `bus.warrant-checks`, read by the jails' systems) is not the services' to read; nor is an
/// event type whose contract names its own readers and no service among them (`bus.identity`'s
/// review requests and decisions, for the operators).
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
        let busServices = Set(catalog.glossary.enumerations["busService"]?.codes ?? [])
        #expect(busServices.contains("router"))
        // A topic must have a consuming service when a service is among its consumers, or when an
        // agency produces it. `operations` (people with the bus's tools: dead letters, the audit
        // ledger) is no service that runs a projection.
        let services = busServices.subtracting(["operations"])
        for topic in catalog.topics {
            let agencyProduced = !topic.producers.allSatisfy(busServices.contains)
            for event in topic.events where event.readers(on: topic).contains(where: services.contains) || agencyProduced {
                let consumed = projections.contains { $0.topics.contains(topic.name) && $0.handles(eventType: event.type) }
                if !consumed { unconsumed.insert(event.type) }
            }
        }
        #expect(unconsumed.isEmpty, "no service consumes \(unconsumed.sorted())")
    }
}
