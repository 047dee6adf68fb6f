import Kafka

/// Where accepted events go: the broker. A seam so the HTTP tests can count, delay and fail
/// deliveries without Kafka; `KafkaEventSink` is the real one.
public protocol EventSink: Sendable {
    /// Sends every message in order and returns once each has its outcome: for each message
    /// the broker did not store (by its index in `messages`), why. Empty means every one was
    /// stored.
    func deliver(_ messages: [KafkaProducerMessage]) async -> [Int: String]
}

/// Sends through one idempotent producer (`acks=all`): a message counts as stored only on its
/// delivery report.
public struct KafkaEventSink: EventSink {
    public let producer: KafkaProducer

    public init(producer: KafkaProducer) {
        self.producer = producer
    }

    public func deliver(_ messages: [KafkaProducerMessage]) async -> [Int: String] {
        guard !messages.isEmpty else { return [:] }
        let report = await producer.sendBatchKeepingReport(messages)
        var failures: [Int: String] = [:]
        // Failures carry their message; the event id header tells which one it was.
        let indexById = Dictionary(messages.enumerated().map { (Self.eventId($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
        for failure in report.failures {
            if let index = indexById[Self.eventId(failure.message)] { failures[index] = failure.error.description }
        }
        if report.queued < messages.count {
            let reason = report.queueingError.map { "not sent: \($0.description)" } ?? "not sent"
            for index in report.queued..<messages.count { failures[index] = reason }
        }
        return failures
    }

    static func eventId(_ message: KafkaProducerMessage) -> String {
        message.headers.first { $0.key == "event-id" }?.stringValue ?? ""
    }
}
