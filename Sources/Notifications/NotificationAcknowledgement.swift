import Contracts
import Foundation
import ServiceKit

/// Someone acknowledged a notification (`bus.notification-acks`, keyed by the notification id):
/// for which recipient (`kind:id`), who acted (version 2: the signed-in subject, since a duty desk
/// or a role is many people), when, and an optional note.
///
/// URGENT and HIGH notifications ask for one; an acknowledgement of an urgent notification, or
/// of one of its escalations, by that notification's or escalation's recipient stops the
/// escalation (`EscalationStore`). The id is derived from the notification, who and when, so a
/// retried send is kept once.
public struct NotificationAcknowledgement: Sendable, Hashable, Codable {
    public static let topic = BusTopic.notificationAcks
    public static let eventType = "bus.notification.acknowledged"
    /// The version an acknowledgement is written as: 2 when it names who acted, else 1 (a
    /// reader of version 1 still reads every acknowledgement that names no one).
    public var schemaVersion: Int { actor == nil ? 1 : 2 }

    public var id: String
    public var notificationId: String
    public var by: Recipient
    /// Who acknowledged for `by`: the subject of the token the gateway verified (`KCPD-77`).
    /// Nil for an acknowledgement of version 1 (`reentrybus ack`, or written before).
    public var actor: String?
    public var at: Date
    public var note: String?

    public init(notificationId: String, by: Recipient, at: Date, note: String? = nil, actor: String? = nil) {
        self.notificationId = notificationId.lowercased()
        self.by = by
        self.at = at
        self.note = note
        self.actor = actor
        id = Self.id(notificationId: self.notificationId, by: by, at: at)
    }

    /// A UUID-shaped id (version 8) from SHA-256 of the notification id, who and when.
    public static func id(notificationId: String, by: Recipient, at: Date) -> String {
        SHA256.derivedUUID("reentrybus.notification-ack\u{0}\(notificationId.lowercased())\u{0}\(by)\u{0}\(EventCodec.formatInstant(at))")
    }

    /// The message value: sorted members, an RFC 3339 instant.
    public func encoded() -> [UInt8] {
        var out = JSONBytes()
        out.raw("{")
        if let actor {
            out.raw("\"actor\":"); out.string(actor); out.raw(",")
        }
        out.raw("\"at\":"); out.string(EventCodec.formatInstant(at))
        out.raw(",\"by\":"); out.string(by.description)
        out.raw(",\"id\":"); out.string(id)
        if let note {
            out.raw(",\"note\":"); out.string(note)
        }
        out.raw(",\"notificationId\":"); out.string(notificationId)
        out.raw("}")
        return out.bytes
    }

    /// Reads an admitted `bus.notification.acknowledged` message (checked against its contract
    /// by the runtime). One whose id is not the one its contents give, or whose key is not its
    /// notification id, is refused.
    public static func decode(_ event: AdmittedEvent) throws(PoisonMessage) -> NotificationAcknowledgement {
        var ack: NotificationAcknowledgement
        do {
            ack = try EventCodec.decodeJSON(NotificationAcknowledgement.self, from: event.value)
            ack.notificationId = ack.notificationId.lowercased()
        } catch {
            throw PoisonMessage(reason: "a bus.notification.acknowledged message does not decode: \(String(describing: type(of: error)))")
        }
        guard ack.id == event.eventId else { throw PoisonMessage(reason: "$.id: differs from the event-id header") }
        guard ack.id == id(notificationId: ack.notificationId, by: ack.by, at: ack.at) else {
            throw PoisonMessage(reason: "$.id: not the id its notification, acknowledger and time give")
        }
        guard event.key.lowercased() == ack.notificationId.lowercased() else {
            throw PoisonMessage(reason: "the message key differs from $.notificationId")
        }
        return ack
    }
}
