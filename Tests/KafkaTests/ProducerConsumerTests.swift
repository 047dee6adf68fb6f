import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Producer and consumer on the embedded broker", .timeLimit(.minutes(2)))
struct ProducerConsumerTests {
    @Test("a message's key, value and headers arrive intact")
    func roundTrip() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("round-trip")
        try kafka.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let headers = [
            KafkaHeader(key: "event-type", value: "release.scheduled"),
            KafkaHeader(key: "binary", value: [0, 255, 7]),
            KafkaHeader(key: "empty", value: nil),
        ]
        let receipt = try await producer.send(
            topic: topic, key: Array("SID-1001".utf8), value: Array(#"{"facility":"North"}"#.utf8), headers: headers)
        #expect(receipt.topic == topic)
        #expect(receipt.offset == KafkaOffset(0))
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "the message") { await collector.waitFor(1) }
        let message = try #require(collector.messages.first)
        #expect(message.key == Array("SID-1001".utf8))
        #expect(message.value == Array(#"{"facility":"North"}"#.utf8))
        #expect(message.headers == headers)
        #expect(message.topicPartition == receipt.topicPartition)
        #expect(message.offset == receipt.offset)
        #expect(message.timestamp != nil)
        await consumer.close()

        // A consumer that does not read headers gets the same message without them.
        var configuration = kafka.consumerConfiguration(groupID: unique("group"), topics: [topic])
        configuration.readsHeaders = false
        let headless = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let headlessCollector = MessageCollector()
        headlessCollector.start(headless)
        try await within(.seconds(30), "the message without headers") { await headlessCollector.waitFor(1) }
        let bare = try #require(headlessCollector.messages.first)
        #expect(bare.headers.isEmpty)
        #expect(bare.key == message.key && bare.value == message.value && bare.offset == message.offset)
        await headless.close()
    }

    @Test("messages with the same key stay in one partition, in the order sent")
    func perKeyOrder() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        let topic = unique("order")
        try kafka.createTopic(topic, partitions: 6)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let keys = (0..<12).map { "person-\($0)" }
        let messages = (0..<1_200).map { index in
            KafkaProducerMessage(topic: topic, key: keys[index % keys.count], value: "\(index)")
        }
        let report = try await producer.sendBatch(messages)
        #expect(report.delivered == 1_200)
        #expect(report.failures.isEmpty)
        // An empty batch has nothing to wait for and returns at once.
        let empty = try await producer.sendBatch([KafkaProducerMessage]())
        #expect(empty.delivered == 0 && empty.failures.isEmpty)
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "1,200 messages") { await collector.waitFor(1_200) }
        await consumer.close()

        var partitionOfKey: [String: Int32] = [:]
        var lastSequenceOfKey: [String: Int] = [:]
        for message in collector.messages {
            let key = String(decoding: message.key ?? [], as: UTF8.self)
            let sequence = Int(String(decoding: message.value, as: UTF8.self))!
            #expect(partitionOfKey[key, default: message.partition] == message.partition, "key \(key) moved partitions")
            partitionOfKey[key] = message.partition
            #expect(sequence > lastSequenceOfKey[key, default: -1], "key \(key): \(sequence) after \(lastSequenceOfKey[key]!)")
            lastSequenceOfKey[key] = sequence
        }
        #expect(Set(partitionOfKey.values).count > 1, "keys should spread over partitions")
        #expect(collector.messages.count == 1_200)
    }

    /// A service queues each committed batch's outbox before the previous one is acknowledged:
    /// batches queued one after the other keep their order, and each report, awaited in any
    /// order, counts its own messages.
    @Test("batches queued before earlier reports arrive keep their order")
    func queuedBatchesKeepTheirOrder() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("queued")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        var queued: [KafkaQueuedBatch] = []
        for batch in 0..<5 {
            queued.append(await producer.queueBatch((0..<(batch + 1) * 10).map { KafkaProducerMessage(topic: topic, key: "k", value: "\(batch)-\($0)") }))
        }
        #expect(queued.map(\.count) == [10, 20, 30, 40, 50])
        for batch in queued.reversed() {
            let report = await batch.report()
            #expect(report.delivered == batch.count && report.allDelivered)
        }
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "150 messages") { await collector.waitFor(150) }
        await consumer.close()
        let expected = (0..<5).flatMap { batch in (0..<(batch + 1) * 10).map { "\(batch)-\($0)" } }
        #expect(collector.messages.map { String(decoding: $0.value, as: UTF8.self) } == expected)
    }

    @Test("a consumer restarted after committing resumes after the last committed message")
    func resumeAfterCommit() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("resume")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.sendBatch((0..<10).map { KafkaProducerMessage(topic: topic, key: "k", value: "m\($0)") })
        await producer.shutdown()
        let group = unique("group")
        var configuration = kafka.consumerConfiguration(groupID: group, topics: [topic])
        configuration.commitStrategy = .manual

        let first = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let firstFive: [KafkaConsumerMessage] = try await within(.seconds(30), "five messages") {
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
        let next: KafkaConsumerMessage? = try await within(.seconds(30), "the next message") {
            for try await message in second.messages { return message }
            return nil
        }
        #expect(next.map { String(decoding: $0.value, as: UTF8.self) } == "m5")
        #expect(next?.offset == KafkaOffset(5))
        await second.close()
        await second.close()  // closing again is harmless
        let error = await #expect(throws: KafkaError.self) { try await second.commit() }
        #expect(error?.code == .closed)
    }

    @Test("a service that stores its own offsets resumes exactly from them")
    func resumeFromServiceOffsets() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("own-offsets")
        try kafka.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let sent = (0..<40).map { KafkaProducerMessage(topic: topic, key: "k\($0 % 4)", value: "m\($0)") }
        #expect(try await producer.sendBatch(sent).delivered == 40)
        await producer.shutdown()

        // The service's own store: next offset per partition, written with its "effects".
        let store = LockedValue<[TopicPartition: KafkaOffset]>([:])
        let handler = KafkaRebalanceHandler(partitionsAssigned: { _ in store.withLock { $0 } })
        var configuration = kafka.consumerConfiguration(groupID: unique("group"), topics: [topic])
        configuration.commitStrategy = .manual  // nothing is committed to Kafka: only the store counts

        let first = try KafkaConsumer(configuration: configuration, rebalanceHandler: handler, logger: testLogger)
        let processed: [String] = try await within(.seconds(30), "15 messages") {
            var processed: [String] = []
            for try await message in first.messages {
                processed.append(String(decoding: message.value, as: UTF8.self))
                store.withLock { $0[message.topicPartition] = KafkaOffset(message.offset.rawValue + 1) }
                if processed.count == 15 { break }
            }
            return processed
        }
        await first.close()

        let second = try KafkaConsumer(configuration: configuration, rebalanceHandler: handler, logger: testLogger)
        let rest: [String] = try await within(.seconds(30), "the other 25 messages") {
            var rest: [String] = []
            for try await message in second.messages {
                rest.append(String(decoding: message.value, as: UTF8.self))
                if rest.count == 25 { break }
            }
            return rest
        }
        await second.close()
        #expect(Set(processed).isDisjoint(with: rest), "a message was read twice")
        #expect(Set(processed + rest) == Set(sent.map { String(decoding: $0.value, as: UTF8.self) }))
    }

    @Test("two consumers split the partitions; when one leaves the other takes them all, losing and re-reading nothing")
    func groupTakeover() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        let topic = unique("takeover")
        try kafka.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let group = unique("group")
        let configuration = kafka.consumerConfiguration(groupID: group, topics: [topic])

        let (assignedToA, handlerA) = assignmentTracker()
        let (assignedToB, handlerB) = assignmentTracker()
        let a = try KafkaConsumer(configuration: configuration, rebalanceHandler: handlerA, logger: testLogger)
        let b = try KafkaConsumer(configuration: configuration, rebalanceHandler: handlerB, logger: testLogger)
        let collector = MessageCollector()
        collector.start(a, name: "a")
        collector.start(b, name: "b")
        // The group has settled when each member holds some of the four partitions.
        try await within(.seconds(60), "the group to split the partitions") {
            await assignedToB.wait { !$0.isEmpty }
            await assignedToA.wait { !$0.isEmpty }
        }
        #expect(assignedToA.value.isDisjoint(with: assignedToB.value))
        #expect(assignedToA.value.union(assignedToB.value).count == 4)

        let firstHalf = (0..<200).map { KafkaProducerMessage(topic: topic, key: "p\($0)", value: "first-\($0)") }
        #expect(try await producer.sendBatch(firstHalf).delivered == 200)
        try await within(.seconds(30), "the first half") { await collector.waitFor(200) }
        #expect(!collector.messages(of: "a").isEmpty)
        #expect(!collector.messages(of: "b").isEmpty)

        await b.close()  // commits what b stored, then leaves the group
        #expect(assignedToB.value.isEmpty, "b's revoke hook ran before it left")
        try await within(.seconds(60), "a to take every partition") { await assignedToA.wait { $0.count == 4 } }
        let secondHalf = (0..<200).map { KafkaProducerMessage(topic: topic, key: "p\($0)", value: "second-\($0)") }
        #expect(try await producer.sendBatch(secondHalf).delivered == 200)
        try await within(.seconds(30), "the second half") { await collector.waitFor(400) }
        await producer.shutdown()
        await a.close()

        let values = collector.messages.map { String(decoding: $0.value, as: UTF8.self) }
        #expect(values.count == 400, "every message read exactly once")
        #expect(Set(values).count == 400)
        #expect(collector.messages(of: "a").filter { String(decoding: $0.value, as: UTF8.self).hasPrefix("second-") }.count == 200)
    }

    @Test("a paused partition is not fetched until it is resumed")
    func pauseAndResume() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let topic = unique("pause")
        try kafka.createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("group"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        // A first message read means the partitions are assigned and being fetched.
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: "first", partition: 1))
        try await within(.seconds(30), "the first message") { await collector.waitFor(1) }
        let paused = TopicPartition(topic: topic, partition: 0)
        try consumer.pause([paused])

        let toPaused = (0..<10).map { KafkaProducerMessage(topic: topic, key: nil, value: "paused-\($0)", partition: 0) }
        let toActive = (0..<10).map { KafkaProducerMessage(topic: topic, key: nil, value: "active-\($0)", partition: 1) }
        #expect(try await producer.sendBatch(toPaused).delivered == 10)
        #expect(try await producer.sendBatch(toActive).delivered == 10)
        // Partition 1 was written after partition 0 and sits on the same broker: once its
        // messages arrived, partition 0's would have too, had it not been paused.
        try await within(.seconds(30), "the active partition") { await collector.waitFor(11) }
        #expect(collector.messages.allSatisfy { $0.partition == 1 })

        try consumer.resume([paused])
        try await within(.seconds(30), "the resumed partition") { await collector.waitFor(21) }
        #expect(collector.messages.filter { $0.partition == 0 }.count == 10)
        await producer.shutdown()
        await consumer.close()
    }
}
