import Contracts
import Foundation
import GRDB
import Kafka

/// What a consumer service does with the events it reads: its own tables (migrations) and how
/// one event changes them. The runtime (`EventConsumerService`) calls `apply` inside the
/// transaction that also records the consumed offsets, so a batch's effects and its progress
/// are durable together or not at all.
///
/// `apply` must be deterministic in the event and the database: no clock, no randomness, so a
/// replay from the beginning rebuilds the same state and emits the same notifications.
public protocol EventProjection: Sendable {
    /// Names the service in logs, its database file and its consumer group.
    var name: String { get }
    /// Topics it reads.
    var topics: [String] { get }
    /// Registers its tables' migrations (after the runtime's own). Never edit a shipped one.
    func registerMigrations(_ migrator: inout DatabaseMigrator)
    /// Whether events of this type (the `event-type` header) concern it. Others only advance
    /// the offset: they are neither validated nor applied.
    func handles(eventType: String) -> Bool
    /// Applies one admitted event. Throw `PoisonMessage` for an event that cannot be used (its
    /// changes are rolled back and it goes to the dead-letter topic); any other error fails the
    /// batch and stops the service, leaving the offsets where they were.
    func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws
    /// A digest of the service's reference state (not its bookkeeping), to compare a rebuilt
    /// state with the original.
    func stateChecksum(_ db: Database) throws -> String
}

/// An event that passed admission: checked against its contract (or the service's own format),
/// not yet seen (by event id).
public struct AdmittedEvent: Sendable {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset
    public var key: String
    public var eventType: String
    public var schemaVersion: Int
    public var eventId: String
    public var value: [UInt8]
    /// The Kafka timestamp, milliseconds since 1970.
    public var timestampMilliseconds: Int64?
    /// The value as parsed when it was validated, so decoding does not parse it again.
    public var document: JSONValue?

    public init(
        topicPartition: TopicPartition, offset: KafkaOffset, key: String, eventType: String, schemaVersion: Int,
        eventId: String, value: [UInt8], timestampMilliseconds: Int64?, document: JSONValue? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.eventId = eventId
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.document = document
    }

    /// Decodes the event as `Payload`; a failure is a poison message.
    public func decode<Payload: EventPayload>(_ type: Payload.Type) throws(PoisonMessage) -> EventEnvelope<Payload> {
        do {
            if let document { return try EventCodec.decode(type, from: document) }
            return try EventCodec.decode(type, from: value)
        } catch {
            throw PoisonMessage(reason: error.description)
        }
    }
}

/// An event a service cannot use. `reason` names fields and rules, never values (it is logged
/// and sent with the dead letter).
public struct PoisonMessage: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A message to produce once the batch's transaction has committed (the outbox).
public struct OutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var key: String
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, key: String, value: [UInt8], headers: [KafkaHeader]) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// The batch's transaction as a projection sees it: the database, and the outbox.
///
/// Not Sendable: it lives only inside the write closure.
public final class ProjectionTransaction {
    public let db: Database
    private(set) var emitted = 0
    private(set) var afterCommit: [@Sendable () -> Void] = []

    init(db: Database) { self.db = db }

    /// Queues `message` in the outbox, in this transaction: it is produced after the commit,
    /// and again after a crash until its delivery is confirmed (receivers de-duplicate by the
    /// `event-id` header).
    public func emit(_ message: OutgoingMessage) throws {
        try ServiceDatabase.appendToOutbox(message, db)
        emitted += 1
    }

    /// Runs `action` once the transaction has committed (e.g. to print what was stored).
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommit.append(action)
    }
}

/// How a service checks messages before applying them.
public enum MessageAdmission: Sendable {
    /// Against the topic contracts: value, key and headers (`EventValidator.validateMessage`).
    case contracts(EventValidator)
    /// Only the headers `event-type`, `schema-version` and `event-id` and a UTF-8 key; the
    /// projection decodes (and rejects) the value itself. For the bus's own topics.
    case headers
}
