import Contracts
import Foundation
import ServiceKit

/// One event of `bus.identity` (`Topics/bus.identity.yaml`): a decision of the person index,
/// keyed by person id. Every store operation returns the events it implies; the caller
/// publishes them through its outbox in the same transaction.
///
/// Its id is derived from the index's event sequence, counted in the store in the transaction
/// that makes the change, so the same operations on a fresh store give the same ids.
/// Events name records and persons by id and the fields that agreed, never a compared value.
public struct IdentityEvent: Sendable, Hashable, Encodable {
    /// The topic (`BusTopic.identity`).
    public static let topic = BusTopic.identity
    /// The contract version every kind is written in, but `review-requested`'s
    /// (``schemaVersion(of:)``).
    public static let schemaVersion = 1

    /// The contract version an event of `kind` is written in: `review-requested` is version 2,
    /// which says why the pair was held (`heldBecause`, `heldBy`); the others are version 1.
    public static func schemaVersion(of kind: Kind) -> Int { kind == .reviewRequested ? 2 : schemaVersion }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case linked, unlinked, merged, split
        case reviewRequested = "review-requested"
        case decided

        /// `bus.identity.<kind>`.
        public var eventType: String { "bus.identity.\(rawValue)" }
    }

    /// What decided a link.
    public enum DecisionSource: String, Sendable, Hashable, Encodable {
        case strongIdentifier = "strong_identifier"
        case model
        case human
    }

    /// A person a split produced, with all its records.
    public struct SplitPerson: Sendable, Hashable, Encodable {
        public var personId: String
        public var recordIds: [String]

        public init(personId: String, recordIds: [String]) {
            self.personId = personId
            self.recordIds = recordIds
        }
    }

    /// One field's part in a score: its level's name and the bits of evidence it gave.
    public struct Reason: Sendable, Hashable, Codable {
        public var field: String
        public var level: String
        public var weight: Double

        public init(field: String, level: String, weight: Double) {
            self.field = field
            self.level = level
            self.weight = weight
        }
    }

    public var kind: Kind
    public var id: String
    /// The message key: the person the event is about (see the contract per kind).
    public var personId: String
    public var at: Date
    public var recordId: String?
    public var source: String?
    public var linkedTo: String?
    public var decisionSource: DecisionSource?
    public var score: Double?
    public var agreed: [String]?
    public var decidedBy: String?
    public var newPersonId: String?
    public var reason: String?
    public var mergedPersonId: String?
    public var persons: [SplitPerson]?
    public var a: String?
    public var b: String?
    public var bPersonId: String?
    public var reasons: [Reason]?
    public var decision: String?
    public var supersedes: String?
    /// `review-requested`: why the pair was held (``ReviewHold/Cause``).
    public var heldBecause: ReviewHold.Cause?
    /// `review-requested`: the other records the hold names (``ReviewHold/records``).
    public var heldBy: [String]?

    init(kind: Kind, sequence: Int64, personId: String, at: Date) {
        self.kind = kind
        id = Self.id(sequence: sequence)
        self.personId = personId
        self.at = at
    }

    /// A UUID-shaped id (version 8) from SHA-256 of the index's event sequence number.
    public static func id(sequence: Int64) -> String {
        SHA256.derivedUUID("reentrybus.identity\u{0}\(sequence)")
    }

    public var eventType: String { kind.eventType }

    /// The message value: sorted members, RFC 3339 instants, absent members left out.
    public func encoded() throws -> [UInt8] { try EventCodec.encodeJSON(self) }

    /// The headers the message travels with.
    public var headers: [String: String] {
        [
            EventHeaders.eventType: eventType, EventHeaders.schemaVersion: String(Self.schemaVersion(of: kind)),
            EventHeaders.eventId: id, EventHeaders.contentType: EventHeaders.json,
        ]
    }

    enum CodingKeys: String, CodingKey {
        case id, personId, at, recordId, source, linkedTo, decisionSource, score, agreed, decidedBy, newPersonId, reason
        case mergedPersonId, persons, a, b, bPersonId, reasons, decision, supersedes, heldBecause, heldBy
    }
}
