import Contracts
import Foundation
import Notifications

/// Rule `investigation-closed-purge`: when an investigation closes (`police.investigation.closed`),
/// every recipient the router sent a notification about it (`police_investigation_receipts`,
/// whatever the rule: the supervising officers and the subscribers) gets one notification,
/// high priority (acknowledging it confirms the purge), listing the ids of what they were sent
/// and asking them to purge it: 28 CFR Part 23 intelligence is not kept once the
/// investigation is closed. The router purges what it kept about the investigation in the same
/// transaction and keeps only that it is closed, so nothing about it is routed again.
///
/// Its id derives from the closure's event, the rule, the recipient and a scope naming the
/// investigation *and the ids it lists* (``scope(investigationId:purging:)``). Each router
/// instance reads the investigations in full but holds only the cases of its own partitions
/// (keyed by the person's state ID), so one officer supervising two persons of interest whose
/// cases sit on different partitions was told by two instances, each of which keeps only its
/// own receipt and lists only that at the closure. Under an id of the investigation and the
/// recipient alone the two requests shared one id and the inbox (one notification an id)
/// kept whichever came first: the other notice was never asked to be purged. Scoped by the
/// list, requests listing different notifications are different notifications, and those
/// listing the same ones (a subscriber's notice, which every instance sends under one id) are
/// one, as before. The same receipts give the same id in a replay.
enum InvestigationClosedPurge {
    static let rule = "investigation-closed-purge"

    /// The scope a purge request's id derives from: the investigation and the sorted ids of the
    /// notifications it asks to purge.
    static func scope(investigationId: String, purging notificationIds: [String]) -> String {
        "\(investigationId) purging \(notificationIds.sorted().joined(separator: " "))"
    }

    /// One purge per recipient among `receipts`, by recipient.
    static func notifications(for closed: EventEnvelope<InvestigationClosed>, receipts: [InvestigationReceipt]) -> [BusNotification] {
        let byRecipient = Dictionary(grouping: receipts, by: \.recipient)
        return byRecipient.keys.sorted().compactMap { key in
            guard let recipient = Recipient(key), let sent = byRecipient[key] else { return nil }
            return PurgeNotification.make(closed, recipient: recipient, receipts: sent)
        }
    }
}
