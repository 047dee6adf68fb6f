import Foundation

/// The payload of one event type and version. Conforming types mirror the `payload` schema
/// of their contract; a test decodes every contract example into them and checks that the
/// re-encoded event is still valid, so the two stay in agreement.
public protocol EventPayload: Codable, Sendable, Hashable {
    /// E.g. `custody.release.scheduled`.
    static var eventType: String { get }
    /// The schema version this type mirrors.
    static var schemaVersion: Int { get }
    /// The later version of the same payload whose subject may lack the state ID
    /// (`stateIdOptional` in the contract), or nil. The payload is the same, so one Swift type
    /// reads both; an event is written in version ``schemaVersion`` when its subject has a state
    /// ID, so consumers not yet reading the new version keep receiving every such event.
    static var stateIdOptionalVersion: Int? { get }
    /// Every version this type reads: ``schemaVersion`` and ``stateIdOptionalVersion``, or
    /// later versions whose payload only allows more (see ``writtenVersion(about:)``).
    static var readVersions: [Int] { get }
    /// The version an event with this payload about `subject` is written in: by default
    /// ``version(for:)``. A type whose later version allows a field the earlier refuses (a
    /// violent incident's people named by FBI number) writes the later one only when the
    /// payload uses it, so consumers not yet reading it keep receiving every other event.
    func writtenVersion(about subject: SubjectIdentifiers?) -> Int
}

extension EventPayload {
    public static var stateIdOptionalVersion: Int? { nil }

    public static var readVersions: [Int] { [schemaVersion] + (stateIdOptionalVersion.map { [$0] } ?? []) }

    public func writtenVersion(about subject: SubjectIdentifiers?) -> Int { Self.version(for: subject) }

    /// Whether this type reads events of `version`.
    public static func reads(version: Int) -> Bool {
        readVersions.contains(version)
    }

    /// The version an event about `subject` is written in: ``schemaVersion`` unless the subject
    /// lacks a state ID and a version allowing that exists.
    public static func version(for subject: SubjectIdentifiers?) -> Int {
        guard let later = stateIdOptionalVersion, (subject?.stateId ?? "").isEmpty else { return schemaVersion }
        return later
    }
}

/// The part of every event that is the same for all types: identity, timing, source, subject
/// and causality. Routing, de-duplication and auditing work on the envelope alone.
public struct EventEnvelope<Payload: EventPayload>: Codable, Sendable, Hashable {
    /// Unique per event; receivers drop events whose id they have already processed.
    public var eventId: UUID
    public var eventType: String
    public var schemaVersion: Int
    /// When it happened in the world.
    public var occurredAt: Date
    /// When the source system recorded it.
    public var recordedAt: Date
    public var source: SourceAgency
    /// The person the event is about; absent for incidents and investigations, which name
    /// their people in the payload.
    public var subject: SubjectIdentifiers?
    /// Shared by the events of one piece of work.
    public var correlationId: UUID?
    /// The `eventId` of the event that caused this one.
    public var causationId: UUID?
    public var payload: Payload

    /// An event of `Payload`'s type and version.
    public init(
        eventId: UUID = UUID(), occurredAt: Date, recordedAt: Date = Date(), source: SourceAgency,
        subject: SubjectIdentifiers?, correlationId: UUID? = nil, causationId: UUID? = nil, payload: Payload
    ) {
        self.eventId = eventId
        self.eventType = Payload.eventType
        self.schemaVersion = payload.writtenVersion(about: subject)
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.source = source
        self.subject = subject
        self.correlationId = correlationId
        self.causationId = causationId
        self.payload = payload
    }

    private enum CodingKeys: String, CodingKey {
        case eventId, eventType, schemaVersion, occurredAt, recordedAt, source, subject, correlationId, causationId, payload
    }

    /// Decodes an event, refusing one whose type or version is not `Payload`'s.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventType = try c.decode(String.self, forKey: .eventType)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard eventType == Payload.eventType, Payload.reads(version: schemaVersion) else {
            throw DecodingError.dataCorruptedError(
                forKey: .eventType, in: c,
                debugDescription: "expected \(Payload.eventType) version \(Payload.schemaVersion), found \(eventType) version \(schemaVersion)")
        }
        eventId = try c.decode(UUID.self, forKey: .eventId)
        occurredAt = try c.decode(Date.self, forKey: .occurredAt)
        recordedAt = try c.decode(Date.self, forKey: .recordedAt)
        source = try c.decode(SourceAgency.self, forKey: .source)
        subject = try c.decodeIfPresent(SubjectIdentifiers.self, forKey: .subject)
        correlationId = try c.decodeIfPresent(UUID.self, forKey: .correlationId)
        causationId = try c.decodeIfPresent(UUID.self, forKey: .causationId)
        payload = try c.decode(Payload.self, forKey: .payload)
    }

    /// Ids are written in lower case, as most partners' tools write them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eventId.uuidString.lowercased(), forKey: .eventId)
        try c.encode(eventType, forKey: .eventType)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(recordedAt, forKey: .recordedAt)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(correlationId?.uuidString.lowercased(), forKey: .correlationId)
        try c.encodeIfPresent(causationId?.uuidString.lowercased(), forKey: .causationId)
        try c.encode(payload, forKey: .payload)
    }
}
