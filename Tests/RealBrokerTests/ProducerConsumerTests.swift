import Foundation
import Kafka
import TestSupport
import Testing

/// The Kafka module's producer and consumer groups against a real broker: what the services
/// rely on, checked beyond librdkafka's mock cluster.
@Suite("Producer and consumer groups on Tansu", .needsTansu, .timeLimit(.minutes(2)))
struct ProducerConsumerTests {
    func createTopic(_ broker: RealBroker, partitions: Int) async throws -> String {
        let topic = unique("real")
        let admin = try KafkaAdmin(configuration: broker.clientConfiguration("real-broker-admin"), timeout: .seconds(30), logger: testLogger)
        try await admin.createTopic(KafkaTopicSpecification(name: topic, partitions: partitions))
        return topic
    }

    @Test("keys, values and headers arrive intact; one key stays in one partition, in order")
    func roundTripAndPerKeyOrder() async throws {
        let broker = try await RealBroker.start()
        let topic = try await createTopic(broker, partitions: 4)
        let headers = [KafkaHeader(key: "event-type", value: "police.arrest.made"), KafkaHeader(key: "binary", value: [0, 255, 7])]
        let messages = (0..<600).map { index in
            KafkaProducerMessage(topic: topic, key: Array("person-\(index % 12)".utf8), value: Array("\(index)".utf8), headers: headers)
        }
        try await broker.produce(messages)

        let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(60), "600 messages") { await collector.waitFor(600) }
        await consumer.close()

        let received = collector.messages
        #expect(received.count == 600)
        #expect(received.allSatisfy { $0.headers == headers && $0.topic == topic && $0.timestamp != nil })
        var partitionOfKey: [String: Int32] = [:]
        var lastOfKey: [String: Int] = [:]
        for message in received {
            let key = String(decoding: message.key ?? [], as: UTF8.self)
            let sequence = try #require(Int(String(decoding: message.value, as: UTF8.self)))
            #expect(partitionOfKey[key, default: message.partition] == message.partition, "\(key) moved partitions")
            partitionOfKey[key] = message.partition
            #expect(sequence > lastOfKey[key, default: -1], "\(key): \(sequence) after \(lastOfKey[key] ?? -1)")
            lastOfKey[key] = sequence
        }
        #expect(Set(received.map { String(decoding: $0.value, as: UTF8.self) }).count == 600)
        #expect(Set(partitionOfKey.values).count > 1, "twelve keys should spread over four partitions")
        await broker.stop()
    }

    @Test("two consumers split the partitions; when one leaves the other takes them all, losing and re-reading nothing")
    func twoConsumersSplitThePartitions() async throws {
        let broker = try await RealBroker.start()
        let topic = try await createTopic(broker, partitions: 4)
        let configuration = broker.consumerConfiguration(groupID: unique("group"), topics: [topic])
        let (assignedToA, handlerA) = assignmentTracker()
        let (assignedToB, handlerB) = assignmentTracker()
        let a = try KafkaConsumer(configuration: configuration, rebalanceHandler: handlerA, logger: testLogger)
        let b = try KafkaConsumer(configuration: configuration, rebalanceHandler: handlerB, logger: testLogger)
        let collector = MessageCollector()
        collector.start(a, name: "a")
        collector.start(b, name: "b")
        try await within(.seconds(60), "the group to split the partitions") {
            await assignedToA.wait { !$0.isEmpty }
            await assignedToB.wait { !$0.isEmpty }
        }
        #expect(assignedToA.value.isDisjoint(with: assignedToB.value))
        #expect(assignedToA.value.union(assignedToB.value).count == 4)

        try await broker.produce((0..<200).map { KafkaProducerMessage(topic: topic, key: "p\($0)", value: "first-\($0)") })
        try await within(.seconds(30), "the first half") { await collector.waitFor(200) }
        #expect(!collector.messages(of: "a").isEmpty && !collector.messages(of: "b").isEmpty)

        await b.close()  // commits what b stored, then leaves the group
        try await within(.seconds(60), "a to take every partition") { await assignedToA.wait { $0.count == 4 } }
        try await broker.produce((0..<200).map { KafkaProducerMessage(topic: topic, key: "p\($0)", value: "second-\($0)") })
        try await within(.seconds(30), "the second half") { await collector.waitFor(400) }
        await a.close()

        let values = collector.messages.map { String(decoding: $0.value, as: UTF8.self) }
        #expect(values.count == 400 && Set(values).count == 400, "every message read exactly once")
        #expect(collector.messages(of: "a").filter { String(decoding: $0.value, as: UTF8.self).hasPrefix("second-") }.count == 200)
        await broker.stop()
    }

    @Test("a consumer restarted after committing resumes after the last committed message")
    func resumeAfterCommit() async throws {
        let broker = try await RealBroker.start()
        let topic = try await createTopic(broker, partitions: 1)
        try await broker.produce((0..<10).map { KafkaProducerMessage(topic: topic, key: "k", value: "m\($0)") })
        var configuration = broker.consumerConfiguration(groupID: unique("group"), topics: [topic])
        configuration.commitStrategy = .manual

        let first = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let firstFive: [KafkaConsumerMessage] = try await within(.seconds(60), "five messages") {
            var read: [KafkaConsumerMessage] = []
            for try await message in first.messages {
                read.append(message)
                if read.count == 5 { break }
            }
            return read
        }
        try await first.commit(firstFive[4])
        await first.close()
        #expect(firstFive.map { String(decoding: $0.value, as: UTF8.self) } == ["m0", "m1", "m2", "m3", "m4"])

        let second = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let committed = try await second.committedOffsets(for: [TopicPartition(topic: topic, partition: 0)])
        #expect(committed[TopicPartition(topic: topic, partition: 0)] == KafkaOffset(5))
        let next: KafkaConsumerMessage? = try await within(.seconds(60), "the next message") {
            for try await message in second.messages { return message }
            return nil
        }
        #expect(next.map { String(decoding: $0.value, as: UTF8.self) } == "m5")
        #expect(next?.offset == KafkaOffset(5))
        await second.close()
        await broker.stop()
    }
}
