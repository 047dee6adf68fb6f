import Contracts
import Foundation
import Testing

@Suite("Swift event types agree with the contracts")
struct EventModelTests {
    static let catalog = try! TopicCatalog.load(from: repositoryTopics)
    /// Topics of enveloped events (the agencies' and bus.subscriptions); the bus's other topics
    /// have their types elsewhere (notifications: `Notifications.BusNotification`, checked in
    /// BusTopicContractTests).
    static let agencyTopics = catalog.topics.filter { $0.valueFormat == .event }

    @Test("every contract event version has a Swift payload type, and every type a contract")
    func typesCoverContracts() {
        let contracts = Set(Self.agencyTopics.flatMap(\.events).map(\.qualifiedName))
        // A type reads its own version and, if any, the one whose subject may lack a state ID.
        let types = Set(EventTypes.all.flatMap { type in
            type.readVersions.map { "\(type.eventType).v\($0)" }
        })
        #expect(contracts == types)
    }

    /// Decodes with `Payload`, re-encodes, and returns the new bytes.
    func roundTrip<Payload: EventPayload>(_ type: Payload.Type, _ bytes: [UInt8]) throws -> [UInt8] {
        let event = try EventCodec.decode(Payload.self, from: bytes)
        #expect(event.eventType == Payload.eventType)
        return try EventCodec.encode(event)
    }

    @Test("every valid example decodes, and re-encodes to a document its schema accepts")
    func examplesRoundTrip() throws {
        var checked = 0
        for topic in Self.agencyTopics {
            for event in topic.events {
                let type = try #require(EventTypes.payloadType(eventType: event.type, version: event.version), "\(event.qualifiedName)")
                let schema = try #require(Self.catalog.schema(forEventType: event.type, version: event.version))
                for example in event.validExamples {
                    let encoded = try roundTrip(type, Array(example.description.utf8))
                    let document = try JSONValue(parsing: encoded)
                    #expect(schema.validate(document) == [], "\(event.qualifiedName)")
                    // Only the spelling of instants may change (offsets become UTC).
                    #expect(Self.withoutInstants(document) == Self.withoutInstants(example), "\(event.qualifiedName)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 34)
    }

    /// The document with date-time strings replaced by the instant they denote.
    static func withoutInstants(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s) where s.count > 10 && s.contains("T"):
            if let date = EventCodec.parseInstant(s) { return .number(JSONNumber(date.timeIntervalSince1970)!) }
            return value
        case .array(let elements): return .array(elements.map(withoutInstants))
        case .object(let members): return .object(members.mapValues(withoutInstants))
        default: return value
        }
    }

    @Test("decoding refuses an event of another type")
    func wrongType() throws {
        let example = try #require(Self.catalog.event(type: "custody.release.cancelled", version: 1)?.validExamples.first)
        #expect(throws: EventCodingError.self) {
            try EventCodec.decode(ReleaseScheduled.self, from: Array(example.description.utf8))
        }
    }

    @Test("encoding is stable: sorted members, UTC instants, lower-case ids")
    func stableEncoding() throws {
        let event = EventEnvelope(
            eventId: UUID(uuidString: "6F1C2A7E-3B1D-4C55-9A0E-2D9B8F4E1A01")!,
            occurredAt: EventCodec.parseInstant("2025-03-03T09:00:00-05:00")!,
            recordedAt: EventCodec.parseInstant("2025-03-03T14:00:05.250Z")!,
            source: SourceAgency(agencyId: "MO-JCDC", agencyKind: .jail),
            subject: SubjectIdentifiers(stateId: "MO1234567"),
            payload: ReleaseCancelled(releaseId: "R-1", reason: "Detainer lodged"))
        let text = String(decoding: try EventCodec.encode(event), as: UTF8.self)
        #expect(text == #"{"eventId":"6f1c2a7e-3b1d-4c55-9a0e-2d9b8f4e1a01","eventType":"custody.release.cancelled","occurredAt":"2025-03-03T14:00:00Z","payload":{"reason":"Detainer lodged","releaseId":"R-1"},"recordedAt":"2025-03-03T14:00:05.250Z","schemaVersion":1,"source":{"agencyId":"MO-JCDC","agencyKind":"jail"},"subject":{"stateId":"MO1234567"}}"#)
        let schema = try #require(Self.catalog.schema(forEventType: "custody.release.cancelled", version: 1))
        #expect(schema.validate(try JSONValue(parsing: text)) == [])
    }

    @Test("Swift enumerations have exactly the glossary's codes")
    func glossaryAgreement() throws {
        // busService names the bus's own producers and consumers in contracts; no event carries it.
        let glossary = Self.catalog.glossary.enumerations.filter { $0.key != "busService" }
        func codes<E: CaseIterable & RawRepresentable>(_: E.Type) -> [String] where E.RawValue == String {
            E.allCases.map(\.rawValue).sorted()
        }
        let swift: [String: [String]] = [
            "agencyKind": codes(AgencyKind.self), "supervisionType": codes(SupervisionType.self),
            "releaseType": codes(ReleaseType.self), "facilityKind": codes(FacilityKind.self),
            "warrantKind": codes(WarrantKind.self), "detainerKind": codes(DetainerKind.self),
            "contactKind": codes(ContactKind.self), "relationToSubject": codes(RelationToSubject.self),
            "riskLevel": codes(RiskLevel.self), "needDomain": codes(NeedDomain.self),
            "conditionKind": codes(ConditionKind.self), "caseEndReason": codes(CaseEndReason.self),
            "violentIncidentKind": codes(ViolentIncidentKind.self),
            "investigationSensitivity": codes(InvestigationSensitivity.self),
            "offenseLevel": codes(OffenseLevel.self), "bulletinWithdrawalReason": codes(BulletinWithdrawalReason.self),
            "subscriptionEventKind": codes(SubscriptionEventKind.self),
            "subscriptionLegalBasis": codes(SubscriptionLegalBasis.self),
            "accessRole": codes(AccessRole.self), "accessPurpose": codes(AccessPurpose.self),
        ]
        #expect(Set(swift.keys) == Set(glossary.keys))
        for (name, enumeration) in glossary {
            #expect(swift[name] == enumeration.codes.sorted(), "\(name)")
            #expect(enumeration.values.allSatisfy { !$0.definition.isEmpty })
        }
    }

    @Test("calendar dates reject days that do not exist")
    func calendarDates() {
        #expect(CalendarDate("2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate("2025-02-29") == nil)
        #expect(CalendarDate("2025-1-01") == nil)
    }
}
