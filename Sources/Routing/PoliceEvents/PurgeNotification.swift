import Contracts
import Foundation
import Notifications

/// The wording of rule `investigation-closed-purge`: which notifications to purge, and why. It
/// repeats nothing of the investigation but its id (which the recipient holds already).
enum PurgeNotification {
    static func make(_ closed: EventEnvelope<InvestigationClosed>, recipient: Recipient, receipts: [InvestigationReceipt]) -> BusNotification {
        let id = closed.payload.investigationId
        let ids = receipts.map(\.notificationId).sorted()
        let subjects = Set(receipts.compactMap(\.subjectStateId)).sorted()
        let fbiNumbers = Set(receipts.compactMap(\.subjectFbiNumber)).sorted()
        return BusNotification(
            recipient: recipient, priority: .high,
            summary: "Investigation \(id) is closed: purge the \(ids.count) notification(s) about it listed here",
            reason: NotificationReason(
                rule: InvestigationClosedPurge.rule,
                explanation: "You were sent notifications about investigation \(id), which its lead agency has closed; criminal intelligence (28 CFR Part 23) is purged once the investigation is closed. Each request lists the notifications it asks you to purge; you may receive more than one for one investigation.",
                matched: [MatchedIdentifier("investigationId", id)]),
            facts: [
                NotificationFact("investigation", id),
                NotificationFact("closed", Describe.instant(closed.occurredAt)),
                NotificationFact("purge", ids.joined(separator: ", ")),
            ],
            occurredAt: closed.occurredAt, subjectStateId: subjects.count == 1 ? subjects.first : nil,
            sourceEventId: closed.eventId.uuidString.lowercased(), sourceEventType: InvestigationClosed.eventType,
            scope: InvestigationClosedPurge.scope(investigationId: id, purging: ids), recipientAgencyId: receipts.compactMap(\.recipientAgencyId).first,
            subjectFbiNumber: fbiNumbers.count == 1 ? fbiNumbers.first : nil)
    }
}
