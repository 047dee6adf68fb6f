import Contracts
import Kafka

/// How a service checks messages before applying them.
///
/// Every message on a subscribed topic is checked, including those of types the service does
/// not apply: nothing is skipped unseen. First the envelope every message must have (a UTF-8
/// key, the headers `event-type`, `schema-version` and `event-id` once each, in UTF-8), and an
/// `event-type` that the topic's contract names exactly; a message failing either is a poison
/// message. Only then does the service decide whether it needs the event (if not, it is
/// counted per type and skipped) and check the value itself.
public enum MessageAdmission: Sendable {
    /// Against the topic contracts: value, key and headers (`EventValidator.validateMessage`).
    /// The bus's own topics have contracts too.
    case contracts(EventValidator)
    /// Only the envelope against the topic contracts (key, the headers above, an event type of
    /// the topic, the headers the contract documents): the value is left to the projection,
    /// which must check it itself. For a consumer whose projection proves more than a schema
    /// can, at less cost: the inbox verifies each notification's signature over its exact
    /// bytes, then decodes it.
    case envelopes(EventValidator)
}

/// The parts of a message's envelope read from its key and headers, before its value.
struct MessageEnvelope: Sendable {
    var key: String
    var eventType: String
    var schemaVersion: Int
    var eventId: String
}

extension MessageAdmission {
    /// Reads the key and headers and checks that the event type belongs to the topic.
    func envelope(of message: KafkaConsumerMessage) throws(PoisonMessage) -> MessageEnvelope {
        guard let keyBytes = message.key, !keyBytes.isEmpty else { throw PoisonMessage(reason: "the message has no key") }
        guard let key = String(validating: keyBytes, as: UTF8.self) else { throw PoisonMessage(reason: "the message key is not UTF-8") }
        let headers = message.headers
        let eventType = try Self.header(EventHeaders.eventType, in: headers)
        let versionText = try Self.header(EventHeaders.schemaVersion, in: headers)
        guard let version = Int(versionText), version >= 1, String(version) == versionText else {
            throw PoisonMessage(reason: "header \(EventHeaders.schemaVersion) is not a positive integer")
        }
        let eventId = try Self.header(EventHeaders.eventId, in: headers)
        guard let contract = catalog.topic(named: message.topic) else {
            throw PoisonMessage(reason: "topic \(message.topic) has no contract")
        }
        guard contract.events.contains(where: { $0.type == eventType }) else {
            throw PoisonMessage(reason: "header \(EventHeaders.eventType) \(Self.quoted(eventType)) is not an event type of topic \(message.topic)'s contract")
        }
        return MessageEnvelope(key: key, eventType: eventType, schemaVersion: version, eventId: eventId)
    }

    private var catalog: TopicCatalog {
        switch self {
        case .contracts(let validator): validator.catalog
        case .envelopes(let validator): validator.catalog
        }
    }

    /// Checks the whole message of an event the service needs (`envelope`: what
    /// `envelope(of:)` read from it).
    func admit(_ message: KafkaConsumerMessage, envelope: MessageEnvelope) throws(PoisonMessage) -> AdmittedEvent {
        let value = message.value
        let messageHeaders = message.headers
        switch self {
        case .envelopes(let validator):
            var headers: [String: String] = [:]
            for header in messageHeaders where headers[header.key] == nil { headers[header.key] = header.stringValue }
            do {
                try validator.validateHeaders(headers, topic: message.topic)
            } catch {
                throw PoisonMessage(reason: "invalid event: \(error.description)")
            }
            return AdmittedEvent(
                topicPartition: message.topicPartition, offset: message.offset, key: envelope.key, eventType: envelope.eventType,
                schemaVersion: envelope.schemaVersion, eventId: envelope.eventId.lowercased(), value: value,
                timestampMilliseconds: message.timestampMilliseconds, document: nil, headers: messageHeaders)
        case .contracts(let validator):
            var headers: [String: String] = [:]
            for header in messageHeaders where headers[header.key] == nil { headers[header.key] = header.stringValue }
            do {
                let event = try validator.validateMessage(topic: message.topic, key: message.key, value: value, headers: headers)
                return AdmittedEvent(
                    topicPartition: message.topicPartition, offset: message.offset, key: event.key, eventType: event.eventType,
                    schemaVersion: event.schemaVersion, eventId: event.eventId.lowercased(), value: value,
                    timestampMilliseconds: message.timestampMilliseconds, document: event.parsedDocument, headers: messageHeaders)
            } catch {
                throw PoisonMessage(reason: "invalid event: \(error.description)")
            }
        }
    }

    /// The one value of header `name`: present once, non-empty, UTF-8.
    private static func header(_ name: String, in headers: [KafkaHeader]) throws(PoisonMessage) -> String {
        var found: KafkaHeader?
        for header in headers where header.key == name {
            guard found == nil else { throw PoisonMessage(reason: "header \(name) appears more than once") }
            found = header
        }
        guard let found else { throw PoisonMessage(reason: "header \(name) is missing") }
        guard let value = found.stringValue else { throw PoisonMessage(reason: "header \(name) is not UTF-8") }
        guard !value.isEmpty else { throw PoisonMessage(reason: "header \(name) is empty") }
        return value
    }

    /// A header value for a reason text: event types are not personal data, but they are
    /// whatever a producer sent, so long or odd ones are shortened and escaped.
    static func quoted(_ value: String) -> String {
        var text = ""
        for scalar in value.unicodeScalars.prefix(80) {
            text += (0x20..<0x7f).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? String(scalar) : scalar.escaped(asASCII: true)
        }
        return "\"\(text)\(value.unicodeScalars.count > 80 ? "…" : "")\""
    }
}
