import Contracts
import Foundation
import Kafka
import TestSupport
import Testing

/// `reentrybus topics apply` on a real broker: what the embedded broker cannot do (it cannot
/// create topics through the protocol). Tansu offers CreateTopics and DescribeConfigs, not
/// CreatePartitions or AlterConfigs: a contract asking for more partitions or other configs
/// than the cluster has is reported as drift there, which is what these tests check.
@Suite("topics apply on Tansu", .needsTansu, .timeLimit(.minutes(2)))
struct TopicsApplyTests {
    @Test func applyCreatesEveryContractTopicWithItsPartitionsAndConfigsThenFindsNothingToChange() async throws {
        let broker = try await RealBroker.start()
        let catalog = try TopicCatalog.load(from: topicsDirectory)
        #expect(catalog.topics.contains { $0.name == BusTopic.notifications } && catalog.topics.contains { $0.name == BusTopic.deadLetters })

        let first = try await applyTopics(broker)
        for topic in catalog.topics {
            #expect(first.contains("created \(topic.name): \(topic.partitions) partitions"), "\(topic.name) not created:\n\(first)")
        }
        #expect(first.contains("\(catalog.topics.count) topic(s) created, 0 drift(s) reported"), "\(first)")

        // What the broker says it has (not what the tool says it did).
        let admin = try KafkaAdmin(configuration: broker.clientConfiguration("real-broker-admin"), timeout: .seconds(30), logger: testLogger)
        #expect(Set(try await admin.listTopics()) == Set(catalog.topics.map(\.name)))
        for topic in catalog.topics {
            let description = try await admin.describeTopic(named: topic.name)
            #expect(description.partitions.count == topic.partitions, "\(topic.name)")
            for (name, value) in topic.configs {
                #expect(description.configs[name] == value, "\(topic.name): \(name)")
            }
        }

        let second = try await applyTopics(broker)
        #expect(second == "no changes: every topic matches its contract\n")
        await broker.stop()
    }

    /// A contract changed after its topic was created (more partitions, a longer retention): a
    /// broker without CreatePartitions and AlterConfigs (Tansu) cannot follow, and `apply` says
    /// so, topic by topic, instead of failing or claiming a change.
    @Test func aContractTheClusterCannotFollowIsReportedAsDrift() async throws {
        let broker = try await RealBroker.start()
        _ = try await applyTopics(broker)

        let changed = temporaryDirectory("reentrybus-topics")
        defer { try? FileManager.default.removeItem(at: changed) }
        try FileManager.default.copyItem(at: topicsDirectory, to: changed)
        let contract = changed.appendingPathComponent("police.arrests.yaml")
        let text = try String(contentsOf: contract, encoding: .utf8)
        try #require(text.contains("\npartitions: 12\n") && text.contains("\nretention: 365d\n"))
        try text.replacingOccurrences(of: "\npartitions: 12\n", with: "\npartitions: 16\n")
            .replacingOccurrences(of: "\nretention: 365d\n", with: "\nretention: 400d\n")
            .write(to: contract, atomically: true, encoding: .utf8)

        let apply = try await runReentrybus(["topics", "apply", "--bootstrap", broker.bootstrap, "--dir", changed.path, "--log-level", "warning"])
        let output = apply.output.value
        #expect(output.contains("0 topic(s) created, 2 drift(s) reported"), "\(output)")
        #expect(apply.termination.value == .init(status: 0, bySignal: false), "\(apply.lastErrorLines())")
        #expect(output.contains("drift police.arrests: 12 partitions on the cluster, 16 in the contract (not changed: this cluster cannot add partitions)"), "\(output)")
        #expect(output.contains("drift police.arrests: retention.ms is 31536000000 on the cluster, 34560000000 in the contract (not changed)"), "\(output)")

        // Nothing changed on the broker.
        let admin = try KafkaAdmin(configuration: broker.clientConfiguration("real-broker-admin"), timeout: .seconds(30), logger: testLogger)
        let arrests = try await admin.describeTopic(named: "police.arrests")
        #expect(arrests.partitions.count == 12)
        #expect(arrests.configs["retention.ms"] == "31536000000")
        await broker.stop()
    }
}
