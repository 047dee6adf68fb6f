import Contracts
import Foundation
import Kafka
import Notifications
import ServiceKit

enum Fixtures {
    /// A notification about the person with state ID `subject`, routed for `scope` (a case).
    static func notification(
        _ recipient: Recipient = .officer("PO-1"), source: String = "e-1", summary: String = "Your supervisee was arrested",
        subject: String = "MO1", scope: String = "C-1"
    ) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .high, summary: summary,
            reason: NotificationReason(rule: "supervisee-arrested", explanation: "You supervise case \(scope).", matched: [MatchedIdentifier("stateId", subject)]),
            facts: [NotificationFact("who", "state ID \(subject)")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            subjectStateId: subject, sourceEventId: source, sourceEventType: "police.arrest.made", scope: scope)
    }

    /// The message the inbox reads for `notification`, with `headers` besides the usual ones.
    static func admitted(_ notification: BusNotification, value: [UInt8]? = nil, offset: Int64 = 0, headers: [KafkaHeader] = []) throws -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: NotificationOutbox.topic, partition: 0), offset: KafkaOffset(offset),
            key: notification.recipient.description, eventType: BusNotification.eventType, schemaVersion: 1,
            eventId: notification.id, value: try value ?? notification.encoded(), timestampMilliseconds: 1_750_000_000_000,
            headers: headers)
    }
}
