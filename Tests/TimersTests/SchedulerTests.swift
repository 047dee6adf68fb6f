import Contracts
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import TestSupport
import Testing
import Timers

@Suite("The scheduler: one tick a minute on bus.timers, from an injected clock")
struct SchedulerTests {
    static let logger: Logger = {
        var logger = Logger(label: "scheduler-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func instant(_ text: String) throws -> Date { try #require(EventCodec.parseInstant(text)) }

    /// Every message of `bus.timers`, in order.
    static func ticks(on kafka: EmbeddedKafka) async throws -> [KafkaConsumerMessage] {
        let reader = try KafkaTopicReader(configuration: kafka.topicReaderConfiguration(topics: [TimerTick.topic]), logger: logger)
        var messages: [KafkaConsumerMessage] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await reader.waitUntilCaughtUp()
                _ = await reader.close()
            }
            for try await batch in reader.batches { messages.append(contentsOf: batch) }
            try await group.waitForAll()
        }
        return messages
    }

    static func header(_ name: String, of message: KafkaConsumerMessage) -> String? {
        message.headers.first { $0.key == name }?.stringValue
    }

    /// Graceful shutdown cancels the scheduler's wait for the next minute; a wait that begins
    /// just after the cancellation must end too (the test clock registered it after its
    /// cancellation handler had looked, and the scheduler test above hung so once under load).
    @Test("the test clock's sleep begun after its task was cancelled ends at once", .timeLimit(.minutes(1)))
    func aSleepBegunAfterCancellationEnds() async throws {
        let clock = ManualSchedulerClock(try Self.instant("2026-03-03T14:05:42Z"))
        let deadline = try Self.instant("2026-03-03T14:06:00Z")
        let sleeping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: deadline)
        }
        await #expect(throws: CancellationError.self) { try await sleeping.value }
    }

    @Test("a tick at start and one per new minute the clock reaches, each on its delivery report; shutdown mid-send loses nothing")
    func ticksPerMinuteAndGracefulShutdown() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: Self.logger)
        defer { kafka.shutdown() }
        try kafka.createTopic(TimerTick.topic, partitions: 1)
        let clock = ManualSchedulerClock(try Self.instant("2026-03-03T14:05:42Z"))
        let scheduler = Scheduler(
            configuration: .init(producer: kafka.producerConfiguration(clientID: "scheduler-test")), clock: clock, logger: Self.logger)
        let group = ServiceGroup(services: [scheduler], logger: Self.logger)
        let running = Task { try await group.run() }

        let progress = scheduler.progress
        await progress.wait { $0.written.count == 1 && $0.sleepingUntil != nil }
        #expect(progress.value.sleepingUntil == (try Self.instant("2026-03-03T14:06:00Z")))
        clock.advance(to: try Self.instant("2026-03-03T14:06:00Z"))
        await progress.wait { $0.written.count == 2 && $0.sleepingUntil != nil }
        // Three minutes pass at once (a suspended host): the minute reached is written, the
        // skipped ones are not made up for.
        clock.advance(to: try Self.instant("2026-03-03T14:09:10Z"))
        await progress.wait { $0.written.count == 3 && $0.sleepingUntil != nil }
        // Within the same minute nothing is due: the scheduler still waits for 14:10.
        clock.advance(to: try Self.instant("2026-03-03T14:09:59Z"))
        #expect(progress.value.sleepingUntil == (try Self.instant("2026-03-03T14:10:00Z")))

        // A slow broker keeps the next send in flight while shutdown begins.
        try kafka.setRoundTripTime(.milliseconds(400), broker: 1)
        clock.advance(to: try Self.instant("2026-03-03T14:10:00Z"))
        await progress.wait { $0.sending != nil || $0.written.count == 4 }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(progress.value.written.count == 4, "the tick in flight was delivered before the scheduler stopped")
        #expect(progress.value.failed == 0)
        try kafka.setRoundTripTime(.zero, broker: 1)

        let expected = try ["14:05", "14:06", "14:09", "14:10"].map { TimerTick(minuteOf: try Self.instant("2026-03-03T\($0):00Z")) }
        #expect(progress.value.written == expected.map(\.at))
        let messages = try await Self.ticks(on: kafka)
        #expect(messages.count == expected.count, "one message per minute written, none twice")
        let validator = EventValidator(catalog: try TopicCatalog.embedded())
        for (message, tick) in zip(messages, expected) {
            #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == "minute")
            #expect(message.value == tick.encoded())
            #expect(Self.header(EventHeaders.eventType, of: message) == TimerTick.eventType)
            #expect(Self.header(EventHeaders.schemaVersion, of: message) == "1")
            #expect(Self.header(EventHeaders.eventId, of: message) == tick.id)
            var headers: [String: String] = [:]
            for header in message.headers { headers[header.key] = header.stringValue }
            #expect(throws: Never.self) {
                try validator.validateMessage(topic: TimerTick.topic, key: message.key, value: message.value, headers: headers)
            }
        }
    }
}
