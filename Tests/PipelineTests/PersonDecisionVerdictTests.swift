import Contracts
import Foundation
import Kafka
import TestSupport
import Testing

/// `persons link|distinct` under a Kafka user that may not read `bus.dead-letters` (the
/// production reviewers' user): the decision is still published, and the command says that a
/// refusal would not show instead of failing or implying there was none. Here the cluster
/// lacks the topic, which the broker answers as it answers a topic the user may not describe.
@Suite("persons link without bus.dead-letters") struct PersonDecisionVerdictTests {
    @Test func aDecisionIsPublishedAndTheUnseenRefusalsAreNamed() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        for topic in [BusTopic.personDecisions, BusTopic.identity] { try kafka.createTopic(topic, partitions: 1) }
        let (termination, process) = try await runReentrybus([
            "persons", "link", "MO-DOC-PP/doc/1198734", "MO-KCPD/rms/KC-25-40117", "--by", "analyst.reyes", "--wait", "1",
            "--bootstrap", kafka.bootstrapServers, "--dir", topicsDirectory.path, "--connect-timeout", "20", "--log-level", "error",
        ])
        #expect(termination == .init(status: 0, bySignal: false), "\(process.errors.value)")
        #expect(process.output.value.contains("published decision"), "\(process.output.value)")
        #expect(process.output.value.contains("no verdict from the person index within 1 s"), "\(process.output.value)")
        #expect(process.output.value.contains("a refusal would not show here: bus.dead-letters"), "\(process.output.value)")
        // The decision is on its topic, once.
        let ends = try await KafkaAdmin(configuration: kafka.clientConfiguration(), timeout: .seconds(20), logger: testLogger)
            .endOffsets(of: BusTopic.personDecisions)
        #expect(ends.values.map(\.rawValue).reduce(0, +) == 1)
    }
}
