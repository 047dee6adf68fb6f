import Contracts
import Foundation
import Kafka
import Logging
import Notifications
import ServiceKit
import Storage

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
        return try await RawUpsertBaseline(database: try RawUpsertBaseline.onSQLite(path: path), batchSize: batch).run(messages).rate
    }
}

extension PipelineBenchmark {
    /// Measures and prints both yardsticks of the replay; the rows kept for the upsert are
    /// released before the replay starts, so they do not count in its memory.
    func baselines(
        of produced: [String: Int64], router: EventConsumerService, directory: URL, postgres: PostgresStorage.Configuration?,
        _ printer: FigurePrinter
    ) async throws -> (consume: Double, upsert: Double) {
        printer.progress("throughput: raw consume of the \(events) events with the services' consumer settings")
        let raw = try await rawConsume(
            router.configuration.consumer, topics: produced.keys.sorted(), expected: events, keep: min(events, Self.rawUpsertRows))
        printer.figure("pipeline.raw_consume", raw.rate, "msgs/s")
        if let postgres {
            printer.progress("throughput: raw PostgreSQL upsert of \(raw.kept.count) of those events, one row each")
            let upsert = try await RawUpsertBaseline.onPostgres(postgres, logger: logger) { database in
                try await RawUpsertBaseline(database: database, batchSize: router.configuration.consumer.maxBatchSize).run(raw.kept).rate
            }
            printer.figure("pipeline.raw_upsert.postgres", upsert, "rows/s")
            return (raw.rate, upsert)
        }
        printer.progress("throughput: raw SQLite upsert of \(raw.kept.count) of those events, one row each")
        let upsert = try await rawUpsert(raw.kept, in: directory, batch: router.configuration.consumer.maxBatchSize)
        printer.figure("pipeline.raw_upsert.sqlite", upsert, "rows/s")
        return (raw.rate, upsert)
    }
}

extension PipelineBenchmark {
    /// Reads `bus.notifications` in full, outside any group, up to the ends its partitions had
    /// when the reading began, and counts the notifications by rule: what the replay sent, as
    /// the broker kept it. Fails when the broker dropped some (a partition whose first offset
    /// is not 0: the embedded broker keeps about 5 MiB a partition), or after two minutes.
    func notificationsByRule(_ kafka: EmbeddedKafka) async throws -> [String: Int] {
        let reader = try KafkaTopicReader(
            configuration: kafka.topicReaderConfiguration(topics: [BusTopic.notifications], clientID: "bench-notifications"), logger: logger)
        // Counts until the reader closes (after catching up): the sequence then ends, or
        // throws `.closed` while waiting for more.
        let reading = Task { () throws -> (byRule: [String: Int], firstOffsets: [Int32: Int64], byRecipient: [String: Int], bytes: Int) in
            var bytes = 0
            var byRule: [String: Int] = [:]
            var firstOffsets: [Int32: Int64] = [:]
            var byRecipient: [String: Int] = [:]
            do {
                for try await batch in reader.batches {
                    for message in batch {
                        if firstOffsets[message.partition] == nil { firstOffsets[message.partition] = message.offset.rawValue }
                        byRecipient[String(decoding: message.key ?? [], as: UTF8.self), default: 0] += 1
                        bytes += message.payload.count + (message.keyBytes?.count ?? 0) + message.headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
                        let rule = (try? BusNotification.decode(message.value))?.reason.rule ?? "(unreadable)"
                        byRule[rule, default: 0] += 1
                    }
                }
            } catch let error as KafkaError where error.code == .closed {
                // Closed once caught up: everything was counted.
            }
            return (byRule, firstOffsets, byRecipient, bytes)
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await reader.waitUntilCaughtUp() }
                group.addTask {
                    try await Task.sleep(for: .seconds(120))
                    throw BenchmarkFailure(description: "reading bus.notifications back took more than two minutes")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            reading.cancel()
            await reader.close()
            throw error
        }
        if let abandoned = await reader.close() { throw abandoned }
        let (byRule, firstOffsets, byRecipient, bytes) = try await reading.value
        let kept = byRule.values.reduce(0, +)
        let dropped = firstOffsets.filter { $0.value > 0 }
        guard dropped.isEmpty else {
            let largest = byRecipient.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            throw BenchmarkFailure(description: """
                the embedded broker dropped the oldest notifications of \(dropped.count) partition(s) of bus.notifications \
                (\(dropped.values.reduce(0, +)) in all; it keeps about 5 MiB a partition): the run needs more partitions or \
                recipients spread wider (\(bytes / max(1, kept)) bytes a notification; the recipients with the most kept: \(largest))
                """)
        }
        return byRule
    }
}
