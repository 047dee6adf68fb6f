import Contracts
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@testable import ServiceKit

/// A projection's warnings at start reach the service's log as warnings, with their metadata;
/// a check that fails is logged and does not stop the start.
@Suite struct StartWarningsTests {
    let directory = TemporaryDirectory()

    /// Collects what a logger was given: level, message and metadata.
    final class LogLines: Sendable {
        private let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
        var all: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lines.withLock { $0.map { ($0.0, $0.1, $0.2) } } }
        func add(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) { lines.withLock { $0.append((level, message, metadata)) } }

        var logger: Logger {
            var logger = Logger(label: "start-warnings") { _ in Handler(lines: self) }
            logger.logLevel = .trace
            return logger
        }

        struct Handler: LogHandler {
            let lines: LogLines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) { lines.add(event.level, "\(event.message)", event.metadata ?? [:]) }
        }
    }

    @Test func eachWarningIsLoggedWithItsMetadata() async throws {
        let lines = LogLines()
        let service = try makeProbeService(
            directory: directory,
            startWarnings: [ProjectionWarning("the setting is below what the data shows", metadata: ["setting": "2", "data": "3"])],
            logger: lines.logger)
        await service.logWarningsAtStart()
        let warnings = lines.all.filter { $0.level == .warning }
        #expect(warnings.map(\.message) == ["the setting is below what the data shows"])
        #expect(warnings.first?.metadata["setting"] == "2" && warnings.first?.metadata["data"] == "3")
    }

    @Test func noWarningLogsNothing() async throws {
        let lines = LogLines()
        let service = try makeProbeService(directory: directory, logger: lines.logger)
        await service.logWarningsAtStart()
        #expect(lines.all.filter { $0.level >= .warning }.isEmpty, "\(lines.all.map(\.message))")
    }

    @Test func aCheckThatFailsIsLoggedAndTheStartGoesOn() async throws {
        let lines = LogLines()
        let service = try makeProbeService(directory: directory, startWarnings: [ProjectionWarning("fail")], logger: lines.logger)
        await service.logWarningsAtStart()
        let warnings = lines.all.filter { $0.level == .warning }
        #expect(warnings.map(\.message) == ["The projection's checks at start could not run"])
        #expect(warnings.first?.metadata["error"]?.description.contains("the check failed") == true, "\(warnings.first?.metadata ?? [:])")
    }
}

/// Warnings a projection asks for while applying (`ProjectionTransaction.warnOnCommit`) are
/// kept with the batch's outcome for the events that committed, not for a poison message's.
@Suite struct CommitWarningsTests {
    let directory = TemporaryDirectory()

    @Test func aPoisonMessagesWarningIsRolledBackWithItsChanges() async throws {
        let service = try makeProbeService(directory: directory, warnOnApply: true)
        let good = TestArrest(), poison = TestArrest(stateId: ProbeProjection.poisonStateId)
        let outcome = try await service.apply([good.consumed(offset: 0), poison.consumed(offset: 1)])
        #expect(outcome.deadLettered == 1 && outcome.applied == 1)
        #expect(outcome.warnings.map { $0.metadata["event"] } == [good.eventId])
    }
}

/// A running service gives its projection's warnings at start, beside its first batches.
@Suite struct StartWarningsRunTests {
    let directory = TemporaryDirectory()

    @Test func aRunningServiceLogsItsProjectionsWarnings() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(try await producer.sendBatch([TestArrest().producerMessage]).allDelivered)
        await producer.shutdown()
        let lines = StartWarningsTests.LogLines()
        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning,
            startWarnings: [ProjectionWarning("the probe's setting is below its data", metadata: ["setting": "1"])], logger: lines.logger)
        try await runUntil(service, "the arrest applied") { $0.applied >= 1 }
        let warnings = lines.all.filter { $0.level == .warning && $0.message == "the probe's setting is below its data" }
        #expect(warnings.count == 1, "\(lines.all.map(\.message))")
        #expect(warnings.first?.metadata["setting"] == "1")
    }

    /// A warning asked for while applying is logged once its batch has committed.
    @Test func aRunningServiceLogsWarningsAskedForWhileApplying() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        for topic in ["police.arrests", BusTopic.deadLetters, "probe.out"] { try kafka.createTopic(topic, partitions: 1) }
        let arrest = TestArrest()
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(try await producer.sendBatch([arrest.producerMessage]).allDelivered)
        await producer.shutdown()
        let lines = StartWarningsTests.LogLines()
        let service = try makeProbeService(
            directory: directory, bootstrapServers: [kafka.bootstrapServers], groupID: unique("probe"),
            producerProperties: EmbeddedKafka.producerTuning, warnOnApply: true, logger: lines.logger)
        try await runUntil(service, "the arrest applied") { $0.applied >= 1 }
        let warnings = lines.all.filter { $0.level == .warning && $0.message == "probe warned" }
        #expect(warnings.count == 1, "\(lines.all.map(\.message))")
        #expect(warnings.first?.metadata["event"] == .string(arrest.eventId))
    }
}
