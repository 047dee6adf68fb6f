import Contracts
import Foundation
import Storage
import Kafka
import Synchronization

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
    /// Those of `topics` every instance reads in full, outside the consumer group (reference
    /// state such as the agency directory: an instance given only some partitions of it would
    /// answer from part of it). Read from the beginning (or the offsets stored with the
    /// effects) and caught up before any other event is applied. Default: none.
    var referenceTopics: [String] { get }
    /// Topics it writes through the outbox besides `bus.notifications` and the dead-letter
    /// topic (e.g. the warrant resolver's `bus.warrant-checks`): what its Kafka user must be
    /// allowed to write. Default: none.
    var producedTopics: [String] { get }
    /// Its tables' migration steps (applied after the runtime's own), in order. Never edit a
    /// shipped step: add one.
    var migrations: [StorageMigration] { get }
    /// Whether events of this type (the `event-type` header) concern it. Others only advance
    /// the offset: they are neither validated nor applied.
    func handles(eventType: String) -> Bool
    /// Applies one admitted event. Throw `PoisonMessage` for an event that cannot be used (its
    /// changes are rolled back and it goes to the dead-letter topic); any other error fails the
    /// batch and stops the service, leaving the offsets where they were.
    func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws
    /// Forgets at most `limit` rows of each of its tables whose time to be forgotten is before
    /// `now` (the event clock: the newest Kafka timestamp the service has read). The runtime
    /// calls it once per batch, after the batch's events, in the same transaction, so the cost
    /// of bounded state is paid per batch, not per event; each table's prune is one indexed
    /// range delete. What is due but over `limit` goes in the next batch. The default forgets
    /// nothing.
    func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws
    /// Removes every row it keeps that `order` covers — the person's records that occurred before
    /// the order (all of them, or those of the listed cases) and every row derived from them —
    /// and says how many rows it removed from which table (never what they held).
    ///
    /// The runtime calls it for the events of `records.sealing` the projection handles
    /// (`SealingOrder.eventTypes`), in the batch's transaction, then records the order
    /// (`SealingLedger`); from then on it does not apply events about the person that occurred
    /// before the order (a late delivery, a replay's order). A projection that keeps personal
    /// data must read `records.sealing`, handle both types and implement this. The default
    /// removes nothing, for projections that keep none.
    func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally
    /// `message`, one of the projection's messages waiting in the outbox (or refused and kept
    /// aside) that names, besides its subject, a person an `all_records` order covers — filed
    /// under `digests`, the digests of that person's numbers it carries (``OutboxMentions``) —
    /// written without that person and, if the projection signs its messages, signed again;
    /// nil when it cannot be rewritten safely. The runtime keeps the new value and headers in
    /// the message's place (topic and key stay), or removes the message on nil, in the order's
    /// transaction after ``seal(_:in:)``; a rewrite that still carries one of `digests`, or no
    /// longer fits the producer's largest message, is removed too.
    ///
    /// Pure: no database, the message alone. The default removes every such message, for
    /// projections that send no message naming anyone besides its subject (a dead letter
    /// copying such a message is removed in any service).
    func withdrawingMentions(of digests: Set<String>, from message: OutgoingMessage) throws -> OutgoingMessage?
    /// What the projection finds amiss in its settings against its own state when the service
    /// starts (a setting its data has outgrown): the runtime logs each as a warning, in a read
    /// transaction of its own beside the first batches, and the service runs all the same.
    /// Reads only; no personal data in a warning. Default: none.
    func warningsAtStart(in transaction: any StorageTransaction) throws -> [ProjectionWarning]
    /// What a replay's swap must carry from the state it replaces (schema `old`) into the
    /// rebuilt one (schema `new`) besides the outbox (``ServiceDatabase/carryOutbox(from:into:dialect:_:)``),
    /// in the swap's transaction: numbers readers outside this database hold, such as the
    /// inbox's arrival numbers, which the gateway's webhook and stream cursors follow. A rebuild
    /// gives them in its own order; carried, a cursor means after the swap what it meant before.
    /// Default: nothing.
    func carryAcrossReplay(from old: String, into new: String, _ transaction: any StorageTransaction) throws
}

/// A warning a projection gives at start (``EventProjection/warningsAtStart(in:)``): what is
/// amiss and what to do, with counts or settings as metadata, never personal data.
public struct ProjectionWarning: Sendable, Equatable {
    public var message: String
    public var metadata: [String: String]

    public init(_ message: String, metadata: [String: String] = [:]) {
        self.message = message
        self.metadata = metadata
    }
}

extension EventProjection {
    public var referenceTopics: [String] { [] }

    public var producedTopics: [String] { [] }

    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {}

    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally { SealingTally() }
    public func withdrawingMentions(of digests: Set<String>, from message: OutgoingMessage) throws -> OutgoingMessage? { nil }
    public func warningsAtStart(in transaction: any StorageTransaction) throws -> [ProjectionWarning] { [] }
    public func carryAcrossReplay(from old: String, into new: String, _ transaction: any StorageTransaction) throws {}
}

/// How many rows per table a batch may forget: twice the batch (so state shrinks faster than a
/// steady stream adds to it) and at least 100 (so a small batch still catches up).
enum ForgetBudget {
    static func rows(forBatchOf count: Int) -> Int { max(2 * count, 100) }
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
    public var value: [UInt8] { didSet { decoded = DecodedEnvelopes() } }
    /// The Kafka timestamp, milliseconds since 1970.
    public var timestampMilliseconds: Int64?
    /// The value as parsed when validation built a tree (it does for an event it had to
    /// explain or read by tree), so decoding does not parse it again. `nil` for the usual
    /// event validated on its bytes: it is decoded straight from ``value``, which is faster
    /// than building the tree.
    public var document: JSONValue? { didSet { decoded = DecodedEnvelopes() } }
    /// The message's headers (e.g. a notification's signature).
    public var headers: [KafkaHeader]
    /// What ``decode(_:)`` made of it, shared by every copy of this value: the views service
    /// hands one event to up to six stores, each of which decodes it. A new value or document
    /// starts afresh.
    private var decoded = DecodedEnvelopes()

    public init(
        topicPartition: TopicPartition, offset: KafkaOffset, key: String, eventType: String, schemaVersion: Int,
        eventId: String, value: [UInt8], timestampMilliseconds: Int64?, document: JSONValue? = nil,
        headers: [KafkaHeader] = []
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
        self.headers = headers
    }

    /// Decodes the event as `Payload`; a failure is a poison message.
    public func decode<Payload: EventPayload>(_ type: Payload.Type) throws(PoisonMessage) -> EventEnvelope<Payload> {
        if let envelope = decoded.envelope(EventEnvelope<Payload>.self) { return envelope }
        do {
            let envelope = if let document { try EventCodec.decode(type, from: document) } else { try EventCodec.decode(type, from: value) }
            decoded.store(envelope)
            return envelope
        } catch {
            throw PoisonMessage(reason: error.description)
        }
    }
}

/// The decoded forms of one event, by type. A class, so that the copies of an
/// ``AdmittedEvent`` share it; behind a lock because an `AdmittedEvent` is `Sendable`,
/// although in practice one batch's thread decodes it (the lock is never contended). A failed
/// decoding is not kept: it becomes a poison message, and the event goes no further.
private final class DecodedEnvelopes: Sendable {
    private let forms = Mutex<[ObjectIdentifier: any Sendable]>([:])

    func envelope<Envelope: Sendable>(_ type: Envelope.Type) -> Envelope? {
        forms.withLock { $0[ObjectIdentifier(type)] as? Envelope }
    }

    func store<Envelope: Sendable>(_ envelope: Envelope) {
        forms.withLock { $0[ObjectIdentifier(Envelope.self)] = envelope }
    }
}

/// An event a service cannot use. `reason` names fields and rules, never values (it is logged
/// and sent with the dead letter).
public struct PoisonMessage: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
