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

    /// The event as a tree. Validation that needed no tree (``EventValidator`` answers valid
    /// events from their bytes) kept the bytes instead, and each read parses them: read it once
    /// and keep the value.
    public var document: JSONValue {
        get {
            switch source {
            case .tree(let document): return document
            case .bytes(let bytes, let limits):
                do {
                    return try JSONValue(parsing: bytes, limits: limits)
                } catch {
                    // Cannot happen: the byte validator accepts only what this parser parses.
                    assertionFailure("validated bytes did not parse: \(error)")
                    return .null
                }
            }
        }
        set { source = .tree(newValue) }
    }

    /// The tree, if validation built one; `nil` when it read the bytes alone (decode those
    /// straight from the bytes with ``EventCodec``, rather than
    /// parsing a tree for it).
    public var parsedDocument: JSONValue? {
        if case .tree(let document) = source { return document }
        return nil
    }

    private enum Source: Sendable {
        case tree(JSONValue)
        case bytes([UInt8], JSONDecodingLimits)
    }

    private var source: Source

    /// Whether validation read the bytes alone (tests check that valid events take that path).
    var wasValidatedOnBytes: Bool {
        if case .bytes = source { return true }
        return false
    }

    init(topic: String, eventType: String, schemaVersion: Int, eventId: String, key: String, document: JSONValue) {
        self.topic = topic
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.eventId = eventId
        self.key = key
        source = .tree(document)
    }

    init(topic: String, eventType: String, schemaVersion: Int, eventId: String, key: String, bytes: [UInt8], limits: JSONDecodingLimits) {
        self.topic = topic
        self.eventType = eventType
        self.schemaVersion = schemaVersion
        self.eventId = eventId
        self.key = key
        source = .bytes(bytes, limits)
    }

    /// The headers to send with the event, in a fixed order.
    public var headers: [(key: String, value: String)] {
        [(EventHeaders.eventType, eventType), (EventHeaders.schemaVersion, String(schemaVersion)),
         (EventHeaders.eventId, eventId), (EventHeaders.contentType, EventHeaders.json)]
    }
}
