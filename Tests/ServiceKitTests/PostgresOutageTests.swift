import Contracts
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Storage
import TestSupport
import Testing

@testable import ServiceKit

/// The runtime on PostgreSQL, through an outage: the database stops in the middle of a stream;
/// the service stops consuming, retries the batch with backoff and, once PostgreSQL is back,
/// applies everything exactly once. Skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)))
struct PostgresOutageTests {
    let directory = TemporaryDirectory()

    @Test func aStreamSurvivesPostgresStoppingAndStartingWithoutLossOrDuplicates() async throws {
        try await PostgresCluster.with { cluster in
            let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
            defer { kafka.shutdown() }
            for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 2) }
            let url = cluster.url(database: try await cluster.createDatabase())
            var logger = testLogger
            logger.logLevel = .error
            let storage = PostgresStorage(configuration: try PostgresStorage.Configuration(url: url).inSchema("probe"), logger: logger)
            let service = try makeProbeService(
                directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
                producerProperties: EmbeddedKafka.producerTuning, postgres: storage,
                storageRetry: .init(initial: .milliseconds(20), maximum: .milliseconds(200)))
            let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
            let before = (0..<40).map { _ in TestArrest(stateId: "MO\(Int.random(in: 1_000_000...9_999_999))") }
            let during = (0..<40).map { _ in TestArrest(stateId: "MO\(Int.random(in: 1_000_000...9_999_999))") }

            let group = ServiceGroup(services: [service], logger: testLogger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await producer.sendBatch(before.map(\.producerMessage)).allDelivered)
                try await within(.seconds(60), "the first arrests applied") {
                    await service.progress.wait { $0.consumed("police.arrests") >= 40 }
                }

                try await cluster.stop(.immediate)
                #expect(try await producer.sendBatch(during.map(\.producerMessage)).allDelivered)
                try await within(.seconds(60), "a batch refused while PostgreSQL is down") {
                    await service.progress.wait { $0.storageRetries >= 2 }
                }
                #expect(service.progress.snapshot.consumed("police.arrests") == 40, "nothing committed while PostgreSQL is down")

                try await cluster.start()
                try await within(.seconds(60), "every arrest applied once PostgreSQL is back") {
                    await service.progress.wait { $0.consumed("police.arrests") >= 80 && ($0.published["probe.out"] ?? 0) >= 80 }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            await producer.shutdown()
            let applied = try await service.database.read { transaction in
                try transaction.fetchAll("SELECT event_id FROM probe_applied").map { try $0.get("event_id", as: String.self) }
            }
            #expect(applied.count == 80)
            #expect(Set(applied) == Set((before + during).map(\.eventId)))
            #expect(service.progress.snapshot.duplicates == 0)
            #expect(try await service.count("kit_outbox") == 0)
            let delivered = try await kcat(["-b", kafka.bootstrapServers, "-C", "-t", "probe.out", "-e", "-q", "-f", "%s\\n"])
            let ids = delivered.split(separator: "\n").map(String.init)
            #expect(ids.count == 80, "each arrest's message delivered once")
            #expect(Set(ids) == Set(applied))
            try await storage.close()
        }
    }
}
