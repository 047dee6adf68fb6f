import Contracts
import Foundation
import Kafka
import Logging

/// Publishes a file of events to one topic, all or nothing: every record is validated first,
/// and nothing is sent unless every record is valid. A partner fixing a spreadsheet then
/// re-sends the whole file without duplicating the part that went through.
public struct EventPublisher: Sendable {
    /// A record that cannot be published, and why.
    public struct RecordFailure: Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
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

    /// Validates every record of `data` for `topic`; returns the messages to send, or the
    /// failures. `progress` is called with (records checked, total) every 1,000 records.
    public func validate(
        _ data: [UInt8], format: EventFileFormat, topic: String, progress: (Int, Int) -> Void = { _, _ in }
    ) throws(PublishError) -> (messages: [KafkaProducerMessage], failures: [RecordFailure], records: Int) {
        guard validator.catalog.topic(named: topic) != nil else { throw PublishError.unknownTopic(topic) }
        let records: [EventFileRecord]
        do { records = try reader.records(in: data, format: format) } catch { throw PublishError.unreadableFile(error.description) }
        var messages: [KafkaProducerMessage] = []
        var failures: [RecordFailure] = []
        for (index, record) in records.enumerated() {
            if (index + 1) % 1_000 == 0 { progress(index + 1, records.count) }
            switch record.content {
            case .failure(let error):
                failures.append(RecordFailure(line: record.line, reason: error.description))
            case .success(let document):
                do {
                    let event = try validator.validate(document, topic: topic)
                    messages.append(KafkaProducerMessage(
                        topic: topic, key: Array(event.key.utf8), value: record.bytes,
                        headers: event.headers.map { KafkaHeader(key: $0.key, value: $0.value) }))
                } catch {
                    failures.append(RecordFailure(line: record.line, reason: error.description))
                }
            }
        }
        progress(records.count, records.count)
        return (failures.isEmpty ? messages : [], failures, records.count)
    }

    /// Validates, then (unless `dryRun` or any record failed) sends every event and waits for
    /// every acknowledgement.
    ///
    /// - Throws: ``PublishError`` when the topic is unknown, the file unreadable, or the broker
    ///   did not acknowledge every event (the report then says how many it did).
    public func publish(
        _ data: [UInt8], format: EventFileFormat, topic: String, producer: KafkaProducer?, dryRun: Bool,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(PublishError) -> Report {
        let (messages, failures, count) = try validate(data, format: format, topic: topic, progress: progress)
        guard failures.isEmpty, !dryRun, let producer else {
            logger.info("publish: nothing sent", metadata: ["topic": "\(topic)", "records": "\(count)", "invalid": "\(failures.count)"])
            return Report(records: count, failures: failures, published: 0)
        }
        let report: KafkaBatchReport
        do { report = try await producer.sendBatch(messages) } catch { throw PublishError.notDelivered(delivered: 0, of: messages.count, reason: error.description) }
        guard report.allDelivered else {
            throw PublishError.notDelivered(delivered: report.delivered, of: messages.count, reason: report.failures.first.map { "\($0.error)" } ?? "")
        }
        logger.info("publish: sent", metadata: ["topic": "\(topic)", "events": "\(report.delivered)"])
        return Report(records: count, failures: [], published: report.delivered)
    }
}

public enum PublishError: Error, Sendable, CustomStringConvertible {
    case unknownTopic(String)
    case unreadableFile(String)
    case notDelivered(delivered: Int, of: Int, reason: String)

    public var description: String {
        switch self {
        case .unknownTopic(let topic): "no contract in Topics/ defines topic \(topic)"
        case .unreadableFile(let reason): "the file cannot be read: \(reason)"
        case .notDelivered(let delivered, let total, let reason): "only \(delivered) of \(total) events were acknowledged by the broker: \(reason)"
        }
    }
}
