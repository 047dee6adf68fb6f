/// The contract of one Kafka topic, read from `Topics/<name>.yaml`.
///
/// It says what the topic is for, how it is keyed and kept, who writes and reads it, and the
/// exact shape and classification of every event type and version it carries. Tools apply it
/// to clusters (`topics apply`) and every producer validates against it before sending.
public struct TopicContract: Sendable {
    /// How long the topic keeps messages.
    public enum Retention: Sendable, Hashable, CustomStringConvertible {
        /// Kept this many milliseconds.
        case milliseconds(Int64)
        /// Kept until deleted (`retention.ms=-1`), for reference data and court orders.
        case forever

        /// The value of the `retention.ms` topic config.
        public var configValue: String {
            switch self {
            case .milliseconds(let ms): String(ms)
            case .forever: "-1"
            }
        }

        public var description: String {
            switch self {
            case .forever: "forever"
            case .milliseconds(let ms) where ms % 86_400_000 == 0: "\(ms / 86_400_000)d"
            case .milliseconds(let ms) where ms % 3_600_000 == 0: "\(ms / 3_600_000)h"
            case .milliseconds(let ms): "\(ms)ms"
            }
        }

        /// Parses `forever`, `<n>d`, `<n>h` or `<n>ms`.
        init?(_ text: String) {
            if text == "forever" { self = .forever; return }
            for (suffix, factor) in [("ms", Int64(1)), ("d", 86_400_000), ("h", 3_600_000)] where text.hasSuffix(suffix) {
                guard let n = Int64(text.dropLast(suffix.count)), n > 0 else { return nil }
                self = .milliseconds(n * factor)
                return
            }
            return nil
        }
    }

    /// Kafka's `cleanup.policy`.
    public enum CleanupPolicy: String, Sendable, Hashable {
        /// Old messages are deleted after the retention time.
        case delete
        /// Only the latest message per key is kept.
        case compact
    }

    /// The message key: which event field it is taken from and why that field.
    public struct Key: Sendable, Hashable {
        /// Dotted path into the event, e.g. `subject.stateId`.
        public var field: String
        public var why: String

        /// The path's components, e.g. `["subject", "stateId"]`.
        public var components: [String] { field.split(separator: ".").map(String.init) }
    }

    /// What a message's value is on this topic.
    ///
    /// The agencies' topics carry the common envelope (``event``). The bus's own topics differ,
    /// and a contract says how rather than forcing them into the envelope: notifications are a
    /// JSON document of their own whose type, version and id travel only in headers
    /// (``message``), and dead letters hold the original bytes of any topic, which are JSON of
    /// no one schema, so only their headers can be checked (``opaque``).
    public enum ValueFormat: String, Sendable, Hashable {
        /// The common envelope from `common.yaml`, with the event's fields under `payload`.
        case event
        /// A JSON document described whole by each event's `message` schema; the event's type,
        /// version and id are in the `event-type`, `schema-version` and `event-id` headers.
        case message
        /// Bytes that no schema describes; the contract documents and checks the headers only.
        case opaque
    }

    public var name: String
    /// The file it was read from, relative to the contracts directory.
    public var file: String
    public var purpose: String
    public var key: Key
    public var partitions: Int
    public var cleanupPolicy: CleanupPolicy
    public var retention: Retention
    public var producers: [String]
    public var consumers: [String]
    /// Event versions the topic carries; empty on an ``ValueFormat/opaque`` topic.
    public var events: [EventContract]
    /// Default: ``ValueFormat/event``.
    public var valueFormat: ValueFormat = .event
    /// On a ``ValueFormat/message`` topic, the top-level member the `event-id` header repeats.
    public var eventIdField: String?
    /// Headers particular to this topic (beyond `event-type`, `schema-version`, `event-id` and
    /// `content-type`, which every event and message topic uses), checked by
    /// ``EventValidator/validateHeaders(_:topic:)``.
    public var headers: [HeaderContract] = []
    /// On an ``ValueFormat/opaque`` topic, the classification of the value as a whole.
    public var valueClassifications: [FieldClassification] = []
    /// On an ``ValueFormat/opaque`` topic, header sets that must pass and fail the header checks.
    public var headerExamples: [HeaderExample] = []

    /// Topic configs for `topics apply`.
    public var configs: [String: String] {
        ["cleanup.policy": cleanupPolicy.rawValue, "retention.ms": retention.configValue]
    }

    /// Whether events are keyed by the subject's state ID, which makes `subject.stateId` required.
    public var isKeyedBySubject: Bool { valueFormat == .event && key.field.hasPrefix("subject.") }
}

/// A header a topic's messages carry, as its contract documents it.
public struct HeaderContract: Sendable {
    public var name: String
    public var description: String
    /// Whether every message must carry it.
    public var required: Bool
    /// ECMA-262 pattern the value must match (searched, so anchor it), if any.
    public var pattern: String?
    /// The only values allowed, if the contract lists them.
    public var values: [String]?
    /// Required only when another header has a given value (`requiredWhen: {header: value}`),
    /// e.g. a dead letter's size when its form is `reference`.
    public var requiredWhen: (header: String, value: String)?
    public var classifications: [FieldClassification]
    /// `pattern`, compiled when the contract is loaded.
    let matcher: JSONSchema.Pattern?

    /// Why this header, in a message with `headers`, breaks its contract (`nil` if it does
    /// not). Names the rule, never the value, which may hold personal data.
    public func problem(in headers: [String: String]) -> String? {
        if headers[name] == nil, let condition = requiredWhen, headers[condition.header] == condition.value {
            return "missing (required when \(condition.header) is \(condition.value))"
        }
        return problem(with: headers[name])
    }

    /// Why `value` breaks this header's own rules (`nil` if it does not).
    public func problem(with value: String?) -> String? {
        guard let value else { return required ? "missing" : nil }
        if let values, !values.contains(value) { return "must be one of \(values.joined(separator: ", "))" }
        if let matcher, !matcher.matches(value) { return "does not match \(matcher.source)" }
        return nil
    }
}

/// A set of headers that the contract says must pass (``expectedHeader`` nil) or fail, naming
/// the header that must be reported.
public struct HeaderExample: Sendable, Hashable {
    public var description: String
    public var headers: [String: String]
    public var expectedHeader: String?
    public var path: JSONPath
}

/// One version of one event type that a topic carries.
public struct EventContract: Sendable {
    /// E.g. `custody.release.scheduled`.
    public var type: String
    public var version: Int
    public var description: String
    /// The JSON Schema of the `payload` member as written in the contract or, on a
    /// ``TopicContract/ValueFormat/message`` topic, of the whole message (`message:`).
    public var payloadSchema: JSONValue
    /// Field path (e.g. `payload.destination`; on a message topic, from the root: `summary`) →
    /// classifications. A classification covers the
    /// field and everything inside it.
    public var fields: [String: [FieldClassification]]
    /// Complete example events, valid against the schema.
    public var validExamples: [JSONValue]
    public var invalidExamples: [InvalidExample]
    /// Where the event is in its file, for messages: `$.events[2]`.
    public var path: JSONPath
    /// On a topic keyed by `subject.stateId`: whether this version's subject may lack the state
    /// ID (`stateIdOptional: true` in the contract, issue 19). Bookings and records-system
    /// entries often arrive before fingerprints give a state ID; refusing them lost the event.
    /// Such an event is keyed by ``SubjectKey`` — the state ID when present, else another
    /// identifier scoped by its agency — and must carry at least one identifier (`$defs/subject`).
    public var stateIdOptional: Bool = false
    /// Whether, without the state ID, only the FBI number may stand in for it
    /// (`stateIdOptional: fbiNumber`, `$defs/numberedSubject`): the two numbers every read model
    /// files people under. A court's sealing order must reach every read model, and one naming
    /// a person by an agency's own number only (booking, DOC, records system) could not be
    /// applied by those that know no links between records.
    public var fbiNumberStandsIn: Bool = false
    /// Who reads this event type, when only some of the topic's consumers do (`consumers:` in
    /// the event, a subset of the topic's): `bus.identity` carries review requests and human
    /// decisions for the operators beside the links the router follows. Nil: every consumer of
    /// the topic.
    public var consumers: [String]?

    /// The topic's consumers that read this event type.
    public func readers(on topic: TopicContract) -> [String] { consumers ?? topic.consumers }

    /// `<type>.v<version>`, the stem of the exported schema's file name.
    public var qualifiedName: String { "\(type).v\(version)" }
}

/// An example the schema must reject, with the violation it must report.
public struct InvalidExample: Sendable {
    public var description: String
    /// The valid example it is made from (index into ``EventContract/validExamples``).
    public var from: Int
    /// Dotted paths (`payload.charges.0.level`) set to new values.
    public var set: [(field: String, value: JSONValue)]
    /// Dotted paths removed.
    public var remove: [String]
    /// The complete (invalid) event, once built from the valid example.
    public var event: JSONValue
    /// Instance path of the expected violation, e.g. `$.payload.releaseType`.
    public var expectedPath: String
    /// The keyword that must fail there, e.g. `enum`.
    public var expectedKeyword: String
    public var path: JSONPath
}
