import Foundation
import Placeholders

/// Checks events against their contracts at the edge: before a producer sends them, and when
/// a consumer receives them from a partner's client.
///
/// Validation never trusts the payload's shape: it parses with size limits, picks the schema
/// from the envelope's type and version, and reports every violation. Immutable; share freely.
public struct EventValidator: Sendable {
    public let catalog: TopicCatalog
    /// Size and nesting limits per event. Default: ``JSONDecodingLimits/events`` (256 KiB).
    public let limits: JSONDecodingLimits
    /// Whether a person-keyed topic's key that says there is no number ("UNKNOWN", zeros:
    /// `PersonNumberPlaceholder`) is refused (``EventValidationError/Reason/placeholderKey(field:)``).
    /// Set where events enter the bus (the gateway's ingest, `publish`): such a key puts
    /// strangers' events under one key, and on a compacted topic one person's event replaces
    /// another's. Consumers leave it off: events already on the topics stay readable, and replay
    /// rebuilds what the services built (the decoders read such a value as no number).
    public let refusesPlaceholderKeys: Bool

    public init(catalog: TopicCatalog, limits: JSONDecodingLimits = .events, refusesPlaceholderKeys: Bool = false) {
        self.catalog = catalog
        self.limits = limits
        self.refusesPlaceholderKeys = refusesPlaceholderKeys
    }

    /// Parses and validates one event's JSON bytes for `topic`.
    public func validate(bytes: some ContiguousBytes, topic: String) throws(EventValidationError) -> ValidatedEvent {
        let array = bytes as? [UInt8] ?? bytes.withUnsafeBytes { Array($0) }
        if let event = validatedOnBytes(array, topic: topic) {
            try refusePlaceholderKey(event.key, topic: topic)
            return event
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: array, limits: limits)
        } catch {
            throw EventValidationError(.notJSON(error))
        }
        return try validate(document, topic: topic)
    }

    /// The path of valid events: the event's type found by brackets and quotes
    /// (``MemberScanner``), the schema of its type checked on the bytes
    /// (``JSONSchema/byteVerdict(_:limits:capturing:)``) while noting where the envelope's
    /// version and id and the key lie, and no tree built. The verdict makes what the scan and
    /// the notes found trustworthy. `nil` for any event it cannot pass — invalid, malformed, or
    /// keyed by ``SubjectKey`` — which the tree then validates and, if it is invalid, explains.
    private func validatedOnBytes(_ array: [UInt8], topic: String) -> ValidatedEvent? {
        array.withUnsafeBufferPointer { bytes -> ValidatedEvent? in
            guard bytes.count <= limits.maxDocumentBytes, bytes.first == UInt8(ascii: "{") else { return nil }
            let scanner = MemberScanner(bytes: bytes)
            guard let typeOffset = scanner.valueOffset(of: Self.eventTypeName, inObjectAt: 0),
                let eventType = scanner.string(at: typeOffset),
                let route = catalog.validationRoutes[eventType], route.topic == topic,
                let (version, schema) = Self.byteVersion(of: route, scanner)
            else { return nil }
            typealias Captured = TopicCatalog.ValidationRoute.Captured
            let (verdict, offsets) = schema.byteVerdict(bytes, limits: limits, capturing: route.captures)
            // The scans only pick the schema; the verdict's notes confirm what they found.
            guard verdict == .valid, offsets[Captured.eventType] == typeOffset,
                offsets[Captured.schemaVersion].flatMap(scanner.integer(at:)) == Int64(version),
                let eventId = offsets[Captured.eventId].flatMap(scanner.string(at:)),
                let key = offsets[Captured.key].flatMap(scanner.string(at:))
            else { return nil }
            return ValidatedEvent(topic: topic, eventType: eventType, schemaVersion: version, eventId: eventId, key: key, bytes: array, limits: limits)
        }
    }

    /// The version whose schema checks the event on bytes: the type's only one keyed by the
    /// state ID (nearly always), else the one the event states, found by a scan. An event of a
    /// version whose subject may lack the state ID (version 2 of releases, arrests, warrants:
    /// written only when the state ID is unknown) is then refused by that schema's
    /// `schemaVersion` and goes to the tree, one byte pass later than a scan for the version
    /// would have sent it: cheaper than scanning every event for its version.
    private static func byteVersion(of route: TopicCatalog.ValidationRoute, _ scanner: MemberScanner) -> (version: Int, schema: JSONSchema)? {
        guard route.byteVersions.count > 1 else { return route.byteVersions.first }
        guard let stated = scanner.valueOffset(of: schemaVersionName, inObjectAt: 0).flatMap(scanner.integer(at:)) else { return nil }
        return route.byteVersions.first { Int64($0.version) == stated }
    }

    /// With ``refusesPlaceholderKeys``, refuses a person-keyed topic's key that says there is no
    /// number: the state ID of version 1, or the number a ``SubjectKey`` starts with (`UNKNOWN`,
    /// `fbi:NONE`). The decoders read such a value as none; as a key it would put strangers'
    /// events under one key, and on a compacted topic (mental-health bulletins) one person's
    /// latest event would replace another's.
    private func refusePlaceholderKey(_ key: String, topic: String) throws(EventValidationError) {
        guard refusesPlaceholderKeys, PersonNumberPlaceholder.isPlaceholder(SubjectKey.number(in: key)),
            let contract = catalog.topic(named: topic), contract.isKeyedBySubject
        else { return }
        throw EventValidationError(.placeholderKey(field: SubjectKey.field(of: key) ?? contract.key.field))
    }

    private static let eventTypeName = Array("eventType".utf8)
    private static let schemaVersionName = Array("schemaVersion".utf8)

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
        // The schema guarantees both: eventId is a uuid string, the key field a required string
        // (or, for a version whose subject may lack the state ID, at least one identifier).
        let stateIdOptional = catalog.event(type: eventType, version: Int(version))?.stateIdOptional ?? false
        let keyValue: String? = if stateIdOptional {
            SubjectKey.key(of: document)
        } else if case .string(let field)? = document.value(atDottedPath: contract.key.components) {
            field
        } else {
            nil
        }
        guard case .string(let eventId)? = document["eventId"], let key = keyValue
        else { throw EventValidationError(.keyMismatch(field: stateIdOptional ? "subject (no identifier)" : contract.key.field)) }
        try refusePlaceholderKey(key, topic: topic)
        return ValidatedEvent(topic: topic, eventType: eventType, schemaVersion: Int(version), eventId: eventId, key: key, document: document)
    }

    /// Validates a received message: the value against its contract, and the key and headers
    /// against the value, so that a partner's client that sets them wrongly is caught.
    ///
    /// On a topic whose value is a message of its own (``TopicContract/ValueFormat/message``,
    /// such as `bus.notifications`) the contract is picked by the `event-type` and
    /// `schema-version` headers, and the `event-id` header must equal the message's id member.
    /// Every topic's documented headers (``TopicContract/headers``) are checked too. An
    /// ``TopicContract/ValueFormat/opaque`` topic (`bus.dead-letters`) has no event to return:
    /// use ``validateHeaders(_:topic:)`` for it; this method throws ``EventValidationError/Reason/opaqueValue(topic:)``.
    public func validateMessage(topic: String, key: [UInt8]?, value: [UInt8], headers: [String: String]) throws(EventValidationError) -> ValidatedEvent {
        guard let contract = catalog.topic(named: topic) else { throw EventValidationError(.unknownTopic(topic)) }
        switch contract.valueFormat {
        case .opaque: throw EventValidationError(.opaqueValue(topic: topic))
        case .message: return try validateMessageValue(contract, key: key, value: value, headers: headers)
        case .event: break
        }
        try validateHeaders(headers, topic: topic)
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
            let stateIdOptional = catalog.event(type: event.eventType, version: event.schemaVersion)?.stateIdOptional ?? false
            throw EventValidationError(.keyMismatch(field: stateIdOptional ? "subject key (the state ID, else fbi:, doc:, booking: or rms: with its scope)" : catalog.topic(named: topic)?.key.field ?? "key field"))
        }
        return event
    }

    /// Checks the headers a topic's contract documents (required, allowed values, pattern).
    /// For an opaque topic such as `bus.dead-letters` this is the whole check: the value is
    /// another topic's bytes and is never parsed.
    public func validateHeaders(_ headers: [String: String], topic: String) throws(EventValidationError) {
        guard let contract = catalog.topic(named: topic) else { throw EventValidationError(.unknownTopic(topic)) }
        for header in contract.headers {
            if let problem = header.problem(in: headers) { throw EventValidationError(.header(header.name, problem: problem)) }
        }
    }

    /// A message topic's value: the contract from the headers, the schema over the whole
    /// value, then the id and key members against the `event-id` header and the message key.
    private func validateMessageValue(
        _ contract: TopicContract, key: [UInt8]?, value: [UInt8], headers: [String: String]
    ) throws(EventValidationError) -> ValidatedEvent {
        try validateHeaders(headers, topic: contract.name)
        guard let eventType = headers[EventHeaders.eventType] else { throw EventValidationError(.header(EventHeaders.eventType, problem: "missing")) }
        guard let versionText = headers[EventHeaders.schemaVersion], let version = Int(versionText) else {
            throw EventValidationError(.header(EventHeaders.schemaVersion, problem: "missing or not an integer"))
        }
        guard let schema = catalog.schema(forEventType: eventType, version: version), catalog.topic(forEventType: eventType)?.name == contract.name else {
            throw EventValidationError(.unknownEventType(eventType, version: version))
        }
        if let contentType = headers[EventHeaders.contentType], contentType != EventHeaders.json {
            throw EventValidationError(.header(EventHeaders.contentType, problem: "must be \(EventHeaders.json)"))
        }
        let idField = contract.eventIdField ?? "id"
        var event: ValidatedEvent
        if let onBytes = value.withUnsafeBufferPointer({ bytes -> ValidatedEvent? in
            // Valid messages, nearly all, are read from their bytes; the tree explains the others.
            let scanner = MemberScanner(bytes: bytes)
            guard schema.byteVerdict(bytes, limits: limits) == .valid,
                let offsets = scanner.valueOffsets(of: [Array(idField.utf8), Array(contract.key.field.utf8)], inObjectAt: 0),
                let eventId = offsets[0].flatMap(scanner.string(at:)), let messageKey = offsets[1].flatMap(scanner.string(at:))
            else { return nil }
            return ValidatedEvent(topic: contract.name, eventType: eventType, schemaVersion: version, eventId: eventId, key: messageKey, bytes: value, limits: limits)
        }) {
            event = onBytes
        } else {
            let document: JSONValue
            do {
                document = try JSONValue(parsing: value, limits: limits)
            } catch {
                throw EventValidationError(.notJSON(error))
            }
            let violations = schema.validate(document)
            guard violations.isEmpty else { throw EventValidationError(.schemaViolations(violations)) }
            // The loader made sure the schema requires both members; a non-string is a violation above.
            guard case .string(let eventId)? = document[idField], case .string(let messageKey)? = document[contract.key.field] else {
                throw EventValidationError(.keyMismatch(field: contract.key.field))
            }
            event = ValidatedEvent(topic: contract.name, eventType: eventType, schemaVersion: version, eventId: eventId, key: messageKey, document: document)
        }
        guard let sentId = headers[EventHeaders.eventId] else { throw EventValidationError(.header(EventHeaders.eventId, problem: "missing")) }
        guard sentId == event.eventId else { throw EventValidationError(.header(EventHeaders.eventId, problem: "differs from the message's \(idField)")) }
        guard let key, String(decoding: key, as: UTF8.self) == event.key else { throw EventValidationError(.keyMismatch(field: contract.key.field)) }
        return event
    }
}
