import Foundation
import Kafka
import Logging

/// Where a service's outbox stands. One value behind one lock: the loop reads both fields
/// before a transaction; a delivery sets `acknowledged` when the broker confirmed it.
struct OutboxCursor: Sendable {
    /// Entries up to this sequence number were handed to the producer (acknowledged or in
    /// flight): a batch delivers only the entries after it.
    var published: Int64 = 0
    /// Entries up to this sequence number were acknowledged (or moved to the failed table) and
    /// are removed by the next write.
    var acknowledged: Int64?
}

/// A committed batch whose outbox is still to be delivered, and whose progress is reported
/// once it is.
struct PendingDelivery: Sendable {
    var outcome: EventConsumerService.BatchOutcome
    /// Its outbox, already handed to the producer (nil when it has none).
    var queued: QueuedOutbox?
    var messages: Int
    var started: ContinuousClock.Instant
    var committed: ContinuousClock.Instant
    /// How old its messages were when the loop took the batch (traced only).
    var ages: MessageAges?
}

/// How long ago, in milliseconds, the oldest and the newest message of a batch were created
/// (their Kafka timestamps, against the wall clock): the fetch hop and the wait for the loop,
/// for the trace that tells where latency goes.
struct MessageAges: Sendable, CustomStringConvertible {
    var oldest: Int64
    var newest: Int64

    init?(_ messages: [KafkaConsumerMessage]) {
        let times = messages.compactMap(\.timestampMilliseconds)
        guard let first = times.min(), let last = times.max() else { return nil }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        oldest = now - first
        newest = now - last
    }

    var description: String { "\(oldest)/\(newest) ms" }
}

/// Outbox entries handed to the producer, whose delivery reports are still to come.
struct QueuedOutbox: Sendable {
    var entries: [ServiceDatabase.OutboxEntry]
    /// Those handed to the producer, in order.
    var sendable: [ServiceDatabase.OutboxEntry] = []
    /// Those too large to send, with the reason.
    var tooLarge: [(entry: ServiceDatabase.OutboxEntry, reason: String)] = []
    var batch: KafkaQueuedBatch?
}

/// The broker did not acknowledge every outbox message for a reason that may pass (a timeout,
/// a missing topic, an authorization the operator can grant); they stay in the outbox and are
/// sent again when the service restarts.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    public var undelivered: Int
    public var reason: String
    public var description: String { "\(undelivered) outbox message(s) were not acknowledged: \(reason)" }
}

extension EventConsumerService {
    /// Waits for a batch's outbox to be delivered, then reports the batch's progress.
    func deliver(_ delivery: PendingDelivery, _ producer: KafkaProducer) async throws {
        if let queued = delivery.queued { try await complete(queued, producer) }
        let outcome = delivery.outcome
        logger.trace("Batch handled", metadata: [
            "messages": "\(delivery.messages)", "transaction": "\(delivery.committed - delivery.started)",
            "outbox": "\(outcome.outbox.count)", "outbox.delivery": "\(ContinuousClock.now - delivery.committed)",
            "age.oldest/newest": "\(delivery.ages.map(\.description) ?? "-")",
        ])
        // Reported once the outbox is delivered too: "consumed" then means "fully handled".
        progress.update { progress in
            progress.nextOffsets.merge(outcome.offsets) { max($0, $1) }
            progress.applied += outcome.applied
            progress.deadLettered += outcome.deadLettered
            progress.duplicates += outcome.duplicates
            progress.reusedIds += outcome.reusedIds
            progress.skipped += outcome.skipped
            progress.skippedByType.merge(outcome.skippedByType, uniquingKeysWith: +)
            progress.forgottenEventIds += outcome.forgotten
            progress.batches += 1
            progress.stages += outcome.stages
        }
    }

    /// Re-sends, page by page, what a previous run committed but did not deliver.
    func resendOutbox(_ producer: KafkaProducer) async throws {
        var after: Int64 = 0
        var resent = 0
        while true {
            let page = try await database.pendingOutbox(after: after, limit: configuration.outboxPageSize)
            guard let last = page.last else { break }
            if resent == 0 { logger.info("Re-sending the outbox of a previous run") }
            outboxCursor.withLock { $0.published = last.seq }
            try await publish(page, producer)
            try await removeAcknowledgedOutbox()
            resent += page.count
            after = last.seq
        }
        if resent > 0 { logger.info("Re-sent the outbox of a previous run", metadata: ["messages": "\(resent)"]) }
    }

    func removeAcknowledgedOutbox() async throws {
        guard let acknowledged = outboxCursor.withLock({ $0.acknowledged }) else { return }
        try await database.removeFromOutbox(through: acknowledged)
        outboxCursor.withLock { if $0.acknowledged == acknowledged { $0.acknowledged = nil } }
    }

    /// Produces outbox entries and waits for the broker: ``queue(_:_:)``, then
    /// ``complete(_:_:)``.
    func publish(_ entries: [ServiceDatabase.OutboxEntry], _ producer: KafkaProducer) async throws {
        guard !entries.isEmpty else { return }
        try await complete(await queue(entries, producer), producer)
    }

    /// Hands outbox entries to the producer, in order, without waiting for the broker: the
    /// batch loop queues each batch's outbox as soon as it is committed, so a notification does
    /// not wait for the previous batch's acknowledgements before it leaves. Entries larger than
    /// the largest message are set aside, to be moved to the failed table by ``complete(_:_:)``.
    func queue(_ entries: [ServiceDatabase.OutboxEntry], _ producer: KafkaProducer) async -> QueuedOutbox {
        let limit = configuration.producer.maxMessageBytes
        var outbox = QueuedOutbox(entries: entries)
        for entry in entries {
            if entry.message.wireSize > limit {
                outbox.tooLarge.append((entry, "larger than the largest message (\(limit) bytes)"))
            } else {
                outbox.sendable.append(entry)
            }
        }
        outbox.batch = await producer.queueBatch(outbox.sendable.map(Self.kafkaMessage))
        return outbox
    }

    /// Waits for the broker's answer to a queued outbox. Entries the broker refuses for good
    /// move to the failed table (with the reason, counted and logged); once every other entry
    /// is acknowledged, the next write removes them all. A failure that may pass stops the
    /// service (the entries stay for the next run); a fatal producer error too.
    func complete(_ outbox: QueuedOutbox, _ producer: KafkaProducer) async throws {
        guard let last = outbox.entries.last, let batch = outbox.batch else { return }
        var failed = outbox.tooLarge
        let sendable = outbox.sendable
        var retryLater: [KafkaError] = []
        let report = await batch.report()
        if let queueingError = report.queueingError {
            // Not all queued (e.g. refused by the client before sending): send one at a time
            // to tell the entries that can never go from the others. Those already delivered
            // go again; receivers de-duplicate by event id.
            if queueingError.isFatal { throw queueingError }
            for entry in sendable {
                do {
                    _ = try await producer.send(Self.kafkaMessage(entry))
                } catch {
                    if error.isFatal { throw error }
                    if Self.isPermanent(error) { failed.append((entry, error.description)) } else { retryLater.append(error) }
                }
            }
        } else if !report.allDelivered {
            // A failure carries its message: find the entry (equal messages are
            // interchangeable, so the first not yet matched is taken).
            var bySeq: [OutgoingMessage: [ServiceDatabase.OutboxEntry]] = [:]
            for entry in sendable { bySeq[entry.message, default: []].append(entry) }
            for failure in report.failures {
                let message = OutgoingMessage(
                    topic: failure.message.topic, key: String(decoding: failure.message.key ?? [], as: UTF8.self),
                    value: failure.message.value, headers: failure.message.headers)
                guard var candidates = bySeq[message], !candidates.isEmpty else {
                    retryLater.append(failure.error)
                    continue
                }
                let entry = candidates.removeFirst()
                bySeq[message] = candidates
                if Self.isPermanent(failure.error) {
                    failed.append((entry, failure.error.description))
                } else {
                    retryLater.append(failure.error)
                }
            }
        }
        if !failed.isEmpty {
            try await database.moveToFailedOutbox(failed)
            metrics.outboxFailures.increment(by: failed.count)
            for (entry, reason) in failed {
                logger.error("Outbox message refused for good; moved to the failed outbox", metadata: [
                    "topic": "\(entry.message.topic)", "seq": "\(entry.seq)", "reason": "\(reason)",
                ])
            }
        }
        guard retryLater.isEmpty else {
            throw OutboxError(undelivered: retryLater.count, reason: retryLater.first.map { $0.description } ?? "")
        }
        outboxCursor.withLock { $0.acknowledged = last.seq }
        metrics.outboxDepth(changedBy: -outbox.entries.count)
        progress.update { progress in
            for entry in outbox.entries { progress.published[entry.message.topic, default: 0] += 1 }
            progress.failedOutbox += failed.count
        }
    }

    /// A refusal that sending again cannot change: the message itself is at fault.
    static func isPermanent(_ error: KafkaError) -> Bool {
        if error.isFatal || error.isRetriable { return false }
        // Kafka's TOPIC_AUTHORIZATION_FAILED (29) and CLUSTER_AUTHORIZATION_FAILED (31) are
        // "rejected by broker" too, but an operator can fix them: keep those messages.
        if let code = error.rdKafkaCode, code == 29 || code == 31 { return false }
        return error.code == .messageTooLarge || error.code == .brokerRejected
    }

    static func kafkaMessage(_ entry: ServiceDatabase.OutboxEntry) -> KafkaProducerMessage {
        KafkaProducerMessage(
            topic: entry.message.topic, key: Array(entry.message.key.utf8), value: entry.message.value, headers: entry.message.headers)
    }
}
