import Contracts
import Demo
import Foundation
import GRDB
import Logging
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Storage
import Testing

@testable import Kafka

let testLogger = makeTestLogger("pipeline-tests")

let topicsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

let catalog: TopicCatalog = try! TopicCatalog.load(from: topicsDirectory)

/// An embedded broker with the contracts' topics and the bus topics, a data directory, and
/// the services started and stopped one by one, each an application of its own on the shared
/// broker.
final class TestBus: Sendable {
    let kafka: EmbeddedKafka
    /// The services' settings; `services` is set per started service.
    let configuration: ApplicationConfiguration
    /// Messages produced per topic by the test (the topics are fresh, so offsets start at 0).
    let produced = LockedValue<[String: Int64]>([:])
    /// Outbox messages acknowledged per service, over all its runs.
    let published = LockedValue<[ServiceName: Int]>([:])  // to the notifications topic

    /// `postgres`: the services keep their state there (a schema each), not in SQLite files.
    /// `notificationKey`: what the services sign and verify with (a `reentrybus` process run
    /// by the test must be given the same).
    init(
        maxBatchSize: Int = 1_000, postgres: PostgresStorage.Configuration? = nil,
        notificationKey: NotificationSigningKey = .random()
    ) async throws {
        kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-test-\(UUID().uuidString.prefix(8))")
        var configuration = ApplicationConfiguration(
            broker: .shared(kafka), dataDirectory: directory, services: [], catalog: catalog, client: .init(maxBatchSize: maxBatchSize),
            notificationKey: notificationKey, postgres: postgres)
        // The topics once, by the builder's own setup; the services' applications leave them be.
        try await buildApplication(configuration, logger: testLogger).prepare()
        configuration.topics.createContractTopics = false
        self.configuration = configuration
    }

    deinit {
        try? FileManager.default.removeItem(at: configuration.dataDirectory)
    }

    /// `dataDirectory`: another instance of the service (same group, its own database).
    func start(_ name: ServiceName, dataDirectory: URL? = nil) throws -> RunningService {
        var configuration = self.configuration
        configuration.services = [name]
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        return RunningService(name: name, application: try buildApplication(configuration, logger: testLogger), bus: self)
    }

    /// Publishes with kcat, in the documented format.
    func kcatPublish(_ event: ScenarioEvent) async throws {
        try await kcatPublish(event, value: event.value)
    }

    func kcatPublish(_ event: ScenarioEvent, value: [UInt8]) async throws {
        _ = try await kcat(event.kcatArguments(bootstrap: kafka.bootstrapServers), input: String(decoding: value, as: UTF8.self) + "\n")
        produced.withLock { $0[event.topic, default: 0] += 1 }
    }

    /// Publishes with our producer (for volume).
    func publish(_ events: [ScenarioEvent]) async throws {
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let report = try await producer.sendBatch(events.map(\.message))
        await producer.shutdown()
        #expect(report.allDelivered)
        produced.withLock { for event in events { $0[event.topic, default: 0] += 1 } }
    }

    func producedCount(_ topic: String) -> Int64 { produced.withLock { $0[topic] ?? 0 } }

    /// Waits until `service` has read (and fully handled) everything produced to its topics.
    func waitUntilCaughtUp(_ service: RunningService) async {
        let targets = service.service.projection.topics.map { ($0, producedCount($0)) }
        await service.service.progress.wait { progress in targets.allSatisfy { progress.consumed($0.0) >= $0.1 } }
    }

    /// Waits until the inbox has read every notification the services delivered to the topic.
    func waitUntilInboxCaughtUp(_ inbox: RunningService, running: [RunningService]) async {
        let topic = BusTopic.notifications
        let delivered = published.withLock { $0.filter { $0.key != .inbox }.values.reduce(0, +) }
            + running.filter { $0.name != .inbox }.reduce(0) { $0 + ($1.service.progress.snapshot.published[topic] ?? 0) }
        await inbox.service.progress.wait { $0.consumed(topic) >= Int64(delivered) }
    }

    func database(_ name: ServiceName) throws -> any StorageDatabase {
        if let postgres = configuration.postgres {
            return PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(name)), logger: testLogger)
        }
        return try ServiceDatabase.openReadOnly(path: configuration.databasePath(name))
    }

    /// Reads a service's database (synchronously: the async overload is not needed here).
    func read<T>(_ name: ServiceName, _ body: (any StorageTransaction) throws -> T) throws -> T {
        try database(name).readBlocking(body)
    }

    func inbox() throws -> [BusNotification] {
        try read(.inbox) { try InboxStore.all($0) }
    }

    func removeDatabase(_ name: ServiceName) throws {
        let path = configuration.databasePath(name)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}

/// A service running in an application of its own, stopped by graceful shutdown.
final class RunningService: Sendable {
    let name: ServiceName
    let application: Application
    let service: EventConsumerService
    let task: Task<Void, any Error>
    let bus: TestBus

    init(name: ServiceName, application: Application, bus: TestBus) {
        self.name = name
        self.application = application
        self.service = application.services[name]!
        self.bus = bus
        task = Task { try await application.run() }
    }

    func stop() async throws {
        await application.triggerGracefulShutdown()
        try await task.value
        let count = service.progress.snapshot.published[BusTopic.notifications] ?? 0
        bus.published.withLock { $0[name, default: 0] += count }
    }
}

