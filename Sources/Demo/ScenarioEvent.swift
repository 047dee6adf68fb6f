import Contracts
import Foundation
import Kafka
import ServiceKit

/// One event ready to publish in the documented Kafka format (`Topics/README.md`): JSON value,
/// key = the topic's key field (the subject's state ID unless given), headers event-type,
/// schema-version, event-id, content-type.
public struct ScenarioEvent: Sendable {
    public var topic: String
    public var key: String
    public var eventId: String
    public var eventType: String
    public var value: [UInt8]
    /// The contract version the value follows (header `schema-version`): 1 unless the event
    /// needs a later version's leniency (police.arrests v2: a subject without a state ID).
    public var schemaVersion = 1

    /// An event of a topic keyed by person: the subject's state ID or, for a version whose
    /// subject may lack it, the scoped identifier `SubjectKey` gives.
    public init<Payload>(topic: String, _ event: EventEnvelope<Payload>) throws {
        try self.init(topic: topic, key: SubjectKey.key(event.subject, source: event.source) ?? "", event)
    }

    /// An event of a topic keyed otherwise (`reference.agencies`: the agency id).
    public init<Payload>(topic: String, key: String, _ event: EventEnvelope<Payload>) throws {
        self.topic = topic
        self.key = key
        self.eventId = event.eventId.uuidString.lowercased()
        self.eventType = event.eventType
        self.value = try EventCodec.encode(event)
    }

    /// An event already encoded (e.g. a contract's example, edited).
    public init(topic: String, key: String, eventId: String, eventType: String, value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.eventId = eventId
        self.eventType = eventType
        self.value = value
    }

    public var headers: [KafkaHeader] {
        [KafkaHeader(key: EventHeaders.eventType, value: eventType),
         KafkaHeader(key: EventHeaders.schemaVersion, value: String(schemaVersion)),
         KafkaHeader(key: EventHeaders.eventId, value: eventId),
         KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json)]
    }

    public var message: KafkaProducerMessage {
        KafkaProducerMessage(topic: topic, key: Array(key.utf8), value: value, headers: headers)
    }

    /// The `kcat -P` arguments that publish this event (value on standard input).
    public func kcatArguments(bootstrap: String) -> [String] {
        ["-b", bootstrap, "-P", "-t", topic, "-k", key] + headers.flatMap { ["-H", "\($0.key)=\($0.stringValue ?? "")"] }
    }

    /// A stable event id for a named scenario event, so a scenario is the same on every run.
    public static func eventId(_ name: String) -> UUID {
        var hash = SHA256()
        hash.update("reentrybus.scenario\u{0}\(name)")
        var bytes = Array(hash.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
