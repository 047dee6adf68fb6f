import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Shutdown and misuse on the embedded broker", .timeLimit(.minutes(2)))
struct ShutdownTests {
    @Test("with every broker gone, closing a consumer that had joined its group returns within closeTimeout")
    func boundedCloseWithBrokersGone() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("gone")
        try kafka.createTopic(topic, partitions: 2)
        var configuration = kafka.consumerConfiguration(groupID: unique("group"), topics: [topic])
        configuration.closeTimeout = .seconds(2)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: "one", partition: 0))
        await producer.shutdown()
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger)
        // A message read means the consumer joined the group and fetches; its offset stored
        // gives the close a commit to attempt too.
        let message: KafkaConsumerMessage? = try await within(.seconds(60), "the message") {
            for try await message in consumer.messages { return message }
            return nil
        }
        try consumer.storeOffset(try #require(message))

        try kafka.setBrokerDown(1)
        let start = ContinuousClock.now
        let outcome = await consumer.close()
        let elapsed = ContinuousClock.now - start
        // The bound guards against the old hang (a close that never returned), with room for a
        // 2-core machine running the whole suite at once (seen: 3.96 s for the 2 s bound).
        #expect(elapsed < .seconds(2) + .seconds(10), "took \(elapsed)")
        if let outcome {
            #expect(outcome.code == .timedOut, "an abandoned close says so")
        }
        // A second close returns the same outcome at once, touching nothing.
        let again = await consumer.close()
        #expect(again?.code == outcome?.code)
        let refused = await #expect(throws: KafkaError.self) { try await consumer.commit() }
        #expect(refused?.code == .closed)
    }

    @Test("close called by several tasks at once returns in each, once the consumer has left")
    func concurrentCloses() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("closes")
        try kafka.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let outcomes = await withTaskGroup(of: KafkaError?.self) { group in
            for _ in 0..<3 { group.addTask { await consumer.close() } }
            var outcomes: [KafkaError?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 3)
        #expect(outcomes.allSatisfy { $0 == nil }, "left the group in time")
        #expect(throws: KafkaError.self) { try consumer.pause([TopicPartition(topic: topic, partition: 0)]) }
    }

    @Test("a send cancelled while waiting for room in the local queue fails with cancelled and is not sent")
    func cancelledWhileWaitingForRoom() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("cancel")
        try kafka.createTopic(topic, partitions: 1)
        var configuration = kafka.producerConfiguration()
        configuration.maxQueuedMessages = 1
        configuration.deliveryTimeout = .seconds(2)  // the queued message fails instead of waiting for ever
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        try kafka.setBrokerDown(1)  // the first message stays queued: the second finds no room

        let sending = Task {
            // Cancelled before the batch starts, so its wait for room ends at once.
            withUnsafeCurrentTask { $0?.cancel() }
            return try await producer.sendBatch([
                KafkaProducerMessage(topic: topic, key: nil, value: "queued"),
                KafkaProducerMessage(topic: topic, key: nil, value: "never queued"),
            ])
        }
        let error = await #expect(throws: KafkaError.self) { _ = try await sending.value }
        #expect(error?.code == .cancelled)
        await producer.shutdown()
    }
}
