import Contracts
import Foundation
import Kafka
import ServiceKit
import Testing
import Timers

@Suite("The bus's clock: ticks on bus.timers")
struct TimerTickTests {
    static let catalog = Result { try TopicCatalog.embedded() }

    @Test("a tick stands for the start of its minute, and its id depends on that minute only")
    func tickIsTheStartOfItsMinute() throws {
        let tick = TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T14:05:42.250Z")))
        #expect(EventCodec.formatInstant(tick.at) == "2026-03-03T14:05:00Z")
        #expect(tick.atMilliseconds == 1_772_546_700_000)
        #expect(tick.id == TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T14:05:00Z"))).id)
        #expect(tick.id != TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T14:06:00Z"))).id)
    }

    @Test("the encoded tick passes the bus.timers contract and decodes to the same tick")
    func encodedTickPassesItsContract() throws {
        let tick = TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T14:05:00Z")))
        let validator = EventValidator(catalog: try Self.catalog.get())
        let headers = [EventHeaders.eventType: TimerTick.eventType, EventHeaders.schemaVersion: "1", EventHeaders.eventId: tick.id]
        let validated = try validator.validateMessage(
            topic: TimerTick.topic, key: Array(TimerTick.minuteClock.utf8), value: tick.encoded(), headers: headers)
        #expect(validated.eventType == TimerTick.eventType)
        #expect(try TimerTick.decode(Self.admitted(tick.encoded(), id: tick.id)) == tick)
    }

    @Test("a tick whose id is not its minute's is refused, naming the field")
    func forgedTickIsPoison() throws {
        let tick = TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T14:05:00Z")))
        let other = TimerTick(minuteOf: try #require(EventCodec.parseInstant("2026-03-03T15:05:00Z")))
        let forged = Array("{\"at\":\"2026-03-03T14:05:00Z\",\"clock\":\"minute\",\"id\":\"\(other.id)\"}".utf8)
        #expect(throws: PoisonMessage.self) { try TimerTick.decode(Self.admitted(forged, id: tick.id)) }
        do {
            _ = try TimerTick.decode(Self.admitted(forged, id: tick.id))
        } catch {
            #expect(error.reason.contains("$.id"))
        }
    }

    static func admitted(_ value: [UInt8], id: String) -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(0), key: TimerTick.minuteClock,
            eventType: TimerTick.eventType, schemaVersion: 1, eventId: id, value: value, timestampMilliseconds: nil)
    }
}
