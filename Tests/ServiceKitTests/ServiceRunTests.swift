import Contracts
import Foundation
import GRDB
import Kafka
import ServiceLifecycle
import TestSupport
import Testing

@testable import ServiceKit

/// The service on the embedded broker, for what needs a real producer and consumer.
@Suite struct ServiceRunTests {
    let directory = TemporaryDirectory()

    /// Every batch runs on the service's own thread (``ServiceThread``), transaction included:
    /// not on GRDB's queue (a hop there and back per batch) nor on a cooperative thread (which
    /// a slow disk would hold).
    @Test func batchesAreAppliedOnTheServicesOwnThread() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(try await producer.sendBatch((0..<5).map { _ in TestArrest().producerMessage }).allDelivered)
        let threads = ThreadNames()
        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning, threads: threads)
        try await runUntil(service, "the first arrests applied, then more") { $0.applied >= 5 }
        #expect(threads.all.count == 5)
        #expect(threads.all.allSatisfy { $0 == "svc-probe" }, "applied on \(Set(threads.all))")
        await producer.shutdown()
    }

    /// A ~1 MB arrest (accepted by its producer) used to stop the service for good: the copy
    /// with dead-letter headers exceeded the service's own producer limit. Now it is
    /// dead-lettered by reference and the arrests behind it are applied.
    @Test func aMessageTooLargeToCopyIsDeadLetteredByReferenceAndTheServiceGoesOn() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let huge = TestArrest()
        let value = [UInt8](repeating: 0x20, count: 999_800 - huge.value.count) + huge.value  // valid JSON, padded
        let after = TestArrest()
        let report = try await producer.sendBatch([
            KafkaProducerMessage(topic: "police.arrests", key: Array(huge.stateId.utf8), value: value, headers: huge.headers),
            after.producerMessage,
        ])
        #expect(report.allDelivered)
        await producer.shutdown()

        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning)
        try await runUntil(service, "both arrests handled") { $0.consumed("police.arrests") >= 2 }
        let progress = service.progress.snapshot
        #expect(progress.deadLettered == 1)
        #expect(progress.applied == 1)
        #expect(progress.published[BusTopic.deadLetters] == 1)
        #expect(progress.published["probe.out"] == 1)
        #expect(try await service.database.failedOutbox().isEmpty)

        let letters = try await kcat(["-b", kafka.bootstrapServers, "-C", "-t", BusTopic.deadLetters, "-e", "-q", "-f", "%h\\t%s\\n"])
        #expect(letters.contains("dead-letter-form=reference"))
        #expect(letters.contains("\"size\":999800"))
    }

    /// A service whose group is torn down (cancelled, not shut down) ends, reference topic or
    /// not. With one, its wait for the next batch used to start new waits forever, each ending
    /// at once as cancelled: two busy threads and a process that never exited (seen when
    /// `bench pipeline` failed mid-run and its task group cancelled the services).
    @Test func aCancelledServiceThatReadsAReferenceTopicEnds() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", "probe.reference", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(try await producer.sendBatch([TestArrest().producerMessage]).allDelivered)
        await producer.shutdown()

        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning, referenceTopics: ["probe.reference"])
        let ended = AwaitableState(false)
        let running = Task {
            defer { ended.update { $0 = true } }
            try await service.run()
        }
        try await within(.seconds(180), "the arrest handled") { await service.progress.wait { $0.consumed("police.arrests") >= 1 } }
        running.cancel()
        // Bounds a hang: the wait itself is cancellable, so a service that never ends fails here.
        try await within(.seconds(60), "the cancelled service to end") { await ended.wait { $0 } }
        #expect(ended.value)
        let outcome = await running.result
        #expect(throws: CancellationError.self) { try outcome.get() }
    }

    /// An outbox row the broker can never accept (left by an earlier version) no longer stops
    /// every start: it moves to the failed outbox with its reason, the rows behind it go out.
    @Test func anUndeliverableOutboxRowIsParkedAndTheRestDelivered() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning)
        try await service.database.write { db in
            try ServiceDatabase.appendToOutbox([
                OutgoingMessage(topic: "probe.out", key: "k", value: [UInt8](repeating: 1, count: 1_200_000), headers: []),
                OutgoingMessage(topic: "probe.out", key: "k", value: Array("after".utf8), headers: []),
            ], db)
        }
        try await runUntil(service, "the outbox re-sent") { $0.published["probe.out"] ?? 0 >= 2 }
        let failed = try await service.database.failedOutbox()
        #expect(failed.count == 1)
        #expect(failed.first?.reason.contains("larger than the largest message") == true)
        #expect(service.progress.snapshot.failedOutbox == 1)
        #expect(try await service.count("kit_outbox") == 0)
        let delivered = try await kcat(["-b", kafka.bootstrapServers, "-C", "-t", "probe.out", "-e", "-q", "-f", "%s\\n"])
        #expect(delivered == "after\n")
        #expect(try await service.database.counters()["outbox_failed"] == 1)
    }
}
