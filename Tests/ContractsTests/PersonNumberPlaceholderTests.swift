import Contracts
import Placeholders
import Testing

/// What systems write for "no number" is read as no number: by the rule itself, and by the
/// contracts' decoders, which every service reads its events through.
@Suite struct PersonNumberPlaceholderTests {
    @Test("values that say there is no number", arguments: [
        "UNKNOWN", "unknown", "Unk", "NONE", "N/A", "n.a.", "NULL", "PENDING", "TBD", "REFUSED", "No FBI", "NOSID",
        "0", "000000000", "000-00-0000", "99999999", "XXXXXXXXX", "111111111", "MO0000000", "mo-000000", "", " - ",
    ])
    func placeholders(value: String) {
        #expect(PersonNumberPlaceholder.isPlaceholder(value))
    }

    @Test("real numbers of every kind", arguments: [
        "MO1234567", "734591KA2", "112233KB4", "1198734", "2025-005120", "KC-25-118832", "B1100001", "10", "7",
        "1111", "1111111", "22222", "MO1000000", "UNKNOWN7", "NONE1",
    ])
    func numbers(value: String) {
        #expect(!PersonNumberPlaceholder.isPlaceholder(value))
    }

    @Test func socialSecurityNumbersFormsAreFilledInWith() {
        #expect(PersonNumberPlaceholder.isPlaceholderSSN("123-45-6789"))
        #expect(PersonNumberPlaceholder.isPlaceholderSSN("987654321"))
        #expect(PersonNumberPlaceholder.isPlaceholderSSN("000000000"))
        #expect(!PersonNumberPlaceholder.isPlaceholderSSN("123-45-6788"))
        #expect(!PersonNumberPlaceholder.isPlaceholderSSN("6789"))
    }

    /// Numbers the Social Security Administration never issues are typed for one not known;
    /// read as a number, two strangers given "000-00-0000"-like values would share it.
    @Test("nine digits never issued are no number; a taxpayer number (9xx) and issued ones are numbers", arguments: [
        ("000-12-3456", true), ("666-12-3456", true), ("123-00-4567", true), ("123-45-0000", true),
        ("912-70-1234", false), ("001-01-0001", false), ("665-99-9999", false), ("0000", true), ("1234", false),
    ])
    func neverIssuedSocialSecurityNumbers(value: String, isPlaceholder: Bool) {
        #expect(PersonNumberPlaceholder.isPlaceholderSSN(value) == isPlaceholder)
    }

    /// A subject, an involved person and a subscribed person, each with a placeholder beside a
    /// number: the placeholder decodes as absent, the number and everything else as sent; what
    /// they encode again says the same.
    @Test func decodersReadAPlaceholderAsNoNumber() throws {
        let subject = try EventCodec.decodeJSON(SubjectIdentifiers.self, from: Array("""
            {"stateId": "MO1234567", "fbiNumber": "UNKNOWN", "docNumber": "N/A", "bookingNumber": "2025-005120",
             "rmsNumber": "000000", "name": {"given": "Darnell", "family": "Reyes"}, "dateOfBirth": "1990-07-14"}
            """.utf8))
        #expect(subject == SubjectIdentifiers(
            stateId: "MO1234567", bookingNumber: "2025-005120", name: PersonName(given: "Darnell", family: "Reyes"),
            dateOfBirth: CalendarDate("1990-07-14")))
        #expect(try EventCodec.decodeJSON(SubjectIdentifiers.self, from: EventCodec.encodeJSON(subject)) == subject)

        let involved = try EventCodec.decodeJSON(InvolvedPerson.self, from: Array("""
            {"stateId": "NONE", "fbiNumber": "734591KA2", "underSupervision": true}
            """.utf8))
        #expect(involved == InvolvedPerson(fbiNumber: "734591KA2", underSupervision: true))

        let subscribed = try EventCodec.decodeJSON(SubscribedPerson.self, from: Array(#"{"stateId": "MO0000000", "fbiNumber": "734591KA2"}"#.utf8))
        #expect(subscribed == SubscribedPerson(fbiNumber: "734591KA2"))
    }

    /// Where events enter the bus (gateway, `publish`), the key of a person's events cannot be a
    /// placeholder: version 1 of an arrest keyed by the state ID "UNKNOWN" is refused, naming
    /// the field, version 2 keyed `fbi:NONE` too, and a bulletin on the compacted topic, where
    /// one person's bulletin would otherwise replace another's. A consumer's validator reads
    /// all of them as before (events already on the topics stay readable, and a replay
    /// rebuilds what the services built).
    @Test func aPlaceholderCannotKeyAPersonsEventsWhereTheyEnterTheBus() throws {
        let topics = try TopicCatalog.load(from: repositoryTopics)
        let ingress = EventValidator(catalog: topics, refusesPlaceholderKeys: true)
        let consumer = EventValidator(catalog: topics)
        func example(_ topic: String, _ type: String, version: Int) throws -> [String: JSONValue] {
            let contract = try #require(topics.topic(named: topic)?.events.first { $0.type == type && $0.version == version })
            guard case .object(let event)? = contract.validExamples.first else { throw ExampleMissing() }
            return event
        }
        func with(_ event: [String: JSONValue], version: Int? = nil, subject: [String: JSONValue?]) -> [UInt8] {
            var event = event
            if let version { event["schemaVersion"] = .number(JSONNumber(version)) }
            guard case .object(var old)? = event["subject"] else { return [] }
            for (key, value) in subject { old[key] = value }
            event["subject"] = .object(old)
            return Array(JSONValue.object(event).description.utf8)
        }
        let arrest = try example("police.arrests", ArrestMade.eventType, version: 1)
        let bulletin = try example("supervision.mental-health-bulletins", "supervision.mental-health-bulletin.published", version: 1)
        let cases: [(topic: String, bytes: [UInt8], field: String, key: String)] = [
            ("police.arrests", with(arrest, subject: ["stateId": .string("UNKNOWN")]), "subject.stateId", "UNKNOWN"),
            ("police.arrests", with(arrest, subject: ["stateId": .string("MO0000000")]), "subject.stateId", "MO0000000"),
            ("police.arrests", with(arrest, version: 2, subject: ["stateId": nil, "fbiNumber": .string("NONE")]), "subject.fbiNumber", "fbi:NONE"),
            ("supervision.mental-health-bulletins", with(bulletin, subject: ["stateId": .string("UNKNOWN")]), "subject.stateId", "UNKNOWN"),
        ]
        for (topic, bytes, field, key) in cases {
            let error = #expect(throws: EventValidationError.self) { try ingress.validate(bytes: bytes, topic: topic) }
            #expect(error?.description.hasPrefix("$.\(field): says there is no number") == true, "\(error?.description ?? "")")
            #expect(try consumer.validate(bytes: bytes, topic: topic).key == key)
        }
        // A real number as the key, a placeholder beside it: accepted where events enter too.
        let beside = try ingress.validate(bytes: with(arrest, subject: ["fbiNumber": .string("UNKNOWN")]), topic: "police.arrests")
        #expect(beside.key != "UNKNOWN")
    }

    struct ExampleMissing: Error {}

    /// A whole event through the codec every service uses: its subject's placeholder is gone,
    /// a number left alone, the event otherwise as sent.
    @Test func anEventsSubjectLosesOnlyItsPlaceholder() throws {
        let topics = try TopicCatalog.load(from: repositoryTopics)
        let contract = try #require(topics.topic(named: "police.arrests")?.events.first { $0.type == ArrestMade.eventType && $0.version == 1 })
        let example = try #require(contract.validExamples.first)
        guard case .object(var event) = example, case .object(var subject)? = event["subject"] else {
            Issue.record("the example has no subject")
            return
        }
        subject["fbiNumber"] = .string("UNKNOWN")
        event["subject"] = .object(subject)
        let decoded = try EventCodec.decode(ArrestMade.self, from: JSONValue.object(event))
        let original = try EventCodec.decode(ArrestMade.self, from: example)
        #expect(decoded.subject?.fbiNumber == nil)
        #expect(decoded.subject?.stateId == original.subject?.stateId)
        var expected = original
        expected.subject?.fbiNumber = nil
        #expect(decoded == expected)
    }
}
