import Contracts
import Foundation
import ServiceKit

/// Who a notification is for: an officer, an agency (a police department, a court), or a
/// facility. Written `kind:id`, e.g. `officer:PP-KC-118`, `agency:MO-KCPD`.
public struct Recipient: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Comparable {
        case officer, agency, facility
        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }
    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func officer(_ id: String) -> Recipient { Recipient(kind: .officer, id: id) }
    public static func agency(_ id: String) -> Recipient { Recipient(kind: .agency, id: id) }
    public static func facility(_ id: String) -> Recipient { Recipient(kind: .facility, id: id) }

    /// Parses `kind:id`.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        self.init(kind: kind, id: id)
    }

    public var description: String { "\(kind.rawValue):\(id)" }

    public static func < (lhs: Recipient, rhs: Recipient) -> Bool { (lhs.kind, lhs.id) < (rhs.kind, rhs.id) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let recipient = Recipient(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected kind:id"))
        }
        self = recipient
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How soon the recipient should act.
public enum NotificationPriority: String, Codable, Sendable, Comparable, CaseIterable {
    case routine, high, urgent
    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Why a notification was sent: the rule, in words, and the identifiers that matched.
public struct NotificationReason: Codable, Sendable, Hashable {
    /// The rule's code, e.g. `supervisee-arrested`.
    public var rule: String
    /// One sentence addressed to the recipient.
    public var explanation: String
    /// Identifier name (`stateId`, `fbiNumber`, `warrantId`, `city`) → the value that matched.
    public var matched: [MatchedIdentifier]

    public init(rule: String, explanation: String, matched: [MatchedIdentifier]) {
        self.rule = rule
        self.explanation = explanation
        self.matched = matched
    }
}

public struct MatchedIdentifier: Codable, Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One labelled fact of a notification (who, what, when, where, agency…), in display order.
public struct NotificationFact: Codable, Sendable, Hashable {
    public var label: String
    public var value: String
    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }
}

/// A message for one recipient about one event, produced to `bus.notifications`.
///
/// Its `id` is derived from the source event, the rule, the scope (e.g. the release a warrant
/// check is about) and the recipient, so a replay or a redelivery produces the same id and the
/// inbox keeps one copy. Everything in it comes from events, never from the clock, so a replay
/// produces the same bytes.
public struct BusNotification: Codable, Sendable, Hashable {
    public static let eventType = "bus.notification.routed"
    public static let schemaVersion = 1

    public var id: String
    public var recipient: Recipient
    public var priority: NotificationPriority
    /// One line: who and what.
    public var summary: String
    public var reason: NotificationReason
    public var facts: [NotificationFact]
    /// When the thing happened (from the source event).
    public var occurredAt: Date
    /// The person's state ID, when known.
    public var subjectStateId: String?
    public var sourceEventId: String
    public var sourceEventType: String

    public init(
        recipient: Recipient, priority: NotificationPriority, summary: String, reason: NotificationReason,
        facts: [NotificationFact], occurredAt: Date, subjectStateId: String?, sourceEventId: String,
        sourceEventType: String, scope: String = ""
    ) {
        self.id = Self.id(sourceEventId: sourceEventId, rule: reason.rule, scope: scope, recipient: recipient)
        self.recipient = recipient
        self.priority = priority
        self.summary = summary
        self.reason = reason
        self.facts = facts
        self.occurredAt = occurredAt
        self.subjectStateId = subjectStateId
        self.sourceEventId = sourceEventId
        self.sourceEventType = sourceEventType
    }

    /// A UUID-shaped id (version 8, "custom") from SHA-256 of source event id, rule, scope and
    /// recipient.
    public static func id(sourceEventId: String, rule: String, scope: String, recipient: Recipient) -> String {
        var hash = SHA256()
        hash.update("reentrybus.notification\u{0}\(sourceEventId.lowercased())\u{0}\(rule)\u{0}\(scope)\u{0}\(recipient)")
        var bytes = Array(hash.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.hexString
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// The stable JSON form (sorted keys, RFC 3339 instants).
    public func encoded() throws -> [UInt8] {
        try EventCodec.encodeJSON(self)
    }

    public static func decode(_ bytes: [UInt8]) throws -> BusNotification {
        try EventCodec.decodeJSON(BusNotification.self, from: bytes)
    }

    /// One readable line: time, recipient, priority, summary.
    public var line: String {
        "\(EventCodec.formatInstant(occurredAt))  \(recipient)  \(priority.rawValue.uppercased())  \(summary)"
    }
}
