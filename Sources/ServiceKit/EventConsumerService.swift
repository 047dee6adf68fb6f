import Contracts
import Foundation
import GRDB
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs an `EventProjection` as a Kafka consumer group member with exactly-once effect.
///
/// - Each batch is applied in **one SQLite transaction** that also raises the stored offsets
///   and records the applied event ids. A message at or below a stored offset is skipped; an
///   event id already applied is skipped (the embedded broker, like a non-transactional
///   producer, can write a message twice).
/// - On assignment the consumer starts each partition at the offset stored in the database
///   (the beginning when there is none: a deleted data directory replays everything).
/// - Messages the projection emits go to the outbox table in the same transaction and are
///   produced after the commit; the outbox row is removed only once the broker acknowledged it
///   (in a later batch's transaction, saving one per batch), so a crash re-sends, never loses
///   (receivers de-duplicate by the `event-id` header). A batch's delivery runs while the next
///   batch is applied (one delivery in flight at most): the acknowledgement wait (a few ms on
///   the embedded broker) no longer holds up the next transaction. Progress still reports a
///   batch only once its outbox is acknowledged, in order.
/// - Poison messages (failing admission, or rejected by the projection) go to the dead-letter
///   topic with the reason in a header and the original bytes; the pipeline goes on.
/// - Graceful shutdown finishes the batch in hand, commits, flushes the outbox, leaves the
///   group and shuts the producer down.
///
/// Logs never carry event contents (personal data): only topics, partitions, offsets, counts.
public final class EventConsumerService: Service, Sendable {
    public struct Configuration: Sendable {
        /// Group, topics (the projection's are used when empty), client settings.
        public var consumer: KafkaConsumerConfiguration
        /// For the outbox (notifications, dead letters).
        public var producer: KafkaProducerConfiguration
        /// Where poison messages go. Default: `bus.dead-letters`.
        public var deadLetterTopic: String

        public init(consumer: KafkaConsumerConfiguration, producer: KafkaProducerConfiguration, deadLetterTopic: String = BusTopic.deadLetters) {
            self.consumer = consumer
            self.producer = producer
            self.deadLetterTopic = deadLetterTopic
        }
    }

    /// Header of a dead letter: why it was rejected.
    public static let deadLetterReasonHeader = "dead-letter-reason"
    /// Header of a dead letter: `topic[partition]@offset` it came from.
    public static let deadLetterSourceHeader = "dead-letter-source"

    public let projection: any EventProjection
    public let database: ServiceDatabase
    public let progress = ServiceProgress()
    let admission: MessageAdmission
    let configuration: Configuration
    let logger: Logger
    let deadLetters: Counter
    /// Outbox entries up to this sequence number were acknowledged by the broker and are
    /// removed by the next write. Set by the delivery task, read by the service's loop.
    private let acknowledgedOutbox = Mutex<Int64?>(nil)
    /// Outbox entries up to this sequence number were handed to the producer (acknowledged or
    /// in flight): a batch publishes only the entries after it. Touched only by the loop.
    private let publishedOutbox = Mutex<Int64>(0)

    public init(
        projection: any EventProjection, database: ServiceDatabase, admission: MessageAdmission,
        configuration: Configuration, logger: Logger
    ) {
        self.projection = projection
        self.database = database
        self.admission = admission
        var configuration = configuration
        if configuration.consumer.topics.isEmpty { configuration.consumer.topics = projection.topics }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "service"] = "\(projection.name)"
        self.logger = logger
        self.deadLetters = Counter(label: "reentrybus_dead_letters_total", dimensions: [("service", projection.name)])
    }

    /// Consumes until graceful shutdown or cancellation.
    public func run() async throws {
        let stored = try database.storedOffsets()
        progress.update { $0.nextOffsets = stored }
        let producer = try KafkaProducer(configuration: configuration.producer, logger: logger)
        do {
            try await publishOutbox(producer)  // what a previous run committed but did not deliver
            let database = self.database
            let logger = self.logger
            let progress = self.progress
            let handler = KafkaRebalanceHandler(
                partitionsAssigned: { partitions in
                    // On the consumer's thread: blocking on SQLite is allowed here.
                    let stored = (try? database.storedOffsets()) ?? [:]
                    var start: [TopicPartition: KafkaOffset] = [:]
                    for partition in partitions { start[partition] = stored[partition] ?? .beginning }
                    logger.debug("Resuming from stored offsets", metadata: ["partitions": "\(start.count)"])
                    progress.update { $0.assigned.formUnion(partitions) }
                    return start
                },
                partitionsRevoked: { partitions in progress.update { $0.assigned.subtract(partitions) } })
            let consumer = try KafkaConsumer(configuration: configuration.consumer, rebalanceHandler: handler, logger: logger)
            // The child task is the only caller of `close()` (calling it twice touches a
            // destroyed queue in Kafka 2.0.2's client wrapper): on graceful shutdown, or when
            // the loop ends for any other reason and cancels it.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await gracefulShutdown()
                    await consumer.close()
                }
                var delivery: OutboxDelivery?
                do {
                    for try await batch in consumer.batches {
                        delivery = try await self.process(Array(batch), producer: producer, previous: delivery)
                        try? consumer.storeOffsets(for: batch)  // Kafka's view, for lag monitoring only
                    }
                    try await delivery?.finish()
                } catch {
                    logger.error("Service stopped by an error", metadata: ["error": "\(String(describing: type(of: error)))"])
                    logger.debug("Service error detail", metadata: ["error": "\(error)"])
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
            try await removeAcknowledgedOutbox()
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
        logger.info("Service stopped", metadata: ["applied": "\(progress.snapshot.applied)", "dead-lettered": "\(progress.snapshot.deadLettered)"])
    }

    private struct BatchOutcome: Sendable {
        var applied = 0, deadLettered = 0, duplicates = 0, skipped = 0
        var offsets: [TopicPartition: KafkaOffset] = [:]
        var outbox: [ServiceDatabase.OutboxEntry] = []
        var afterCommit: [@Sendable () -> Void] = []
        var deadLetterSources: [String] = []
    }

    /// Applies one batch in one transaction, then starts producing its outbox once `previous`
    /// (the last batch's delivery) is acknowledged; returns the new delivery, to be finished
    /// by the next call or at the end.
    func process(_ batch: [KafkaConsumerMessage], producer: KafkaProducer, previous: OutboxDelivery?) async throws -> OutboxDelivery {
        let t0 = ContinuousClock.now
        let ordered = ArrivalOrder.merged(batch)
        let projection = self.projection
        let admission = self.admission
        let deadLetterTopic = configuration.deadLetterTopic
        let acknowledged = acknowledgedOutbox.withLock { $0 }
        let published = publishedOutbox.withLock { $0 }
        let outcome = try await database.write { db -> BatchOutcome in
            var outcome = BatchOutcome()
            if let acknowledged { try ServiceDatabase.removeFromOutbox(through: acknowledged, db) }
            var offsets = try ServiceDatabase.storedOffsets(db)
            let transaction = ProjectionTransaction(db: db)
            for message in ordered {
                if let next = offsets[message.topicPartition], message.offset < next {
                    outcome.skipped += 1
                    continue
                }
                offsets[message.topicPartition] = KafkaOffset(message.offset.rawValue + 1)
                outcome.offsets[message.topicPartition] = offsets[message.topicPartition]
                // Events of other types are other services' business; a message without the
                // header is checked (and dead-lettered) like any other.
                if let eventType = message.header(EventHeaders.eventType)?.stringValue, !projection.handles(eventType: eventType) {
                    continue
                }
                do {
                    let event = try Self.admit(message, admission)
                    guard try ServiceDatabase.markApplied(event.eventId, db) else {
                        outcome.duplicates += 1
                        continue
                    }
                    try db.inSavepoint {
                        try projection.apply(event, in: transaction)
                        return .commit
                    }
                    outcome.applied += 1
                } catch let poison as PoisonMessage {
                    var headers = message.headers.filter { $0.key != Self.deadLetterReasonHeader && $0.key != Self.deadLetterSourceHeader }
                    let source = "\(message.topicPartition)@\(message.offset)"
                    headers.append(KafkaHeader(key: Self.deadLetterReasonHeader, value: poison.reason))
                    headers.append(KafkaHeader(key: Self.deadLetterSourceHeader, value: source))
                    try transaction.emit(OutgoingMessage(
                        topic: deadLetterTopic, key: message.key.map { String(decoding: $0, as: UTF8.self) } ?? "",
                        value: message.value, headers: headers))
                    outcome.deadLettered += 1
                    outcome.deadLetterSources.append(source)
                }
            }
            try ServiceDatabase.advance(outcome.offsets, db)
            try ServiceDatabase.increment("dead_lettered", by: outcome.deadLettered, db)
            try ServiceDatabase.increment("duplicates", by: outcome.duplicates, db)
            if transaction.emitted > 0 { outcome.outbox = try ServiceDatabase.outbox(after: published, db) }
            outcome.afterCommit = transaction.afterCommit
            return outcome
        }
        for source in outcome.deadLetterSources {
            logger.warning("Poison message sent to the dead-letter topic", metadata: ["source": "\(source)", "topic": "\(deadLetterTopic)"])
        }
        if let acknowledged { acknowledgedOutbox.withLock { if $0 == acknowledged { $0 = nil } } }
        if outcome.deadLettered > 0 { deadLetters.increment(by: outcome.deadLettered) }
        let committed = ContinuousClock.now
        for action in outcome.afterCommit { action() }
        // The last batch's delivery overlapped this transaction; it must be acknowledged (and
        // reported) before this batch's starts, so deliveries and progress stay in order.
        try await previous?.finish()
        let messages = batch.count
        let report: @Sendable () -> Void = { [progress, logger] in
            logger.trace("Batch handled", metadata: [
                "messages": "\(messages)", "transaction": "\(committed - t0)", "outbox": "\(outcome.outbox.count)",
                "outbox.delivery": "\(ContinuousClock.now - committed)",
            ])
            // Reported once the outbox is delivered too: "consumed" then means "fully handled".
            progress.update { progress in
                progress.nextOffsets.merge(outcome.offsets) { max($0, $1) }
                progress.applied += outcome.applied
                progress.deadLettered += outcome.deadLettered
                progress.duplicates += outcome.duplicates
                progress.skipped += outcome.skipped
                progress.batches += 1
            }
        }
        guard let last = outcome.outbox.last else {
            report()
            return OutboxDelivery(nil)
        }
        publishedOutbox.withLock { $0 = last.seq }
        return OutboxDelivery(Task {
            try await self.publish(outcome.outbox, producer)
            report()
        })
    }

    /// Checks a message; throws `PoisonMessage` naming what is wrong (never the data).
    static func admit(_ message: KafkaConsumerMessage, _ admission: MessageAdmission) throws(PoisonMessage) -> AdmittedEvent {
        var headers: [String: String] = [:]
        for header in message.headers where headers[header.key] == nil { headers[header.key] = header.stringValue }
        guard let keyBytes = message.key, let key = String(validating: keyBytes, as: UTF8.self) else {
            throw PoisonMessage(reason: "the message has no UTF-8 key")
        }
        switch admission {
        case .contracts(let validator):
            do {
                let event = try validator.validateMessage(topic: message.topic, key: message.key, value: message.value, headers: headers)
                return AdmittedEvent(
                    topicPartition: message.topicPartition, offset: message.offset, key: event.key, eventType: event.eventType,
                    schemaVersion: event.schemaVersion, eventId: event.eventId.lowercased(), value: message.value,
                    timestampMilliseconds: message.timestampMilliseconds, document: event.document)
            } catch {
                throw PoisonMessage(reason: "invalid event: \(error.description)")
            }
        case .headers:
            guard let eventType = headers[EventHeaders.eventType], let version = headers[EventHeaders.schemaVersion].flatMap({ Int($0) }),
                  let eventId = headers[EventHeaders.eventId], !eventId.isEmpty
            else { throw PoisonMessage(reason: "headers event-type, schema-version and event-id are required") }
            return AdmittedEvent(
                topicPartition: message.topicPartition, offset: message.offset, key: key, eventType: eventType,
                schemaVersion: version, eventId: eventId.lowercased(), value: message.value,
                timestampMilliseconds: message.timestampMilliseconds)
        }
    }

    private func publishOutbox(_ producer: KafkaProducer) async throws {
        let pending = try database.pendingOutbox()
        if !pending.isEmpty {
            logger.info("Re-sending the outbox of a previous run", metadata: ["messages": "\(pending.count)"])
            if let last = pending.last { publishedOutbox.withLock { $0 = last.seq } }
            try await publish(pending, producer)
            try await removeAcknowledgedOutbox()
        }
    }

    private func removeAcknowledgedOutbox() async throws {
        guard let acknowledged = acknowledgedOutbox.withLock({ $0 }) else { return }
        try await database.removeFromOutbox(through: acknowledged)
        acknowledgedOutbox.withLock { $0 = nil }
    }

    /// Produces outbox entries; once all are acknowledged, the next write removes them.
    private func publish(_ entries: [ServiceDatabase.OutboxEntry], _ producer: KafkaProducer) async throws {
        let report = try await producer.sendBatch(entries.map {
            KafkaProducerMessage(topic: $0.message.topic, key: Array($0.message.key.utf8), value: $0.message.value, headers: $0.message.headers)
        })
        guard report.allDelivered, let last = entries.last else {
            throw OutboxError(undelivered: report.failures.count, reason: report.failures.first.map { "\($0.error)" } ?? "")
        }
        acknowledgedOutbox.withLock { $0 = last.seq }
        progress.update { progress in
            for entry in entries { progress.published[entry.message.topic, default: 0] += 1 }
        }
    }
}

/// The broker did not acknowledge every outbox message; they stay in the outbox and are sent
/// again when the service restarts.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    public var undelivered: Int
    public var reason: String
    public var description: String { "\(undelivered) outbox message(s) were not acknowledged: \(reason)" }
}

/// A batch's outbox being produced (and its progress reported) in the background; nil when
/// the batch emitted nothing.
struct OutboxDelivery: Sendable {
    private let task: Task<Void, any Error>?

    init(_ task: Task<Void, any Error>?) { self.task = task }

    /// Waits until the broker acknowledged every message; rethrows a failed delivery.
    func finish() async throws { try await task?.value }
}
