/// The Kafka message format of every event (documented in `Topics/README.md`):
///
/// - value: the event as JSON (UTF-8), envelope and payload;
/// - key: the value of the topic's key field (usually the subject's state ID), UTF-8;
/// - headers: ``eventType``, ``schemaVersion``, ``eventId`` and ``contentType``, copied from
///   the envelope so that routers and dead-letter tools can act without parsing the value.
public enum EventHeaders {
    public static let eventType = "event-type"
    public static let schemaVersion = "schema-version"
    public static let eventId = "event-id"
    public static let contentType = "content-type"
    /// The only content type: JSON.
    public static let json = "application/json"
}

/// An event that passed its contract, with what is needed to publish it.
public struct ValidatedEvent: Sendable {
    public var topic: String
    public var eventType: String
    public var schemaVersion: Int
    public var eventId: String
    /// The message key, from the topic's key field.
    public var key: String
    public var document: JSONValue

    /// The headers to send with the event, in a fixed order.
    public var headers: [(key: String, value: String)] {
        [(EventHeaders.eventType, eventType), (EventHeaders.schemaVersion, String(schemaVersion)),
         (EventHeaders.eventId, eventId), (EventHeaders.contentType, EventHeaders.json)]
    }
}
