import Contracts
import Kafka
import Logging

/// Sends the ledger's queue to `bus.audit`, oldest first, keyed by the ledger's name (one
/// partition per ledger, in chain order), and forgets each page once the broker acknowledged
/// all of it. What is not acknowledged stays queued for the next call: at least once, and a
/// reader drops a duplicate by its `event-id`.
///
/// Call ``publishPending()`` after appends (the gateway after each response, or on a timer)
/// and at start, for what a previous run left.
public struct AuditPublisher: Sendable {
    public let ledger: AuditLedger
    public let producer: KafkaProducer
    public var topic: String = AuditEntry.topic
    /// Entries per batch sent.
    public var pageSize: Int = 500

    public init(ledger: AuditLedger, producer: KafkaProducer) {
        self.ledger = ledger
        self.producer = producer
    }

    /// Publishes everything queued; returns how many entries were acknowledged.
    ///
    /// - Throws: ``AuditPublicationError`` when the broker did not acknowledge a page (its
    ///   entries stay queued); ``StorageError`` from the database.
    @discardableResult
    public func publishPending() async throws -> Int {
        var published = 0
        while true {
            let page = try await ledger.pendingPublication(limit: pageSize)
            guard let last = page.last else { return published }
            let messages = page.map { entry in
                KafkaProducerMessage(topic: topic, key: Array(ledger.name.utf8), value: entry.body, headers: Self.headers(id: entry.id))
            }
            let report = try await producer.sendBatch(messages)
            guard report.allDelivered else {
                throw AuditPublicationError(undelivered: report.failures.count, reason: report.failures.first.map { "\($0.error)" } ?? "not delivered")
            }
            try await ledger.markPublished(through: last.sequence)
            published += page.count
        }
    }

    /// The headers of a `bus.audit` message.
    public static func headers(id: String) -> [KafkaHeader] {
        [
            KafkaHeader(key: EventHeaders.eventType, value: AuditEntry.eventType),
            KafkaHeader(key: EventHeaders.schemaVersion, value: String(AuditEntry.schemaVersion)),
            KafkaHeader(key: EventHeaders.eventId, value: id),
            KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
        ]
    }
}

/// The broker did not acknowledge every audit entry sent; they stay queued.
public struct AuditPublicationError: Error, Sendable, CustomStringConvertible {
    public var undelivered: Int
    public var reason: String
    public var description: String { "\(undelivered) audit entries were not acknowledged on bus.audit: \(reason)" }
}
