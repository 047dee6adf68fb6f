import ContractTools
import Contracts
import Foundation
import TestSupport
import Testing

@testable import Kafka

/// Issue 11 finding 4, the rest: `publish` is all or nothing through a Kafka transaction, says
/// when the broker (the embedded one) does not enforce it, and without a transaction reports
/// exactly what was stored.
@Suite("publish: one transaction, aborted on any failure", .timeLimit(.minutes(2)))
struct PublishTransactionTests {
    let publisher = EventPublisher(catalog: catalog, logger: testLogger)
    static let prologue = ["clusterIdentity", "initializeTransactions", "beginTransaction"]

    func transactionalProducer(_ kafka: EmbeddedKafka, failing failures: [String: [KafkaError]] = [:]) throws -> RecordingProducer {
        var configuration = kafka.producerConfiguration()
        configuration.transactionalID = unique("publish")
        return RecordingProducer(try KafkaProducer(configuration: configuration, logger: testLogger), failing: failures)
    }

    func file(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\n").utf8) }

    /// The `PublishError` that publishing `lines` throws, or nil if it succeeds.
    func publishError(_ lines: [String], topic: String, to destination: PublishDestination) async -> PublishError? {
        do {
            _ = try await publisher.publish(file(lines), format: .ndjson, topic: topic, to: destination)
            return nil
        } catch {
            return error
        }
    }

    @Test("a file is published in one committed transaction; a read_committed reader gets every event; the output says the embedded broker does not enforce it")
    func commits() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "courts.warrants"
        try kafka.createTopic(topic, partitions: 2)
        let lines = exampleLines("courts.warrant.issued", count: 30)
        let producer = try transactionalProducer(kafka)
        let report = try await publisher.publish(
            file(lines), format: .ndjson, topic: topic,
            to: PublishDestination(producer: producer, administrator: try kafka.administrator(), chunkSize: 10))
        await producer.producer.shutdown()
        #expect(report.published == 30)
        #expect(report.delivery == .transactionNotEnforced, "the embedded broker is named as such")
        #expect(producer.calls == Self.prologue + ["sendChunk 10", "sendChunk 10", "sendChunk 10", "commitTransaction"])

        var configuration = kafka.consumerConfiguration(groupID: unique("committed"), topics: [topic])
        configuration.client.properties["isolation.level"] = "read_committed"
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "30 committed events") { await collector.waitFor(30) }
        await consumer.close()
        #expect(Set(collector.messages.map { String(decoding: $0.value, as: UTF8.self) }) == Set(lines))
    }

    @Test("when the broker refuses events mid-publish, the transaction is aborted, never committed, and the error says nothing was published")
    func brokerFailureAborts() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 1)
        let producer = try transactionalProducer(kafka)
        // The first produce request succeeds, the next is refused for good.
        try kafka.failNextRequests(.produce, with: [KafkaBrokerError(rawValue: 0), .topicAuthorizationFailed])
        let error = await publishError(
            exampleLines("custody.release.cancelled", count: 15), topic: topic,
            to: PublishDestination(producer: producer, administrator: try kafka.administrator(), chunkSize: 5))

        guard case .aborted(let aborted) = error else { Issue.record("expected an abort, got \(String(describing: error))"); return }
        #expect(error?.description.hasPrefix("nothing was published: the transaction was aborted") == true)
        #expect(!aborted.failed.isEmpty && aborted.abortFailure == nil && aborted.isEmbeddedBroker)
        #expect(Set(aborted.failed.map(\.line)).isDisjoint(with: aborted.storedThenAborted))
        if !aborted.storedThenAborted.isEmpty {
            #expect(aborted.description.contains("embedded test broker, which does not enforce transactions"))
        }
        let calls = producer.calls
        #expect(Array(calls.prefix(3)) == Self.prologue)
        #expect(calls.last == "abortTransaction" && !calls.contains("commitTransaction"))
        #expect(calls.dropFirst(3).dropLast().allSatisfy { $0 == "sendChunk 5" })
        // The real producer's transaction is over (aborted): a new one may begin.
        try await producer.producer.beginTransaction()
        await producer.producer.shutdown()
    }

    @Test("a commit refused with an abortable error is aborted; a commit that never answers is reported as all or none")
    func commitFailures() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 1)
        let lines = exampleLines("custody.release.cancelled", count: 5)

        let abortable = KafkaError(code: .brokerRejected, operation: "commit the transaction", reason: "injected", requiresAbort: true)
        let refused = try transactionalProducer(kafka, failing: ["commitTransaction": [abortable]])
        let refusedError = await publishError(lines, topic: topic, to: PublishDestination(producer: refused, administrator: try kafka.administrator()))
        guard case .aborted(let aborted) = refusedError else { Issue.record("expected an abort, got \(String(describing: refusedError))"); return }
        #expect(refused.calls == Self.prologue + ["sendChunk 5", "commitTransaction", "abortTransaction"])
        #expect(aborted.description.hasPrefix("nothing was published: the transaction was aborted; first error: "))
        #expect(aborted.storedThenAborted == [1, 2, 3, 4, 5])
        #expect(aborted.description.contains("its readers do see the 5 events it stored before the failure (lines 1-5)"))
        await refused.producer.shutdown()

        let timedOut = KafkaError(code: .timedOut, operation: "commit the transaction", reason: "injected", isRetriable: true)
        let silent = try transactionalProducer(kafka, failing: ["commitTransaction": [timedOut, timedOut, timedOut]])
        let silentError = await publishError(lines, topic: topic, to: PublishDestination(producer: silent, administrator: try kafka.administrator()))
        guard case .commitOutcomeUnknown = silentError else { Issue.record("expected an unknown outcome, got \(String(describing: silentError))"); return }
        #expect(silent.calls == Self.prologue + ["sendChunk 5", "commitTransaction", "commitTransaction", "commitTransaction"])
        #expect(silentError?.description.contains("either all 5 events are published or none is") == true)
        await silent.producer.shutdown()  // aborts the transaction left open
    }

    @Test("a cluster that will not start a transaction: nothing is sent, and --no-transaction is named")
    func transactionUnavailable() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 1)
        let unsupported = KafkaError(code: .fatal, operation: "initialize transactions", reason: "injected", isFatal: true)
        let producer = try transactionalProducer(kafka, failing: ["initializeTransactions": [unsupported]])
        let error = await publishError(
            exampleLines("custody.release.cancelled", count: 3), topic: topic,
            to: PublishDestination(producer: producer, administrator: try kafka.administrator()))
        guard case .transactionUnavailable = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(error?.description.contains("nothing was published") == true && error?.description.contains("--no-transaction") == true)
        #expect(producer.calls == ["clusterIdentity", "initializeTransactions"])
        await producer.producer.shutdown()
    }

    @Test("without a transaction, a client failure mid-chunk is reported exactly: stored before it, not sent after, nothing unknown")
    func queueingFailureWithoutTransaction() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 1)
        let stop = KafkaError(code: .fatal, operation: "send to topic \(topic)", reason: "injected", isFatal: true)
        let producer = RecordingProducer(
            try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger), queueLimit: (3, stop))
        let error = await publishError(
            exampleLines("custody.release.cancelled", count: 12), topic: topic,
            to: PublishDestination(producer: producer, administrator: try kafka.administrator(), chunkSize: 5))
        await producer.producer.shutdown()
        guard case .partiallyPublished(let partial) = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(producer.calls == ["sendChunk 5"], "no transactional call without a transactional id")
        #expect(partial.stored == [1, 2, 3] && partial.failed.isEmpty && partial.notSent == Array(4...12))
        #expect(partial.description == "publishing failed part-way, and it is not transactional: 3 of 12 events were stored (lines 1-3); 9 were not sent (lines 4-12); first error: \(stop)")
    }
}
