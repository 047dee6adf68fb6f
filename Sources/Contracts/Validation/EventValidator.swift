import Foundation

/// Checks events against their contracts at the edge: before a producer sends them, and when
/// a consumer receives them from a partner's client.
///
/// Validation never trusts the payload's shape: it parses with size limits, picks the schema
/// from the envelope's type and version, and reports every violation. Immutable; share freely.
public struct EventValidator: Sendable {
    public let catalog: TopicCatalog
    /// Size and nesting limits per event. Default: ``JSONDecodingLimits/events`` (256 KiB).
    public let limits: JSONDecodingLimits

    public init(catalog: TopicCatalog, limits: JSONDecodingLimits = .events) {
        self.catalog = catalog
        self.limits = limits
    }

    /// Parses and validates one event's JSON bytes for `topic`.
    public func validate(bytes: some ContiguousBytes, topic: String) throws(EventValidationError) -> ValidatedEvent {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes, limits: limits)
        } catch {
            throw EventValidationError(.notJSON(error))
        }
        return try validate(document, topic: topic)
    }

    /// Validates a parsed event for `topic` and extracts its key.
    public func validate(_ document: JSONValue, topic: String) throws(EventValidationError) -> ValidatedEvent {
        guard case .string(let eventType)? = document["eventType"] else { throw EventValidationError(.envelopeField("eventType")) }
        guard case .number(let number)? = document["schemaVersion"], let version = number.int64Value else {
            throw EventValidationError(.envelopeField("schemaVersion"))
        }
        guard let contract = catalog.topic(forEventType: eventType),
            let schema = catalog.schema(forEventType: eventType, version: Int(version))
        else { throw EventValidationError(.unknownEventType(eventType, version: Int(version))) }
        guard contract.name == topic else { throw EventValidationError(.wrongTopic(eventType: eventType, expected: contract.name)) }
        let violations = schema.validate(document)
        guard violations.isEmpty else { throw EventValidationError(.schemaViolations(violations)) }
        // The schema guarantees both: eventId is a uuid string, the key field a required string.
        guard case .string(let eventId)? = document["eventId"],
            case .string(let key)? = document.value(atDottedPath: contract.key.components)
        else { throw EventValidationError(.keyMismatch(field: contract.key.field)) }
        return ValidatedEvent(topic: topic, eventType: eventType, schemaVersion: Int(version), eventId: eventId, key: key, document: document)
    }

    /// Validates a received message: the value against its contract, and the key and headers
    /// against the value, so that a partner's client that sets them wrongly is caught.
    public func validateMessage(topic: String, key: [UInt8]?, value: [UInt8], headers: [String: String]) throws(EventValidationError) -> ValidatedEvent {
        let event = try validate(bytes: value, topic: topic)
        let expected = [
            EventHeaders.eventType: event.eventType, EventHeaders.schemaVersion: String(event.schemaVersion),
            EventHeaders.eventId: event.eventId,
        ]
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard let sent = headers[name] else { throw EventValidationError(.header(name, problem: "missing")) }
            guard sent == value else { throw EventValidationError(.header(name, problem: "differs from the event's envelope")) }
        }
        if let contentType = headers[EventHeaders.contentType], contentType != EventHeaders.json {
            throw EventValidationError(.header(EventHeaders.contentType, problem: "must be \(EventHeaders.json)"))
        }
        guard let key, String(decoding: key, as: UTF8.self) == event.key else {
            throw EventValidationError(.keyMismatch(field: catalog.topic(named: topic)?.key.field ?? "key field"))
        }
        return event
    }
}
