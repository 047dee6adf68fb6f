import Contracts
import Kafka

/// A poison message's way to the dead-letter topic.
///
/// Whole, when it fits: the original key, value and headers, plus the reason and the source
/// (`topic[partition]@offset`) in headers. A message too large to copy with those headers (its
/// producer accepted it, but ours would refuse the copy) goes as a *reference* instead: a small
/// JSON value naming topic, partition, offset, size and reason, so that an operator can fetch
/// the original from the source topic while it is retained, and the service goes on.
///
/// Either form may be about a person (the copy's bytes, the key a reference keeps): it waits in
/// the outbox, and may be moved aside as refused (`kit_outbox_failed`), filed under the digest
/// of the person the original names (`SealedRecordCheck.subject(ofJSON:)`), so that a sealing
/// order for all their records removes it (`SealingLedger.removeFromOutbox`).
public enum DeadLetter {
    /// Why the message was rejected (names fields and rules, never values).
    public static let reasonHeader = "dead-letter-reason"
    /// Where it came from: `topic[partition]@offset`.
    public static let sourceHeader = "dead-letter-source"
    /// `copy` (the original bytes follow) or `reference` (the value names where they are).
    public static let formHeader = "dead-letter-form"

    /// The value of a dead letter sent by reference.
    public struct Reference: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        /// The original value's size in bytes.
        public var size: Int
        public var reason: String
    }

    /// The message to emit for `message`, rejected for `reason`, within `maxMessageBytes`.
    static func message(
        for message: KafkaConsumerMessage, reason: String, topic: String, maxMessageBytes: Int
    ) -> OutgoingMessage {
        let source = "\(message.topicPartition)@\(message.offset)"
        let reason = String(reason.unicodeScalars.prefix(2_000).map(Character.init))
        let key = message.key.flatMap { String(validating: $0, as: UTF8.self) } ?? ""
        var headers = message.headers.filter { ![reasonHeader, sourceHeader, formHeader].contains($0.key) }
        headers.append(KafkaHeader(key: reasonHeader, value: reason))
        headers.append(KafkaHeader(key: sourceHeader, value: source))
        headers.append(KafkaHeader(key: formHeader, value: "copy"))
        let subject = SealedRecordCheck.subject(ofJSON: message.value)
        let copy = OutgoingMessage(
            topic: topic, key: key, value: message.value, headers: headers, subjectStateId: subject.stateId, subjectFbiNumber: subject.fbiNumber)
        if copy.wireSize <= maxMessageBytes, key.utf8.count == (message.key?.count ?? 0) {
            return copy
        }
        let reference = Reference(
            topic: message.topic, partition: message.partition, offset: message.offset.rawValue,
            size: message.value.count, reason: reason)
        // Encoding five plain fields cannot fail; should it, the headers still say it all.
        let value = (try? EventCodec.encodeJSON(reference)) ?? []
        return OutgoingMessage(
            topic: topic, key: key.utf8.count <= 1_024 ? key : "",
            value: value,
            headers: [
                KafkaHeader(key: reasonHeader, value: reason),
                KafkaHeader(key: sourceHeader, value: source),
                KafkaHeader(key: formHeader, value: "reference"),
            ],
            subjectStateId: subject.stateId, subjectFbiNumber: subject.fbiNumber)
    }
}
