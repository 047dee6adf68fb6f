import ContractTools
import Contracts
import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("topics apply on the embedded broker", .timeLimit(.minutes(2)))
struct TopicApplierTests {
    @Test("creates missing topics, updates configs, reports what it cannot change; a second run changes nothing")
    func applyIsIdempotent() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        // One topic already exists with fewer partitions than its contract asks for.
        try kafka.createTopic("police.contacts", partitions: 2)
        let administrator = try kafka.administrator()
        let applier = TopicApplier(catalog: catalog, logger: testLogger)

        let first = try await applier.apply(to: administrator)
        let created = first.compactMap { change -> String? in
            if case .created(let topic, _, _) = change { topic } else { nil }
        }
        #expect(created == catalog.topics.map(\.name).filter { $0 != "police.contacts" })
        #expect(first.contains(.partitionDrift(topic: "police.contacts", cluster: 2, contract: 12)))
        #expect(first.contains(.configUpdated(topic: "police.contacts", config: "retention.ms", cluster: nil, contract: "15552000000")))
        #expect(try await administrator.describeTopic(named: "police.contacts").configs["retention.ms"] == "15552000000")

        let description = try await administrator.describeTopic(named: "custody.releases")
        #expect(description.partitions.count == 12)
        #expect(description.configs["cleanup.policy"] == "delete")
        #expect(description.configs["retention.ms"] == "31536000000")
        #expect(try await administrator.describeTopic(named: "supervision.mental-health-bulletins").configs["cleanup.policy"] == "compact")

        let second = try await applier.apply(to: administrator)
        #expect(second.allSatisfy { !$0.isModification })
        // Only what this cluster cannot change is left: the embedded broker cannot add partitions.
        #expect(second == [.partitionDrift(topic: "police.contacts", cluster: 2, contract: 12)])
    }
}
