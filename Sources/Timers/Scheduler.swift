import Contracts
import Foundation
import Kafka
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The bus's clock as a service (`reentrybus serve scheduler`): writes `TimerTick(minuteOf:
/// now)` to `bus.timers` when it starts and whenever a new minute begins, until graceful
/// shutdown.
///
/// - A tick is written with an idempotent producer (key `minute`, the headers every bus message
///   carries) and counts as written only on its delivery report. A send that fails is logged
///   and not retried for that minute: the next minute's tick covers it (rules act on
///   everything due at or before a tick, never on one minute alone).
/// - Graceful shutdown cancels the wait for the next minute, never a send in flight: the tick
///   being sent is delivered (or its failure reported) before the producer shuts down.
/// - The time comes from `clock` (`WallClock` by default), the only clock of the bus: every
///   other service reads the ticks instead.
/// - Two schedulers (one standing by) write the same ids for the same minute; readers keep one.
public final class Scheduler: Service, Sendable {
    public struct Configuration: Sendable {
        /// Idempotent by default (`KafkaProducerConfiguration`'s default).
        public var producer: KafkaProducerConfiguration
        /// Default: `bus.timers`.
        public var topic: String

        public init(producer: KafkaProducerConfiguration, topic: String = TimerTick.topic) {
            self.producer = producer
            self.topic = topic
        }
    }

    /// What the scheduler has done, for tests and the shutdown log.
    public struct Progress: Sendable, Equatable {
        /// The minute being sent, until its delivery report.
        public var sending: Date?
        /// Minutes written (delivery reported), in order.
        public var written: [Date] = []
        /// Sends that failed.
        public var failed = 0
        /// Whether the scheduler is waiting for the next minute (`sleepingUntil`).
        public var sleepingUntil: Date?
    }

    public let configuration: Configuration
    public let progress = AwaitableState(Progress())
    let clock: any SchedulerClock
    let logger: Logger

    public init(configuration: Configuration, clock: any SchedulerClock = WallClock(), logger: Logger) {
        self.configuration = configuration
        self.clock = clock
        var logger = logger
        logger[metadataKey: "service"] = "scheduler"
        self.logger = logger
    }

    /// Ticks until graceful shutdown (or cancellation).
    public func run() async throws {
        let producer = try KafkaProducer(configuration: configuration.producer, logger: logger)
        var last: Date?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let tick = TimerTick(minuteOf: clock.now())
            // A clock set back does not write a minute again.
            if last.map({ tick.at > $0 }) ?? true {
                if await write(tick, producer) { last = tick.at }
            }
            let next = tick.at.addingTimeInterval(60)
            progress.update { $0.sleepingUntil = next }
            do {
                try await cancelWhenGracefulShutdown { try await self.clock.sleep(until: next) }
            } catch {
                progress.update { $0.sleepingUntil = nil }
                break  // graceful shutdown or cancellation: nothing is in flight
            }
            progress.update { $0.sleepingUntil = nil }
        }
        await producer.shutdown()
        logger.info("Scheduler stopped", metadata: [
            "written": "\(progress.value.written.count)", "failed": "\(progress.value.failed)",
        ])
    }

    /// Sends one tick and waits for its delivery report; returns whether it was stored.
    private func write(_ tick: TimerTick, _ producer: KafkaProducer) async -> Bool {
        progress.update { $0.sending = tick.at }
        let message = KafkaProducerMessage(
            topic: configuration.topic, key: Array(TimerTick.minuteClock.utf8), value: tick.encoded(),
            headers: [
                KafkaHeader(key: EventHeaders.eventType, value: TimerTick.eventType),
                KafkaHeader(key: EventHeaders.schemaVersion, value: String(TimerTick.schemaVersion)),
                KafkaHeader(key: EventHeaders.eventId, value: tick.id),
                KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json),
            ])
        do {
            _ = try await producer.send(message)
            progress.update {
                $0.sending = nil
                $0.written.append(tick.at)
            }
            logger.debug("Tick written", metadata: ["at": "\(EventCodec.formatInstant(tick.at))"])
            return true
        } catch {
            progress.update {
                $0.sending = nil
                $0.failed += 1
            }
            logger.error("Tick not written; the next minute's covers it", metadata: [
                "at": "\(EventCodec.formatInstant(tick.at))", "error": "\(error)",
            ])
            return false
        }
    }
}
