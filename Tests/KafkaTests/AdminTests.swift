import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Topic administration", .timeLimit(.minutes(1)))
struct AdminTests {
    @Test("the embedded administrator creates, describes, lists and deletes topics")
    func embeddedAdministrator() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        let admin = try kafka.administrator()
        let name = unique("supervision.cases")
        try await admin.createTopic(KafkaTopicSpecification(
            name: name, partitions: 6, replicationFactor: 3, cleanupPolicy: .compact, retention: .seconds(86_400)))

        let description = try await admin.describeTopic(named: name)
        #expect(description.partitions.map(\.id) == Array(0..<6))
        #expect(description.partitions.allSatisfy { $0.replicas.count == 3 })
        #expect(description.configs["cleanup.policy"] == "compact")
        #expect(description.configs["retention.ms"] == "86400000")
        #expect(try await admin.listTopics().contains(name))

        let duplicate = await #expect(throws: KafkaError.self) {
            try await admin.createTopic(KafkaTopicSpecification(name: name, partitions: 6))
        }
        #expect(duplicate?.code == .alreadyExists)

        try await admin.deleteTopic(named: name)
        #expect(try await !admin.listTopics().contains(name))
        let missing = await #expect(throws: KafkaError.self) { try await admin.describeTopic(named: name) }
        #expect(missing?.code == .unknownTopic)
    }

    @Test("against a broker that does not answer, an admin call fails with a timeout instead of hanging")
    func unansweredAdminRequest() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)  // answers no CreateTopics
        let admin = try KafkaAdmin(configuration: kafka.clientConfiguration(), timeout: .seconds(2), logger: testLogger)
        let start = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopic(KafkaTopicSpecification(name: unique("never"), partitions: 1))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.description.contains("timed out") == true)
        #expect(ContinuousClock.now - start < .seconds(25))  // a guard against a hang, with room for a loaded machine
    }
}
