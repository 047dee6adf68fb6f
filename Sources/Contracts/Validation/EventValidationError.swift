import Placeholders

/// Why an event was refused at the edge. Descriptions name the field and the rule, never the
/// field's value (events carry personal data, and these end up in logs and dead-letter topics).
public struct EventValidationError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        /// The bytes are not one JSON document within the size and depth limits.
        case notJSON(JSONDecodingError)
        /// An envelope member needed to pick the contract is missing or has the wrong type.
        case envelopeField(String)
        /// No contract defines this event type and version.
        case unknownEventType(String, version: Int)
        /// The contract puts this event type on another topic.
        case wrongTopic(eventType: String, expected: String)
        /// The event breaks its schema.
        case schemaViolations([SchemaViolation])
        /// A header is missing or disagrees with the envelope.
        case header(String, problem: String)
        /// The message key is not the value of the topic's key field.
        case keyMismatch(field: String)
        /// The topic's key field holds a value that says there is no number ("UNKNOWN", zeros:
        /// `PersonNumberPlaceholder`): it cannot key one person's events (on a compacted topic
        /// one person's event would replace another's).
        case placeholderKey(field: String)
        /// No contract defines this topic.
        case unknownTopic(String)
        /// The topic's values are opaque bytes (dead letters): only their headers can be checked.
        case opaqueValue(topic: String)
    }

    public var reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    /// The schema violations, if that is the reason.
    public var violations: [SchemaViolation] {
        if case .schemaViolations(let violations) = reason { return violations }
        return []
    }

    /// What is wrong with a key that says there is no number, without the field's path: the
    /// description's text, and the gateway's problem detail beside the path.
    public static let placeholderKeyProblem =
        PersonNumberPlaceholder.meaning + ", so it cannot key a person's events: leave it out and send the version that accepts another number"

    public var description: String {
        switch reason {
        case .notJSON(let error): "not a JSON event: \(error)"
        case .envelopeField(let field): "$.\(field): missing or of the wrong type; every event needs eventType (string) and schemaVersion (integer)"
        case .unknownEventType(let type, let version): "$.eventType: no contract defines \(type) version \(version)"
        case .wrongTopic(let type, let expected): "$.eventType: \(type) belongs on topic \(expected)"
        case .schemaViolations(let violations): violations.map { "\($0.instancePath): \($0.message) [\($0.keyword)]" }.joined(separator: "; ")
        case .header(let name, let problem): "header \(name): \(problem)"
        case .keyMismatch(let field): "message key: must equal the event's \(field)"
        case .placeholderKey(let field): "$.\(field): \(Self.placeholderKeyProblem)"
        case .unknownTopic(let topic): "no contract defines topic \(topic)"
        case .opaqueValue(let topic): "topic \(topic) carries opaque values; only its headers can be validated"
        }
    }
}
