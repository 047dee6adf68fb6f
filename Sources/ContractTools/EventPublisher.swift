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
/// - **Delivery is not transactional** (the `Kafka` module has no transaction API yet). Events
///   are sent in order, in chunks; after a chunk in which any event failed nothing more is
///   sent, and ``PublishError/partiallyPublished(_:)`` lists, by line, exactly which events the
///   broker stored, which failed, which were never sent, and which (only if the client itself
///   failed mid-chunk) may or may not be stored.
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
    }

    public let validator: EventValidator
    public let reader: EventFileReader
    let logger: Logger

    public init(catalog: TopicCatalog, limits: JSONDecodingLimits = .events, logger: Logger) {
        validator = EventValidator(catalog: catalog, limits: limits)
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
        guard contract.valueFormat == .event else { throw PublishError.notAnEventTopic(topic) }
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
    ///   unreachable or without the topic (nothing sent), or delivery failed part-way (the
    ///   error lists what was stored).
    public func publish(
        _ data: [UInt8], format: EventFileFormat, topic: String, to destination: PublishDestination?,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(PublishError) -> Report {
        let validation = try validate(data, format: format, topic: topic, progress: progress)
        guard validation.failures.isEmpty, let destination else {
            logger.info("publish: nothing sent", metadata: ["topic": "\(topic)", "records": "\(validation.records)", "invalid": "\(validation.failures.count)"])
            return Report(records: validation.records, failures: validation.failures, published: 0)
        }
        let published = try await send(validation, to: destination)
        return Report(records: validation.records, failures: [], published: published)
    }

    /// Sends a file that passed ``validate(_:format:topic:progress:)`` (it sends nothing if
    /// any record failed): checks that the broker answers and has the topic, then sends every
    /// event in file order and waits for every acknowledgement. Returns how many were stored.
    ///
    /// - Throws: ``PublishError/brokerUnreachable(_:)`` or ``PublishError/topicMissing(_:)``
    ///   (nothing sent), or ``PublishError/partiallyPublished(_:)`` listing what was stored.
    public func send(_ validation: Validation, to destination: PublishDestination) async throws(PublishError) -> Int {
        guard validation.failures.isEmpty, !validation.messages.isEmpty else { return 0 }
        let topics: [String]
        do {
            // Metadata only: a publisher may lack the rights to describe topic configs.
            topics = try await destination.administrator.listTopics()
        } catch {
            throw PublishError.brokerUnreachable(error.description)
        }
        guard topics.contains(validation.topic) else { throw PublishError.topicMissing(validation.topic) }
        let published = try await sendInChunks(validation, with: destination)
        logger.info("publish: sent", metadata: ["topic": "\(validation.topic)", "events": "\(published)"])
        return published
    }

    /// Sends chunk after chunk, stopping after the first chunk with a failure.
    private func sendInChunks(_ validation: Validation, with destination: PublishDestination) async throws(PublishError) -> Int {
        let messages = validation.messages, lines = validation.lines
        let chunkSize = max(1, destination.chunkSize)
        var stored: [Int] = []
        var start = 0
        while start < messages.count {
            let end = min(start + chunkSize, messages.count)
            let report: KafkaBatchReport
            do {
                report = try await destination.producer.sendBatch(messages[start..<end])
            } catch {
                // The client failed while queueing: this chunk's reports are not known.
                throw PublishError.partiallyPublished(PartialPublication(
                    total: messages.count, stored: stored, failed: [], unknown: Array(lines[start..<end]),
                    notSent: Array(lines[end...]), cause: error.description))
            }
            guard report.allDelivered else {
                var lineOfId: [String: Int] = [:]
                for index in start..<end { lineOfId[Self.eventId(messages[index])] = lines[index] }
                var failed: [RecordFailure] = []
                for failure in report.failures {
                    if let line = lineOfId.removeValue(forKey: Self.eventId(failure.message)) {
                        failed.append(RecordFailure(line: line, reason: failure.error.description))
                    }
                }
                stored += lineOfId.values
                throw PublishError.partiallyPublished(PartialPublication(
                    total: messages.count, stored: stored.sorted(), failed: failed.sorted { $0.line < $1.line }, unknown: [],
                    notSent: Array(lines[end...]), cause: failed.first?.reason ?? "delivery failed"))
            }
            stored += lines[start..<end]
            start = end
        }
        return stored.count
    }

    private static func eventId(_ message: KafkaProducerMessage) -> String {
        message.headers.first { $0.key == EventHeaders.eventId }?.stringValue ?? ""
    }
}

/// Where ``EventPublisher`` sends events.
public struct PublishDestination: Sendable {
    public var producer: KafkaProducer
    /// Asked first whether the topic exists; its timeout bounds how long an unreachable broker
    /// takes to fail (`reentrybus publish --connect-timeout`, 30 s by default).
    public var administrator: any KafkaTopicAdministrator
    /// Messages handed to the producer before waiting for all their acknowledgements; after a
    /// chunk with a failure nothing more is sent. Default: 1,000.
    public var chunkSize: Int

    public init(producer: KafkaProducer, administrator: any KafkaTopicAdministrator, chunkSize: Int = 1_000) {
        self.producer = producer
        self.administrator = administrator
        self.chunkSize = chunkSize
    }
}

/// A publish that failed after the broker stored some events: what happened to each line.
public struct PartialPublication: Sendable, CustomStringConvertible {
    public var total: Int
    /// Lines of the events the broker acknowledged.
    public var stored: [Int]
    /// Events the broker reported as not stored, with the reason.
    public var failed: [EventPublisher.RecordFailure]
    /// Events handed to the producer whose outcome is unknown (the client failed mid-chunk).
    public var unknown: [Int]
    /// Events never sent, because an earlier one failed.
    public var notSent: [Int]
    public var cause: String

    public var description: String {
        var parts = ["\(stored.count) of \(total) events were stored" + (stored.isEmpty ? "" : " (\(Self.ranges(stored)))")]
        if !failed.isEmpty {
            parts.append("\(failed.count) failed (\(Self.ranges(failed.map(\.line))))")
        }
        if !unknown.isEmpty { parts.append("\(unknown.count) may or may not be stored (\(Self.ranges(unknown)))") }
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
    /// Delivery failed after some events were stored.
    case partiallyPublished(PartialPublication)

    public var description: String {
        switch self {
        case .unknownTopic(let topic): "no contract defines topic \(topic)"
        case .notAnEventTopic(let topic): "topic \(topic) carries the bus's own messages, written by its services; files of agency events go to the agencies' topics"
        case .unreadableFile(let error): "the file cannot be read: \(error); nothing was published"
        case .brokerUnreachable(let reason): "the broker cannot be reached: \(reason); nothing was published"
        case .topicMissing(let topic): "the cluster has no topic \(topic); create it with `reentrybus topics apply`; nothing was published"
        case .partiallyPublished(let partial): partial.description
        }
    }
}
