import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Interoperability with kcat", .timeLimit(.minutes(2)), .enabled(if: kcatAvailable, "kcat is not installed: run the README's test command"))
struct InteroperabilityTests {
    @Test("a message kcat produces reaches the Swift consumer with key and headers")
    func kcatToSwift() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("from-kcat")
        try kafka.createTopic(topic, partitions: 1)
        _ = try await kcat(
            ["-b", kafka.bootstrapServers, "-P", "-t", topic, "-k", "SID-42",
             "-H", "event-type=police.arrest", "-H", "schema-version=1"],
            input: #"{"arrestingAgency":"Metro PD"}"# + "\n")

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "kcat's message") { await collector.waitFor(1) }
        await consumer.close()
        let message = try #require(collector.messages.first)
        #expect(message.key == Array("SID-42".utf8))
        #expect(String(decoding: message.value, as: UTF8.self) == #"{"arrestingAgency":"Metro PD"}"#)
        #expect(message.header("event-type")?.stringValue == "police.arrest")
        #expect(message.header("schema-version")?.stringValue == "1")
    }

    @Test("a message the Swift producer sends is read back by kcat with key and headers")
    func swiftToKcat() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("to-kcat")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.send(KafkaProducerMessage(
            topic: topic, key: "SID-7", value: #"{"facility":"North Unit"}"#,
            headers: [KafkaHeader(key: "event-type", value: "custody.release-scheduled"), KafkaHeader(key: "schema-version", value: "1")]))
        await producer.shutdown()

        let output = try await kcat(["-b", kafka.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\n"])
        #expect(output == #"SID-7|{"facility":"North Unit"}|event-type=custody.release-scheduled,schema-version=1"# + "\n")
    }
}
