import Foundation
import TestSupport
import Testing

@testable import Kafka

// Serialized: two of its tests take a broker down and bring it back up (scripts/test, "outages").
@Suite("Faults on the embedded broker", .serialized, .timeLimit(.minutes(2)))
struct FaultToleranceTests {
    @Test("with the leader down for seconds, every message sent meanwhile arrives once after recovery")
    func brokerOutage() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        let topic = unique("outage")
        try kafka.createTopic(topic, partitions: 4, replicationFactor: 3)
        for partition in Int32(0)..<4 { try kafka.setPartitionLeader(topic: topic, partition: partition, broker: 2) }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.send(topic: topic, key: Array("warm-up".utf8), value: Array("0".utf8))

        try kafka.setBrokerDown(2)
        let messages = (1...100).map { KafkaProducerMessage(topic: topic, key: "person-\($0 % 10)", value: "m\($0)") }
        let sending = Task { try await producer.sendBatch(messages) }
        // The outage itself: the broker stays down this long whatever the clients do.
        try await Task.sleep(for: .seconds(3))
        try kafka.setBrokerUp(2)
        let report = try await within(.seconds(60), "delivery after recovery") { try await sending.value }
        #expect(report.delivered == 100)
        #expect(report.failures.isEmpty)
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "101 messages") { await collector.waitFor(101) }
        // Nothing more is in the topic: the end offsets add up to what was read.
        let values = collector.messages.map { String(decoding: $0.value, as: UTF8.self) }
        await consumer.close()
        #expect(values.count == 101)
        #expect(Set(values) == Set(["0"] + (1...100).map { "m\($0)" }), "none lost, none doubled")
    }

    @Test("send reports a broker error it cannot retry, and absorbs the ones it can")
    func injectedErrors() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("errors")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.send(topic: topic, key: nil, value: Array("first".utf8))

        try kafka.failNextRequests(.produce, with: [.notLeaderForPartition, .requestTimedOut])
        let retried = try await producer.send(topic: topic, key: nil, value: Array("retried".utf8))
        #expect(retried.offset == KafkaOffset(1))

        try kafka.failNextRequests(.produce, with: [.topicAuthorizationFailed])
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: nil, value: Array("refused".utf8))
        }
        #expect(error?.code == .brokerRejected)
        #expect(error?.isRetriable == false)
        #expect(error?.description.contains("TOPIC_AUTHORIZATION_FAILED") == true)

        // In a batch, the failed message comes back with its error, so it can be retried.
        // (Another topic: librdkafka now refuses the first one locally, with the same error.)
        let other = unique("errors-batch")
        try kafka.createTopic(other, partitions: 1)
        _ = try await producer.send(topic: other, key: nil, value: Array("first".utf8))
        try kafka.failNextRequests(.produce, with: [.topicAuthorizationFailed])
        let report = try await producer.sendBatch([KafkaProducerMessage(
            topic: other, key: "SID-9", value: "refused-in-batch", headers: [KafkaHeader(key: "event-type", value: "x")])])
        #expect(report.delivered == 0)
        let failure = try #require(report.failures.first)
        #expect(failure.error.code == .brokerRejected)
        #expect(failure.message.key == Array("SID-9".utf8))
        #expect(failure.message.value == Array("refused-in-batch".utf8))
        #expect(failure.message.headers == [KafkaHeader(key: "event-type", value: "x")])
        await producer.shutdown()
    }

    @Test("a full local queue makes senders wait: nothing dropped, nothing failed")
    func fullQueueWaits() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("full-queue")
        try kafka.createTopic(topic, partitions: 1)
        var configuration = kafka.producerConfiguration()
        configuration.maxQueuedMessages = 5
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        _ = try await producer.send(topic: topic, key: nil, value: Array("warm-up".utf8))

        try kafka.setBrokerDown(1)  // nothing leaves the queue until the broker is back
        let messages = (0..<50).map { KafkaProducerMessage(topic: topic, key: "k", value: "m\($0)") }
        let sending = Task { try await producer.sendBatch(messages) }
        let single = Task { try await producer.send(topic: topic, key: nil, value: Array("single".utf8)) }
        try await Task.sleep(for: .seconds(1))  // the outage
        try kafka.setBrokerUp(1)
        let report = try await within(.seconds(60), "the batch") { try await sending.value }
        _ = try await within(.seconds(60), "the single send") { try await single.value }
        #expect(report.delivered == 50)
        #expect(report.failures.isEmpty)
        #expect(producer.queueSpace.waits > 0, "the senders should have waited for room")
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "52 messages") { await collector.waitFor(52) }
        await consumer.close()
        let batchValues = collector.messages.map { String(decoding: $0.value, as: UTF8.self) }.filter { $0.hasPrefix("m") }
        #expect(batchValues == (0..<50).map { "m\($0)" }, "all 50, in order")
    }

    @Test("shutdown delivers what was accepted before it returns")
    func shutdownLosesNothing() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("shutdown")
        try kafka.createTopic(topic, partitions: 2)
        var configuration = kafka.producerConfiguration()
        configuration.linger = .milliseconds(200)  // messages sit in the queue when shutdown starts
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        let messages = (0..<500).map { KafkaProducerMessage(topic: topic, key: "k\($0 % 7)", value: "m\($0)") }
        let sending = Task { try await producer.sendBatch(messages) }
        let report = try await sending.value
        await producer.shutdown()
        #expect(report.delivered == 500)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: topic, key: nil, value: [1])
        }
        #expect(error?.code == .closed)
    }
}
