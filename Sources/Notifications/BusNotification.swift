import Contracts
import Foundation
import ServiceKit

/// A message for one recipient about one event, produced to `bus.notifications` (keyed by
/// recipient, signed in headers: `NotificationSignature`).
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
    /// The agency the recipient answers to (for `agency:X`, X when X is an agency id): where an
    /// urgent notification nobody acknowledges is escalated (its duty desk, then a supervisor).
    /// Absent when the routing service does not know it — as for a stand-in address such as
    /// `agency:police:MO:Independence`, kept for whichever agency the directory later names.
    public var recipientAgencyId: String?

    public init(
        recipient: Recipient, priority: NotificationPriority, summary: String, reason: NotificationReason,
        facts: [NotificationFact], occurredAt: Date, subjectStateId: String?, sourceEventId: String,
        sourceEventType: String, scope: String = "", recipientAgencyId: String? = nil, subjectFbiNumber: String? = nil
    ) {
        self.id = Self.id(sourceEventId: sourceEventId, rule: reason.rule, scope: scope, recipient: recipient)
        self.recipient = recipient
        self.priority = priority
        self.summary = summary
        self.reason = reason
        // A person known by no state ID is named by the FBI number among what matched (see
        // `subjectFbiNumber`), once.
        if subjectStateId?.isEmpty ?? true, let fbiNumber = subjectFbiNumber, !fbiNumber.isEmpty,
           !reason.matched.contains(where: { $0.name == Self.fbiNumberIdentifier })
        {
            self.reason.matched.insert(MatchedIdentifier(Self.fbiNumberIdentifier, fbiNumber), at: 0)
        }
        self.facts = facts
        self.occurredAt = occurredAt
        self.subjectStateId = subjectStateId
        self.sourceEventId = sourceEventId
        self.sourceEventType = sourceEventType
        self.recipientAgencyId = recipientAgencyId ?? (recipient.kind == .agency && AgencyIdentifier.isValid(recipient.id) ? recipient.id : nil)
    }

    /// The FBI number of a person known by no state ID (an event of a version-2 contract that
    /// named the FBI number alone): `reason.matched`'s `fbiNumber` when `subjectStateId` is
    /// missing, nil otherwise. The message has no member of its own for it (version 1 of
    /// `bus.notification.routed`); it is how the services that keep notifications find them
    /// for a sealing order naming the FBI number (`NotificationSubject`).
    public var subjectFbiNumber: String? {
        guard subjectStateId?.isEmpty ?? true else { return nil }
        return reason.matched.first { $0.name == Self.fbiNumberIdentifier && !$0.value.isEmpty }?.value
    }

    /// The name `reason.matched` gives an FBI number.
    public static let fbiNumberIdentifier = "fbiNumber"

    /// A UUID-shaped id (version 8, "custom") from SHA-256 of source event id, rule, scope and
    /// recipient.
    public static func id(sourceEventId: String, rule: String, scope: String, recipient: Recipient) -> String {
        RoutedScope.notificationId(sourceEventId: sourceEventId, rule: rule, scope: scope, recipient: "\(recipient)")
    }

    /// Whether the notification was routed for `scope` (its id is derived from it, see
    /// ``id(sourceEventId:rule:scope:recipient:)``): the router routes an arrest for the
    /// supervision case it matched, the warrant resolver for a release. That is how a sealing
    /// order for listed cases finds what derives from them without the notification naming
    /// its scope.
    public func isRouted(forScope scope: String) -> Bool {
        RoutedScope.isRouted(id: id, sourceEventId: sourceEventId, rule: reason.rule, scope: scope, recipient: recipient.description)
    }

    /// The stable JSON form (sorted keys, RFC 3339 instants); see `writtenJSON()`.
    public func encoded() throws -> [UInt8] {
        writtenJSON()
    }

    public static func decode(_ bytes: [UInt8]) throws -> BusNotification {
        try EventCodec.decodeJSON(BusNotification.self, from: bytes)
    }

    /// One readable line: time, recipient, priority, summary.
    public var line: String {
        "\(EventCodec.formatInstant(occurredAt))  \(recipient)  \(priority.rawValue.uppercased())  \(summary)"
    }
}
