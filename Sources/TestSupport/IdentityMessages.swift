import Contracts
import Foundation
import Kafka
import ServiceKit

/// `bus.identity` messages as the person index writes them, for the services that follow its
/// links (the router, the warrant resolver): `members` are the event's own (`personId`,
/// `recordId`, `linkedTo`, …); `id` and `at` are added; the key is the person id.
public enum IdentityMessages {
    public static func admitted(_ type: String, id: String, at: String, timestampMilliseconds: Int64, _ members: [String: Any]) throws -> AdmittedEvent {
        var body = members
        body["id"] = id
        body["at"] = at
        let value = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: BusTopic.identity, partition: 0), offset: KafkaOffset(0), key: members["personId"] as? String ?? "",
            eventType: type, schemaVersion: 1, eventId: id, value: value, timestampMilliseconds: timestampMilliseconds)
    }
}
