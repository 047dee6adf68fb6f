import ContractTools
import Contracts
import Foundation
import Testing

@testable import Kafka

@Suite("topics apply on the embedded broker", .timeLimit(.minutes(2)))
struct TopicApplierTests {
    @Test("creates every missing topic, then reports no changes; drift is reported, not hidden")
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
        #expect(first.contains(.configDrift(topic: "police.contacts", config: "retention.ms", cluster: nil, contract: "15552000000")))

        let description = try await administrator.describeTopic(named: "custody.releases")
        #expect(description.partitions.count == 12)
        #expect(description.configs["cleanup.policy"] == "delete")
        #expect(description.configs["retention.ms"] == "31536000000")
        #expect(try await administrator.describeTopic(named: "supervision.mental-health-bulletins").configs["cleanup.policy"] == "compact")

        let second = try await applier.apply(to: administrator)
        #expect(second.allSatisfy { !$0.isModification })
        #expect(second.count == first.count - created.count)  // only the unresolved drift remains
    }
}
