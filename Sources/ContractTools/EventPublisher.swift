import Contracts
import Foundation
import Kafka
import Logging

/// Publishes a file of events to one topic.
///
/// What is guaranteed:
/// - **Validation is all or nothing.** The whole file is read strictly (UTF-8, CSV quoting,
///   JSON array syntax) and every record validated against its contract, and no two records
///   may share an event id; nothing is sent unless every record passes. A partner fixing a
///   spreadsheet then re-sends the whole file without duplicating the part that went through.
/// - **The broker is checked first**: it must answer within the administrator's timeout and
///   have the topic, so an unreachable broker fails in seconds, not after the delivery timeout.
/// - **Delivery is one Kafka transaction** when the destination's producer is transactional
///   (``PublishingProducer/isTransactional``): every event is sent, in file order and in
///   chunks, then the transaction is committed; on any failure it is aborted and
///   ``PublishError/aborted(_:)`` says nothing was published. Readers that read only committed
///   data (librdkafka's default, and every ReentryBus service) see all the events or none. The
///   embedded broker is the exception: it accepts the transaction without enforcing it, so the
///   result says so (``PublishDelivery/transactionNotEnforced``) and an abort's report lists
///   the lines its readers can nevertheless see.
/// - **Without a transaction** (a producer without a transactional id, for a cluster that has
///   none), events are sent in order, in chunks; after a chunk in which any event failed
///   nothing more is sent, and ``PublishError/partiallyPublished(_:)`` lists, by line, exactly
///   which events the broker stored, which failed and which were never sent.
public struct EventPublisher: Sendable {
    /// A record that cannot be published, and why.
    public struct RecordFailure: Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The outcome of validating a file.
    public struct Validation: Sendable {
        public var topic: String
        /// The messages to send, in file order; empty when any record failed.
        public var messages: [KafkaProducerMessage]
        /// The line of each message's record.
        public var lines: [Int]
        public var failures: [RecordFailure]
        public var records: Int
    }

    /// What happened.
    public struct Report: Sendable {
        public var records: Int
        /// Empty when every record was valid.
        public var failures: [RecordFailure]
        /// How many events the broker acknowledged; 0 on a dry run or when any record failed.
        public var published: Int
        /// How they were published; nil when nothing was sent.
        public var delivery: PublishDelivery? = nil
    }

    public let validator: EventValidator
    public let reader: EventFileReader
    let logger: Logger

    public init(catalog: TopicCatalog, limits: JSONDecodingLimits = .events, logger: Logger) {
        // Where events enter the bus: a person's key that says there is no number is refused.
        validator = EventValidator(catalog: catalog, limits: limits, refusesPlaceholderKeys: true)
        reader = EventFileReader(limits: limits)
        self.logger = logger
    }

    /// Validates every record of `data` for `topic`. `progress` is called with (records
    /// checked, total) every 1,000 records.
    ///
    /// - Throws: ``PublishError/unknownTopic(_:)``, ``PublishError/notAnEventTopic(_:)`` for
    ///   the bus's own topics, or ``PublishError/unreadableFile(_:)``
    ///   when the file as a whole cannot be read (not UTF-8, an unclosed quote, …).
    public func validate(
        _ data: [UInt8], format: EventFileFormat, topic: String, progress: (Int, Int) -> Void = { _, _ in }
    ) throws(PublishError) -> Validation {
        guard let contract = validator.catalog.topic(named: topic) else { throw PublishError.unknownTopic(topic) }
        // bus.subscriptions carries enveloped events too, but only the bus's tools write it:
        // `reentrybus subscriptions` checks each against the agency directory first.
        guard contract.valueFormat == .event, !BusTopic.all.contains(topic) else { throw PublishError.notAnEventTopic(topic) }
        let records: [EventFileRecord]
        do { records = try reader.records(in: data, format: format) } catch { throw PublishError.unreadableFile(error) }
        var messages: [KafkaProducerMessage] = []
        var lines: [Int] = []
        var failures: [RecordFailure] = []
        var lineOfEventId: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            if (index + 1) % 1_000 == 0 { progress(index + 1, records.count) }
            switch record.content {
            case .failure(let error):
                failures.append(RecordFailure(line: error.line, reason: error.description))
            case .success(let document):
                do {
                    let event = try validator.validate(document, topic: topic)
                    // Receivers drop a repeated id as a duplicate: the second record would be lost.
                    let id = event.eventId.lowercased()
                    if let first = lineOfEventId[id] {
                        failures.append(RecordFailure(line: record.line, reason: "$.eventId: the same event id as the record on line \(first); every event needs its own"))
                        continue
                    }
                    lineOfEventId[id] = record.line
                    messages.append(KafkaProducerMessage(
                        topic: topic, key: Array(event.key.utf8), value: record.bytes,
                        headers: event.headers.map { KafkaHeader(key: $0.key, value: $0.value) }))
                    lines.append(record.line)
                } catch {
                    failures.append(RecordFailure(line: record.line, reason: error.description))
                }
            }
        }
        progress(records.count, records.count)
        return failures.isEmpty
            ? Validation(topic: topic, messages: messages, lines: lines, failures: [], records: records.count)
            : Validation(topic: topic, messages: [], lines: [], failures: failures, records: records.count)
    }

    /// Validates, then (unless `destination` is `nil`: a dry run, or any record failed)
    /// checks the broker and sends every event in file order, waiting for every acknowledgement.
    ///
    /// - Throws: ``PublishError``: the topic is unknown, the file unreadable, the broker
    ///   unreachable or without the topic (nothing sent), or delivery failed: see
    ///   ``send(_:to:)``.
    public func publish(
        _ data: [UInt8], format: EventFileFormat, topic: String, to destination: PublishDestination?,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(PublishError) -> Report {
        let validation = try validate(data, format: format, topic: topic, progress: progress)
        guard validation.failures.isEmpty, let destination else {
            logger.info("publish: nothing sent", metadata: ["topic": "\(topic)", "records": "\(validation.records)", "invalid": "\(validation.failures.count)"])
            return Report(records: validation.records, failures: validation.failures, published: 0)
        }
        let publication = try await send(validation, to: destination)
        return Report(records: validation.records, failures: [], published: publication.published, delivery: publication.delivery)
    }

    /// Sends a file that passed ``validate(_:format:topic:progress:)`` (it sends nothing if
    /// any record failed): checks that the broker answers and has the topic, then publishes
    /// every event in file order, in one transaction if the producer is transactional, and
    /// waits for every acknowledgement.
    ///
    /// - Throws: ``PublishError/brokerUnreachable(_:)``, ``PublishError/topicMissing(_:)`` or
    ///   ``PublishError/transactionUnavailable(_:)`` (nothing sent);
    ///   ``PublishError/aborted(_:)`` (sent, then aborted: nothing published);
    ///   ``PublishError/commitOutcomeUnknown(_:)`` (all or none, not known which);
    ///   without a transaction, ``PublishError/partiallyPublished(_:)`` listing what was stored.
    public func send(_ validation: Validation, to destination: PublishDestination) async throws(PublishError) -> Publication {
        let producer = destination.producer
        guard validation.failures.isEmpty, !validation.messages.isEmpty else {
            return Publication(published: 0, delivery: producer.isTransactional ? .transaction : .withoutTransaction)
        }
        let topics: [String]
        do {
            // Metadata only: a publisher may lack the rights to describe topic configs.
            topics = try await destination.administrator.listTopics()
        } catch {
            throw PublishError.brokerUnreachable(error.description)
        }
        guard topics.contains(validation.topic) else { throw PublishError.topicMissing(validation.topic) }
        let publication: Publication
        if producer.isTransactional {
            publication = try await sendInTransaction(validation, with: destination)
        } else {
            let outcome = await sendInChunks(validation, with: destination)
            if let cause = outcome.cause {
                throw PublishError.partiallyPublished(PartialPublication(
                    total: validation.messages.count, stored: outcome.stored, failed: outcome.failed,
                    notSent: outcome.notSent, cause: cause))
            }
            publication = Publication(published: outcome.stored.count, delivery: .withoutTransaction)
        }
        logger.info("publish: sent", metadata: [
            "topic": "\(validation.topic)", "events": "\(publication.published)", "delivery": "\(publication.delivery.name)",
        ])
        return publication
    }

    /// Initializes transactions (bounded by the connect timeout), begins one, sends every
    /// event, and commits; on any failure aborts.
    private func sendInTransaction(_ validation: Validation, with destination: PublishDestination) async throws(PublishError) -> Publication {
        let producer = destination.producer
        let total = validation.messages.count
        // The embedded broker accepts transactions without enforcing them: say so, not promise.
        let embedded: Bool
        do {
            embedded = try await producer.clusterIdentity(timeout: destination.connectTimeout).isEmbedded
        } catch {
            embedded = false
            logger.warning("publish: the cluster id could not be read; assuming it enforces transactions", metadata: ["error": "\(error)"])
        }
        do {
            try await producer.initializeTransactions(timeout: destination.connectTimeout)
            try await producer.beginTransaction()
        } catch {
            throw PublishError.transactionUnavailable(error.description)
        }
        let outcome = await sendInChunks(validation, with: destination)
        if let cause = outcome.cause {
            let aborted = await abort(after: outcome, total: total, cause: cause, embedded: embedded, producer: producer)
            throw aborted
        }
        var retries = 0
        while true {
            do {
                try await producer.commitTransaction(timeout: nil)
                return Publication(published: total, delivery: embedded ? .transactionNotEnforced : .transaction)
            } catch where error.requiresAbort {
                let aborted = await abort(after: outcome, total: total, cause: error.description, embedded: embedded, producer: producer)
                throw aborted
            } catch where error.isRetriable && retries < 2 {
                // A timed-out commit goes on in the background; committing again resumes it.
                retries += 1
            } catch {
                throw PublishError.commitOutcomeUnknown(CommitOutcomeUnknown(total: total, cause: error.description))
            }
        }
    }

    /// Aborts the open transaction after `outcome` failed, and describes what that means.
    private func abort(
        after outcome: ChunkedSend, total: Int, cause: String, embedded: Bool, producer: any PublishingProducer
    ) async -> PublishError {
        var abortFailure: String?
        do {
            try await producer.abortTransaction(timeout: nil)
        } catch {
            abortFailure = error.description
        }
        logger.warning("publish: transaction aborted", metadata: [
            "events": "\(total)", "failed": "\(outcome.failed.count)", "abortFailed": "\(abortFailure != nil)",
        ])
        return .aborted(AbortedPublication(
            total: total, failed: outcome.failed, storedThenAborted: outcome.stored, cause: cause,
            abortFailure: abortFailure, isEmbeddedBroker: embedded))
    }

    /// What became of each line when sending chunk after chunk; `cause` is set when one failed.
    struct ChunkedSend {
        var stored: [Int] = []
        var failed: [RecordFailure] = []
        var notSent: [Int] = []
        var cause: String?
    }

    /// Sends chunk after chunk, stopping after the first chunk with a failure.
    private func sendInChunks(_ validation: Validation, with destination: PublishDestination) async -> ChunkedSend {
        let messages = validation.messages, lines = validation.lines
        let chunkSize = max(1, destination.chunkSize)
        var outcome = ChunkedSend()
        var start = 0
        while start < messages.count {
            let end = min(start + chunkSize, messages.count)
            let report = await destination.producer.sendChunk(messages[start..<end])
            guard report.allDelivered else {
                // Messages are queued in order: those past the first `queued` never were.
                let queuedEnd = start + report.queued
                var lineOfId: [String: Int] = [:]
                for index in start..<queuedEnd { lineOfId[Self.eventId(messages[index])] = lines[index] }
                for failure in report.failures {
                    if let line = lineOfId.removeValue(forKey: Self.eventId(failure.message)) {
                        outcome.failed.append(RecordFailure(line: line, reason: failure.error.description))
                    }
                }
                outcome.failed.sort { $0.line < $1.line }
                outcome.stored = (outcome.stored + lineOfId.values).sorted()
                outcome.notSent = Array(lines[queuedEnd...])
                outcome.cause = outcome.failed.first?.reason ?? report.queueingError?.description ?? "delivery failed"
                return outcome
            }
            outcome.stored += lines[start..<end]
            start = end
        }
        return outcome
    }

    private static func eventId(_ message: KafkaProducerMessage) -> String {
        message.headers.first { $0.key == EventHeaders.eventId }?.stringValue ?? ""
    }
}

/// How a publish was delivered.
public enum PublishDelivery: Sendable, Equatable {
    /// In one Kafka transaction: readers of committed data see every event or none.
    case transaction
    /// In one transaction on the embedded broker, a test broker that accepts transactions but
    /// does not enforce them (an aborted transaction's events stay visible).
    case transactionNotEnforced
    /// Without a transaction: in order, in chunks, stopping at the first failure.
    case withoutTransaction

    /// For logs: `transaction`, `transaction-not-enforced`, `without-transaction`.
    public var name: String {
        switch self {
        case .transaction: "transaction"
        case .transactionNotEnforced: "transaction-not-enforced"
        case .withoutTransaction: "without-transaction"
        }
    }
}

/// A publish that went through: how many events, and how.
public struct Publication: Sendable, Equatable {
    public var published: Int
    public var delivery: PublishDelivery
}

/// Where ``EventPublisher`` sends events.
public struct PublishDestination: Sendable {
    /// A transactional producer publishes in one transaction; any other without one.
    public var producer: any PublishingProducer
    /// Asked first whether the topic exists; its timeout bounds how long an unreachable broker
    /// takes to fail (`reentrybus publish --connect-timeout`, 30 s by default).
    public var administrator: any KafkaTopicAdministrator
    /// Messages handed to the producer before waiting for all their acknowledgements; after a
    /// chunk with a failure nothing more is sent. Default: 1,000.
    public var chunkSize: Int
    /// How long reading the cluster id and initializing transactions may take. Default: 30 s.
    public var connectTimeout: Duration

    public init(
        producer: any PublishingProducer, administrator: any KafkaTopicAdministrator, chunkSize: Int = 1_000,
        connectTimeout: Duration = .seconds(30)
    ) {
        self.producer = producer
        self.administrator = administrator
        self.chunkSize = chunkSize
        self.connectTimeout = connectTimeout
    }
}

/// A transactional publish that failed and was aborted: nothing was committed.
public struct AbortedPublication: Sendable, CustomStringConvertible {
    public var total: Int
    /// Events the broker reported as not stored, with the reason.
    public var failed: [EventPublisher.RecordFailure]
    /// Lines of the events the broker stored before the failure, which the abort then
    /// discarded: readers of committed data never see them, except on the embedded broker.
    public var storedThenAborted: [Int]
    public var cause: String
    /// Why the abort itself failed, if it did: the broker then aborts the transaction after its
    /// timeout, and readers of committed data on those partitions wait until then.
    public var abortFailure: String?
    /// The embedded broker, which does not enforce transactions: its readers do see
    /// `storedThenAborted`.
    public var isEmbeddedBroker: Bool

    public var description: String {
        var text = "nothing was published: the transaction was aborted"
        if !failed.isEmpty { text += "; \(failed.count) of \(total) events failed (\(PartialPublication.ranges(failed.map(\.line))))" }
        text += "; first error: \(cause)"
        if let abortFailure {
            text += "; the abort itself failed (\(abortFailure)), so the broker aborts the transaction when it times out"
        }
        if isEmbeddedBroker && !storedThenAborted.isEmpty {
            text += "; but this is the embedded test broker, which does not enforce transactions: its readers do see the "
                + "\(storedThenAborted.count) events it stored before the failure (\(PartialPublication.ranges(storedThenAborted)))"
        }
        return text
    }
}

/// A transactional publish whose commit did not report an outcome: the broker either commits
/// every event or aborts them all, never some.
public struct CommitOutcomeUnknown: Sendable, CustomStringConvertible {
    public var total: Int
    public var cause: String

    public var description: String {
        "the commit did not complete (\(cause)): either all \(total) events are published or none is, never part of "
            + "the file (the broker aborts a transaction that is not committed within its timeout); read the topic "
            + "before publishing this file again"
    }
}

/// A publish without a transaction that failed after the broker stored some events: what
/// happened to each line.
public struct PartialPublication: Sendable, CustomStringConvertible {
    public var total: Int
    /// Lines of the events the broker acknowledged.
    public var stored: [Int]
    /// Events the broker reported as not stored, with the reason.
    public var failed: [EventPublisher.RecordFailure]
    /// Events never sent, because an earlier one failed (or could not be queued).
    public var notSent: [Int]
    public var cause: String

    public var description: String {
        var parts = ["\(stored.count) of \(total) events were stored" + (stored.isEmpty ? "" : " (\(Self.ranges(stored)))")]
        if !failed.isEmpty {
            parts.append("\(failed.count) failed (\(Self.ranges(failed.map(\.line))))")
        }
        if !notSent.isEmpty { parts.append("\(notSent.count) were not sent (\(Self.ranges(notSent)))") }
        return "publishing failed part-way, and it is not transactional: " + parts.joined(separator: "; ") + "; first error: \(cause)"
    }

    /// `lines 2-40, 42, 45-50`.
    static func ranges(_ lines: [Int]) -> String {
        var text: [String] = []
        var index = 0
        let sorted = lines.sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            text.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return (sorted.count == 1 ? "line " : "lines ") + text.joined(separator: ", ")
    }
}

public enum PublishError: Error, Sendable, CustomStringConvertible {
    case unknownTopic(String)
    /// A topic of the bus's own messages (`bus.*`), which only its services write.
    case notAnEventTopic(String)
    case unreadableFile(RecordReadError)
    /// No broker answered within the connect timeout; nothing was sent.
    case brokerUnreachable(String)
    /// The cluster has no such topic; nothing was sent.
    case topicMissing(String)
    /// The cluster would not start a transaction (none within the connect timeout, or it has
    /// no transactions); nothing was sent.
    case transactionUnavailable(String)
    /// A transactional publish failed and was aborted: nothing was published.
    case aborted(AbortedPublication)
    /// A transactional publish's commit gave no outcome: all events or none are published.
    case commitOutcomeUnknown(CommitOutcomeUnknown)
    /// Without a transaction: delivery failed after some events were stored.
    case partiallyPublished(PartialPublication)

    public var description: String {
        switch self {
        case .unknownTopic(let topic): "no contract defines topic \(topic)"
        case .notAnEventTopic(let topic) where topic == BusTopic.subscriptions:
            "topic \(topic) is written by `reentrybus subscriptions add|renew|cancel`, which check each subscription against the agency directory; files of agency events go to the agencies' topics"
        case .notAnEventTopic(let topic): "topic \(topic) carries the bus's own messages, written by its services; files of agency events go to the agencies' topics"
        case .unreadableFile(let error): "the file cannot be read: \(error); nothing was published"
        case .brokerUnreachable(let reason): "the broker cannot be reached: \(reason); nothing was published"
        case .topicMissing(let topic): "the cluster has no topic \(topic); create it with `reentrybus topics apply`; nothing was published"
        case .transactionUnavailable(let reason): "the cluster did not start a transaction: \(reason); nothing was published (a cluster without transactions needs --no-transaction, which gives up all or nothing)"
        case .aborted(let aborted): aborted.description
        case .commitOutcomeUnknown(let unknown): unknown.description
        case .partiallyPublished(let partial): partial.description
        }
    }
}
