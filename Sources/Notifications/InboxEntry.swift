import Foundation
import Storage

/// A notification as `reentrybus inbox` shows it: whether it asks for an acknowledgement, who
/// acknowledged it and when, and whom it was escalated to.
public struct InboxEntry: Sendable, Hashable {
    public var notification: BusNotification
    /// URGENT and HIGH notifications ask for one.
    public var asksForAcknowledgement: Bool
    /// Accepted acknowledgements, oldest first.
    public var acknowledgements: [EscalationStore.Acknowledgement]
    /// The recipients of its escalations, by step.
    public var escalatedTo: [String]

    /// A recipient's notifications (as `InboxStore.notifications(for:_:)`) with their
    /// acknowledgements and escalations.
    public static func entries(for recipient: String, _ transaction: any StorageTransaction) throws -> [InboxEntry] {
        try InboxStore.notifications(for: recipient, transaction).map { notification in
            InboxEntry(
                notification: notification, asksForAcknowledgement: Escalation.asksForAcknowledgement(notification),
                acknowledgements: try EscalationStore.acknowledgements(of: notification.id, transaction).filter { $0.status == "accepted" },
                escalatedTo: try EscalationStore.escalatedTo(notification.id, transaction))
        }
    }

    /// The lines under the notification's own: acknowledgement and escalation.
    public var statusLines: [String] {
        var lines: [String] = []
        if acknowledgements.isEmpty {
            if asksForAcknowledgement { lines.append("    awaiting acknowledgement (reentrybus ack \(notification.id) --by \(notification.recipient))") }
        } else {
            for ack in acknowledgements {
                lines.append("    acknowledged by \(ack.by) at \(ack.at)" + (ack.note.map { ": \($0)" } ?? ""))
            }
        }
        if !escalatedTo.isEmpty { lines.append("    escalated to \(escalatedTo.joined(separator: ", "))") }
        return lines
    }
}
