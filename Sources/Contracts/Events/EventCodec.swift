import Foundation

/// The JSON form of events: what producers send and consumers decode.
///
/// Output is stable, so the same event always gives the same bytes: members sorted by name,
/// no escaped slashes, instants as RFC 3339 in UTC (`2025-03-03T14:00:00Z`, with milliseconds
/// only when they are not zero), ids in lower case. Decoding accepts any RFC 3339 offset.
public enum EventCodec {
    /// Encodes an event to its JSON bytes.
    public static func encode<Payload>(_ event: EventEnvelope<Payload>) throws(EventCodingError) -> [UInt8] {
        do {
            return try encodeJSON(event)
        } catch {
            throw EventCodingError(eventType: Payload.eventType, reason: "cannot be encoded: \(Self.summary(of: error))")
        }
    }

    /// Decodes an event of a known type. Validate the bytes against the contract first: this
    /// checks only what the Swift types need, not the contract's finer rules.
    ///
    /// Valid events are decoded straight from their bytes (``JSONTapeDecoder``); any other
    /// document is parsed into a tree, which names the fault exactly as before.
    public static func decode<Payload>(_ type: Payload.Type, from bytes: some DataProtocol) throws(EventCodingError) -> EventEnvelope<Payload> {
        let bytes = Array(bytes)
        if let event = JSONTapeDecoder.decode(EventEnvelope<Payload>.self, from: bytes) { return event }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw EventCodingError(eventType: Payload.eventType, reason: "cannot be decoded: \(error)")
        }
        return try decode(type, from: value)
    }

    /// Decodes an event of a known type from its parsed JSON (as validated), without parsing
    /// the bytes again.
    public static func decode<Payload>(_ type: Payload.Type, from value: JSONValue) throws(EventCodingError) -> EventEnvelope<Payload> {
        do {
            return try JSONValueDecoder().decode(EventEnvelope<Payload>.self, from: value)
        } catch {
            throw EventCodingError(eventType: Payload.eventType, reason: "cannot be decoded: \(Self.summary(of: error))")
        }
    }

    /// Encodes any `Encodable` in the stable form events use (sorted members, no escaped
    /// slashes, RFC 3339 instants): for the bus's own messages and stored documents.
    /// Written by ``StableJSONEncoder`` (the same bytes as Foundation's `JSONEncoder`, at a
    /// fraction of its cost), by Foundation for what that one does not write.
    public static func encodeJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let bytes = try? StableJSONEncoder().encode(value) { return bytes }
        return try foundationJSON(value)
    }

    /// Foundation's `JSONEncoder` with the stable options: the reference ``StableJSONEncoder``
    /// is tested against, and its fallback.
    static func foundationJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatInstant(date))
        }
        return Array(try encoder.encode(value))
    }

    /// Decodes any `Decodable` from JSON bytes the way events are decoded (our parser, RFC 3339
    /// dates): for the bus's own messages, such as notifications.
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: some DataProtocol) throws -> T {
        let bytes = Array(bytes)
        if let value = JSONTapeDecoder.decode(type, from: bytes) { return value }
        return try JSONValueDecoder().decode(type, from: JSONValue(parsing: bytes))
    }

    /// `2025-03-03T14:00:00Z`, or `…:00.250Z` when there are milliseconds.
    public static func formatInstant(_ date: Date) -> String {
        RFC3339.format(date)
    }

    /// Parses an RFC 3339 date-time with any offset and optional fractional seconds.
    public static func parseInstant(_ text: String) -> Date? {
        RFC3339.parse(text)
    }

    /// The coding path and kind of a `DecodingError`, without the values it may quote.
    static func summary(of error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            "$" + context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context): return "\(path(context)) has the wrong type"
        case DecodingError.valueNotFound(_, let context): return "\(path(context)) is null"
        case DecodingError.dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        default: return String(describing: type(of: error))
        }
    }
}

/// An event that could not be encoded or decoded; names the type and the field, not the data.
public struct EventCodingError: Error, Sendable, CustomStringConvertible {
    public var eventType: String
    public var reason: String

    public var description: String { "\(eventType): \(reason)" }
}
