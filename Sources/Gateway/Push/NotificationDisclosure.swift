import Contracts
import Notifications
import Policy

/// One of a caller's notifications as they may see it: the item document every channel sends
/// (an inbox item, a webhook's body, a stream event's data), made by one function so the three
/// cannot drift apart.
struct DisclosedNotification: Sendable {
    let position: InboxCursor
    let notification: BusNotification
    let redaction: Redaction
    /// `{"notification": …, "withheld": […], "notices": […]}` (notices only when there are some).
    let document: JSONValue
}

enum NotificationDisclosure {
    /// `notification` redacted for `requester` by the gateway's access policy, and the item
    /// document made of it.
    static func redact(
        _ notification: BusNotification, to requester: Requester, policy: DisclosurePolicy
    ) throws(Problem) -> (redaction: Redaction, document: JSONValue) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: notification.encoded(), limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20))
        } catch {
            throw Problem(.internalServerError, type: "/problems/internal", title: "Internal error")
        }
        let redaction = policy.redact(
            value, eventType: BusNotification.eventType, schemaVersion: BusNotification.schemaVersion, for: requester,
            context: DisclosureContext())
        var item: [String: JSONValue] = ["notification": redaction.value, "withheld": GatewayHandlers.document(redaction.withheld)]
        if !redaction.notices.isEmpty { item["notices"] = GatewayHandlers.document(redaction.notices) }
        return (redaction, .object(item))
    }

    /// `notification` at `position` redacted for `requester`.
    static func disclose(
        _ notification: BusNotification, at position: InboxCursor, to requester: Requester, policy: DisclosurePolicy
    ) throws(Problem) -> DisclosedNotification {
        let (redaction, document) = try redact(notification, to: requester, policy: policy)
        return DisclosedNotification(position: position, notification: notification, redaction: redaction, document: document)
    }
}
