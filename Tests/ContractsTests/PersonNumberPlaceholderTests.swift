import Contracts
import Placeholders
import Testing

/// What systems write for "no number" is read as no number: by the rule itself, and by the
/// contracts' decoders, which every service reads its events through.
@Suite struct PersonNumberPlaceholderTests {
    @Test("values that say there is no number", arguments: [
        "UNKNOWN", "unknown", "Unk", "NONE", "N/A", "n.a.", "NULL", "PENDING", "TBD", "REFUSED", "No FBI", "NOSID",
        "0", "000000000", "000-00-0000", "99999", "XXXXXXX", "1111111", "MO0000000", "mo-000000", "", " - ",
    ])
    func placeholders(value: String) {
        #expect(PersonNumberPlaceholder.isPlaceholder(value))
    }

    @Test("real numbers of every kind", arguments: [
        "MO1234567", "734591KA2", "112233KB4", "1198734", "2025-005120", "KC-25-118832", "B1100001", "10", "7",
        "1111", "MO1000000", "UNKNOWN7", "NONE1",
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
