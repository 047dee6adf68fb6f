import Contracts
import Foundation
import Notifications

/// Rule `investigation-closed-purge`: when an investigation closes (`police.investigation.closed`),
/// every recipient the router sent a notification about it (`police_investigation_receipts`,
/// whatever the rule: the supervising officers and the subscribers) gets one notification,
/// high priority (acknowledging it confirms the purge), listing the ids of what they were sent
/// and asking them to purge it: 28 CFR Part 23 intelligence is not kept once the
/// investigation is closed. Its id derives from the closure's event, the rule, the investigation
/// and the recipient. The router purges what it kept about the investigation in the same
/// transaction and keeps only that it is closed, so nothing about it is routed again.
enum InvestigationClosedPurge {
    static let rule = "investigation-closed-purge"

    /// One purge per recipient among `receipts`, by recipient.
    static func notifications(for closed: EventEnvelope<InvestigationClosed>, receipts: [InvestigationReceipt]) -> [BusNotification] {
        let byRecipient = Dictionary(grouping: receipts, by: \.recipient)
        return byRecipient.keys.sorted().compactMap { key in
            guard let recipient = Recipient(key), let sent = byRecipient[key] else { return nil }
            return PurgeNotification.make(closed, recipient: recipient, receipts: sent)
        }
    }
}
