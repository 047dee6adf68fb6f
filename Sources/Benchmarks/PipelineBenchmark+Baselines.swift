import Contracts
import Foundation
import Kafka
import Logging
import Notifications
import ServiceKit

/// The replay's yardsticks, measured in the same run on the same data: how fast a plain
/// consumer with the services' settings reads the produced topics, and how fast SQLite upserts
/// rows of the same width through the services' storage layer (``RawUpsertBaseline``).
extension PipelineBenchmark {
    /// Rows the raw upsert writes at most (a rate: more rows would only take longer).
    static let rawUpsertRows = 200_000

    /// Reads `expected` messages of `topics` from the beginning with `settings` (a new group)
    /// and returns messages per second, from the first batch to the last, and the first
    /// `keep` messages (the raw upsert's rows).
    func rawConsume(
        _ settings: KafkaConsumerConfiguration, topics: [String], expected: Int, keep: Int
    ) async throws -> (rate: Double, kept: [KafkaConsumerMessage]) {
        var configuration = settings
        configuration.groupID = "bench-raw-consume-\(UUID().uuidString.prefix(8))"
        configuration.topics = topics
        configuration.client.clientID = "bench-raw-consume"
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        var kept: [KafkaConsumerMessage] = []
        kept.reserveCapacity(keep)
        var count = 0
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        for try await batch in consumer.batches {
            if first == nil { first = .now }
            count += batch.count
            if kept.count < keep { kept.append(contentsOf: batch.prefix(keep - kept.count)) }
            last = .now
            if count >= expected { break }
        }
        if let abandoned = await consumer.close() { throw abandoned }
        guard count >= expected, let first else {
            throw BenchmarkFailure(description: "the raw consumer read \(count) of \(expected) messages")
        }
        return (Double(count) / max((last - first).seconds, 1e-9), kept)
    }

    /// Upserts one row per message into a fresh SQLite database opened like a service's, a
    /// transaction per `batch` rows; returns rows per second.
    func rawUpsert(_ messages: [KafkaConsumerMessage], in directory: URL, batch: Int) async throws -> Double {
        let path = directory.appendingPathComponent("bench-raw-upsert.sqlite").path
        let database = try ServiceDatabase(path: path, migrations: RawUpsertBaseline.migrations)
        return try await RawUpsertBaseline(database: database, batchSize: batch).run(messages).rate
    }
}

extension PipelineBenchmark {
    /// Measures and prints both yardsticks of the replay; the rows kept for the upsert are
    /// released before the replay starts, so they do not count in its memory.
    func baselines(
        of produced: [String: Int64], router: EventConsumerService, directory: URL, _ printer: FigurePrinter
    ) async throws -> (consume: Double, upsert: Double) {
        printer.progress("throughput: raw consume of the \(events) events with the services' consumer settings")
        let raw = try await rawConsume(
            router.configuration.consumer, topics: produced.keys.sorted(), expected: events, keep: min(events, Self.rawUpsertRows))
        printer.figure("pipeline.raw_consume", raw.rate, "msgs/s")
        printer.progress("throughput: raw SQLite upsert of \(raw.kept.count) of those events, one row each")
        let upsert = try await rawUpsert(raw.kept, in: directory, batch: router.configuration.consumer.maxBatchSize)
        printer.figure("pipeline.raw_upsert.sqlite", upsert, "rows/s")
        return (raw.rate, upsert)
    }
}

extension PipelineBenchmark {
    /// Reads `bus.notifications` from the beginning until `expected` notifications arrived (a
    /// minute at most without progress) and counts them by rule (a minute at most): what the replay sent, as the
    /// broker kept it.
    func notificationsByRule(_ kafka: EmbeddedKafka, expected: Int) async throws -> [String: Int] {
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: "bench-notifications-\(UUID().uuidString.prefix(8))", topics: [BusTopic.notifications]),
            logger: logger)
        var byRule: [String: Int] = [:]
        var count = 0
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    throw BenchmarkFailure(description: "bus.notifications did not hold the \(expected) notifications published within a minute")
                }
                for try await batch in consumer.batches {
                    for message in batch {
                        let rule = (try? BusNotification.decode(message.value))?.reason.rule ?? "(unreadable)"
                        byRule[rule, default: 0] += 1
                    }
                    count += batch.count
                    if count >= expected { break }
                }
                group.cancelAll()
            }
        } catch {
            _ = await consumer.close()
            throw error
        }
        if let abandoned = await consumer.close() { throw abandoned }
        return byRule
    }
}
