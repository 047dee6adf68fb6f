import Contracts
import Kafka
import Testing

@testable import ServiceKit

/// The views service hands one admitted event to several stores; each decodes it. The first
/// decoding is shared by every copy of the event, and a copy given other bytes decodes those.
@Suite struct AdmittedEventDecodingTests {
    static func admitted(_ arrest: TestArrest) -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: "police.arrests", partition: 0), offset: KafkaOffset(0), key: arrest.stateId,
            eventType: ArrestMade.eventType, schemaVersion: 1, eventId: arrest.eventId, value: arrest.value, timestampMilliseconds: nil)
    }

    @Test func copiesShareTheDecodedEnvelope() throws {
        let event = Self.admitted(TestArrest())
        let copy = event
        let first = try event.decode(ArrestMade.self)
        #expect(try copy.decode(ArrestMade.self) == first)
        #expect(first.subject?.stateId == "MO1234567")
    }

    @Test func newBytesAreDecodedAnew() throws {
        var event = Self.admitted(TestArrest())
        #expect(try event.decode(ArrestMade.self).subject?.stateId == "MO1234567")
        event.value = TestArrest(stateId: "MO7654321").value
        #expect(try event.decode(ArrestMade.self).subject?.stateId == "MO7654321")
    }

    @Test func aTypeThatDoesNotFitIsStillAPoisonMessage() throws {
        let event = Self.admitted(TestArrest())
        _ = try event.decode(ArrestMade.self)
        #expect(throws: PoisonMessage.self) { try event.decode(ReleaseScheduled.self) }
    }
}

/// A valid event is admitted on its bytes and decoded straight from them: no tree is built for
/// it (building one cost more than decoding). An event the validator had to read as a tree
/// keeps that tree, so it is not parsed twice.
@Suite struct AdmissionDecodingPathTests {
    @Test func aValidEventIsDecodedFromItsBytes() throws {
        let admission = MessageAdmission.contracts(EventValidator(catalog: catalog))
        let message = TestArrest().consumed(offset: 0)
        let event = try admission.admit(message, envelope: admission.envelope(of: message))
        #expect(event.document == nil)
        #expect(try event.decode(ArrestMade.self).subject?.stateId == "MO1234567")
    }
}
