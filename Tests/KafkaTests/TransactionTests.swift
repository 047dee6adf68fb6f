import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Transactions and batch reports", .timeLimit(.minutes(2)))
struct TransactionTests {
    @Test("a transactional id sets librdkafka's transaction settings, with the limits librdkafka requires")
    func configuration() {
        var configuration = KafkaProducerConfiguration(idempotent: false, transactionalID: "publish-1")
        configuration.client.requestTimeout = .seconds(90)
        let properties = configuration.rdKafkaProperties
        #expect(properties["transactional.id"] == "publish-1")
        #expect(properties["transaction.timeout.ms"] == "60000", "the documented default")
        #expect(properties["enable.idempotence"] == "true", "a transactional id implies idempotence")
        #expect(properties["message.timeout.ms"] == "60000", "delivery timeout capped at the transaction timeout")
        #expect(properties["socket.timeout.ms"] == "60000", "request timeout capped at the transaction timeout")
        #expect(KafkaProducerConfiguration().rdKafkaProperties["transactional.id"] == nil)

        for (broken, field) in [
            (KafkaProducerConfiguration(transactionalID: ""), "transactionalID must not be empty"),
            (KafkaProducerConfiguration(acks: .leader, transactionalID: "p"), "needs acks .all"),
            (KafkaProducerConfiguration(transactionalID: "p", transactionTimeout: .milliseconds(10)), "transactionTimeout"),
        ] {
            let error = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: broken, logger: testLogger) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.reason.contains(field) == true, "\(error?.reason ?? "")")
        }
    }

    func transactionalProducer(_ kafka: EmbeddedKafka) throws -> KafkaProducer {
        var configuration = kafka.producerConfiguration()
        configuration.transactionalID = unique("txn")
        return try KafkaProducer(configuration: configuration, logger: testLogger)
    }

    @Test("a committed transaction's messages all reach a read_committed consumer; misuse is refused first")
    func commit() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("txn-commit")
        try kafka.createTopic(topic, partitions: 3)
        let producer = try transactionalProducer(kafka)
        #expect(producer.isTransactional)

        let early = await #expect(throws: KafkaError.self) { try await producer.beginTransaction() }
        #expect(early?.code == .invalidUse)
        let outside = await #expect(throws: KafkaError.self) { _ = try await producer.send(topic: topic, key: nil, value: [1]) }
        #expect(outside?.code == .invalidUse)

        try await producer.initializeTransactions(timeout: .seconds(20))
        try await producer.beginTransaction()
        let again = await #expect(throws: KafkaError.self) { try await producer.beginTransaction() }
        #expect(again?.code == .invalidUse)
        let messages = (0..<50).map { KafkaProducerMessage(topic: topic, key: "k\($0 % 5)", value: "m\($0)") }
        #expect(try await producer.sendBatch(messages).delivered == 50)
        try await producer.commitTransaction()
        let afterCommit = await #expect(throws: KafkaError.self) { _ = try await producer.send(topic: topic, key: nil, value: [1]) }
        #expect(afterCommit?.code == .invalidUse, "the transaction is over: sending needs a new one")
        #expect(try await producer.clusterIdentity(timeout: .seconds(10)).isEmbedded)
        await producer.shutdown()

        var configuration = kafka.consumerConfiguration(groupID: unique("committed"), topics: [topic])
        configuration.client.properties["isolation.level"] = "read_committed"
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "50 committed messages") { await collector.waitFor(50) }
        await consumer.close()
        #expect(Set(collector.messages.map { String(decoding: $0.value, as: UTF8.self) }) == Set((0..<50).map { "m\($0)" }))
    }

    @Test("an aborted transaction leaves the producer ready for the next; shutdown aborts one left open")
    func abortThenCommit() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("txn-abort")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try transactionalProducer(kafka)
        try await producer.initializeTransactions(timeout: .seconds(20))
        try await producer.beginTransaction()
        _ = try await producer.send(topic: topic, key: nil, value: Array("aborted".utf8))
        try await producer.abortTransaction()
        let noTransaction = await #expect(throws: KafkaError.self) { try await producer.commitTransaction() }
        #expect(noTransaction?.code == .invalidUse)
        try await producer.beginTransaction()
        _ = try await producer.send(topic: topic, key: nil, value: Array("left open".utf8))
        let started = ContinuousClock.now
        await producer.shutdown()  // aborts the open transaction
        #expect(ContinuousClock.now - started < .seconds(25))  // a guard against a hang, with room for a loaded machine
        let closed = await #expect(throws: KafkaError.self) { try await producer.beginTransaction() }
        #expect(closed?.code == .closed)
    }

    @Test("a producer without a transactional id refuses transactional calls")
    func notTransactional() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(!producer.isTransactional)
        let error = await #expect(throws: KafkaError.self) { try await producer.initializeTransactions(timeout: .seconds(5)) }
        #expect(error?.code == .invalidUse)
        await producer.shutdown()
    }

    @Test("when queueing fails part-way, sendBatchKeepingReport keeps the outcome of every queued message")
    func keepingReport() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("keeping-report")
        try kafka.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        // The fourth is larger than the producer accepts (1,000,000 bytes): librdkafka refuses it at once.
        var messages = (0..<6).map { KafkaProducerMessage(topic: topic, key: nil, value: "m\($0)") }
        messages[3].value = [UInt8](repeating: 0x61, count: 1_500_000)

        let report = await producer.sendBatchKeepingReport(messages)
        #expect(report.queued == 3 && report.delivered == 3 && report.failures.isEmpty)
        #expect(report.queueingError?.code == .messageTooLarge)
        #expect(!report.allDelivered)

        let thrown = await #expect(throws: KafkaError.self) { _ = try await producer.sendBatch(messages) }
        #expect(thrown?.code == .messageTooLarge, "sendBatch still throws it")
        await producer.shutdown()
    }
}
