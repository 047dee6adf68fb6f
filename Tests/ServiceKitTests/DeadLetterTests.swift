import Contracts
import Kafka
import Testing

@testable import ServiceKit

@Suite struct DeadLetterTests {
    let source = TopicPartition(topic: "police.arrests", partition: 3)

    @Test func aMessageThatFitsIsCopiedWithItsReasonAndSource() {
        let message = KafkaConsumerMessage(
            topicPartition: source, offset: KafkaOffset(42), key: Array("MO1".utf8), value: Array("{}".utf8),
            headers: [KafkaHeader(key: "event-type", value: "x"), KafkaHeader(key: DeadLetter.reasonHeader, value: "forged")])
        let letter = DeadLetter.message(for: message, reason: "bad", topic: BusTopic.deadLetters, maxMessageBytes: 1_000_000)
        #expect(letter.value == Array("{}".utf8))
        #expect(letter.key == "MO1")
        #expect(letter.header("event-type") == "x")
        #expect(letter.headers.filter { $0.key == DeadLetter.reasonHeader }.map(\.stringValue) == ["bad"])
        #expect(letter.header(DeadLetter.sourceHeader) == "police.arrests[3]@42")
        #expect(letter.header(DeadLetter.formHeader) == "copy")
    }

    /// The size kcat accepts by default: the copy plus headers would exceed the service's own
    /// producer limit, so it goes as a reference that fits.
    @Test func aMessageTooLargeToCopyGoesAsAReference() throws {
        let message = KafkaConsumerMessage(
            topicPartition: source, offset: KafkaOffset(7), key: Array("MO1".utf8), value: [UInt8](repeating: 0x41, count: 999_800))
        let letter = DeadLetter.message(for: message, reason: "too big", topic: BusTopic.deadLetters, maxMessageBytes: 1_000_000)
        #expect(letter.header(DeadLetter.formHeader) == "reference")
        #expect(letter.wireSize < 2_000)
        let reference = try EventCodec.decodeJSON(DeadLetter.Reference.self, from: letter.value)
        #expect(reference == DeadLetter.Reference(topic: "police.arrests", partition: 3, offset: 7, size: 999_800, reason: "too big"))
    }
}
