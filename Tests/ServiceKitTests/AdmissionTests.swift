import Contracts
import Kafka
import Testing

@testable import ServiceKit

/// What a service does with each message before applying it: nothing is skipped unseen.
@Suite struct AdmissionTests {
    let directory = TemporaryDirectory()

    /// A valid arrest whose `event-type` header is wrong: each variant reached no one and left
    /// no trace before; now each is dead-lettered naming the header (or, for another type of
    /// the topic's contract that this service does not need, counted as skipped).
    @Test(arguments: ["Police.Arrest.Made", "police.arrest.made ", "no.such.type", "supervision.case.started"])
    func wrongEventTypeIsDeadLettered(_ eventType: String) async throws {
        let service = try makeProbeService(directory: directory)
        let arrest = TestArrest()
        var headers = arrest.headers
        headers[0] = KafkaHeader(key: EventHeaders.eventType, value: eventType)
        let outcome = try await service.apply([arrest.consumed(offset: 0, headers: headers)])
        #expect(outcome.applied == 0)
        #expect(outcome.deadLettered == 1)
        let letters = try await service.deadLetters()
        #expect(letters.count == 1)
        #expect(letters.first?.header(DeadLetter.reasonHeader)?.contains("header event-type") == true)
        #expect(letters.first?.header(DeadLetter.reasonHeader)?.contains("police.arrests") == true)
        #expect(letters.first?.value == arrest.value)
        #expect(letters.first?.header(DeadLetter.sourceHeader) == "police.arrests[0]@0")
    }

    @Test func knownTypeTheServiceDoesNotNeedIsCountedPerType() async throws {
        let service = try makeProbeService(directory: directory)
        let arrest = TestArrest()
        var headers = arrest.headers
        headers[0] = KafkaHeader(key: EventHeaders.eventType, value: "police.booking.recorded")
        let outcome = try await service.apply([arrest.consumed(offset: 0, headers: headers), TestArrest().consumed(offset: 1)])
        #expect(outcome.skippedByType == ["police.booking.recorded": 1])
        #expect(outcome.applied == 1)
        #expect(outcome.deadLettered == 0)
        #expect(try await service.database.counters()["skipped:police.booking.recorded"] == 1)
    }

    @Test func malformedEnvelopesAreDeadLetteredWithTheReason() async throws {
        let arrest = TestArrest()
        let cases: [(String, KafkaConsumerMessage)] = [
            ("header event-id is missing", arrest.consumed(offset: 0, headers: Array(arrest.headers.prefix(2)))),
            ("header event-type appears more than once", arrest.consumed(offset: 1, headers: arrest.headers + [arrest.headers[0]])),
            ("header schema-version is not a positive integer",
             arrest.consumed(offset: 2, headers: [arrest.headers[0], KafkaHeader(key: EventHeaders.schemaVersion, value: "01"), arrest.headers[2]])),
            ("header event-type is not UTF-8",
             arrest.consumed(offset: 3, headers: [KafkaHeader(key: EventHeaders.eventType, value: [0xff, 0xfe])] + arrest.headers.dropFirst())),
            ("the message has no key",
             KafkaConsumerMessage(topicPartition: TopicPartition(topic: "police.arrests", partition: 0), offset: KafkaOffset(4),
                                  key: nil, value: arrest.value, headers: arrest.headers)),
        ]
        let service = try makeProbeService(directory: directory)
        let outcome = try await service.apply(cases.map(\.1))
        #expect(outcome.deadLettered == cases.count)
        let reasons = try await service.deadLetters().compactMap { $0.header(DeadLetter.reasonHeader) }
        #expect(reasons == cases.map(\.0))
    }

    /// An id seen again: the same bytes are a redelivery; other bytes are another event
    /// reusing the id, which must not vanish as a "duplicate".
    @Test func reusedEventIdIsDeadLetteredAndARedeliveryCounted() async throws {
        let service = try makeProbeService(directory: directory)
        let first = TestArrest()
        var other = first
        other.arrestId = "KCPD-A-25-099999"
        let outcome = try await service.apply([
            first.consumed(offset: 0), first.consumed(offset: 1), other.consumed(offset: 2),
        ])
        #expect(outcome.applied == 1)
        #expect(outcome.duplicates == 1)
        #expect(outcome.reusedIds == 1)
        let letters = try await service.deadLetters()
        #expect(letters.map { $0.header(DeadLetter.reasonHeader) } == ["event-id reused for different content"])
        #expect(letters.first?.value == other.value)
        #expect(try await service.count("probe_applied") == 1)
    }

    @Test func invalidValueOfANeededTypeIsDeadLettered() async throws {
        let service = try makeProbeService(directory: directory)
        let arrest = TestArrest()
        let broken = Array(String(decoding: arrest.value, as: UTF8.self).replacingOccurrences(of: "\"felony\"", with: "\"sort of\"").utf8)
        let outcome = try await service.apply([arrest.consumed(offset: 0, value: broken)])
        #expect(outcome.deadLettered == 1)
        #expect(try await service.deadLetters().first?.header(DeadLetter.reasonHeader)?.hasPrefix("invalid event:") == true)
    }

    /// Envelope-only admission (the inbox's choice, whose projection checks signed values
    /// itself) still dead-letters a type outside the topic's contract, and hands a needed
    /// event's value over unvalidated, as the bytes received.
    @Test func envelopeAdmissionChecksTheEnvelopeAndLeavesTheValueToTheProjection() async throws {
        let service = try makeProbeService(directory: directory, admission: .envelopes(EventValidator(catalog: catalog)))
        let arrest = TestArrest()
        var wrongType = arrest.headers
        wrongType[0] = KafkaHeader(key: EventHeaders.eventType, value: "no.such.type")
        let outcome = try await service.apply([
            arrest.consumed(offset: 0, headers: wrongType), arrest.consumed(offset: 1, value: Array("not json".utf8)),
        ])
        #expect(outcome.deadLettered == 1)
        #expect(outcome.applied == 1)
        #expect(try await service.deadLetters().first?.header(DeadLetter.reasonHeader)?.contains("header event-type") == true)
    }

    @Test func messagesAtOrBelowTheStoredOffsetAreSkipped() async throws {
        let service = try makeProbeService(directory: directory)
        _ = try await service.apply([TestArrest().consumed(offset: 0), TestArrest().consumed(offset: 1)])
        let again = try await service.apply([TestArrest().consumed(offset: 1), TestArrest().consumed(offset: 2)])
        #expect(again.skipped == 1)
        #expect(again.applied == 1)
    }
}
