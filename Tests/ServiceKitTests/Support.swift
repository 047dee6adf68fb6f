import Contracts
import Foundation
import GRDB
import Kafka
import Logging
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport

@testable import ServiceKit

let testLogger = makeTestLogger("servicekit-tests")

let topicsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

let catalog: TopicCatalog = try! TopicCatalog.load(from: topicsDirectory)

/// A projection that applies arrests only: it records each applied event id and emits one
/// message per arrest to `outputTopic`, so tests can see what was applied and delivered.
struct ProbeProjection: EventProjection {
    let name = "probe"
    var outputTopic = "probe.out"
    /// Read in full by every instance, outside the group (none unless a test names some).
    var referenceTopics: [String] = []
    var topics: [String] { ["police.arrests"] + referenceTopics }

    let migrations: [StorageMigration] = [
        .script("probe-v1", "CREATE TABLE probe_applied (event_id TEXT PRIMARY KEY NOT NULL)"),
    ]

    /// Where each applied event's thread name is noted, when a test asks.
    var threads: ThreadNames? = nil
    /// What ``warningsAtStart(in:)`` returns; a message "fail" makes it throw instead.
    var startWarnings: [ProjectionWarning] = []
    /// Whether each arrest asks for a warning once committed ("probe warned", its event id as
    /// metadata); an arrest of ``poisonStateId`` then fails as a poison message after asking.
    var warnOnApply = false
    /// Whether an arrest of ``poisonStateId`` fails as a poison message after writing its row
    /// and its message: a projection that finds the fault halfway.
    var poisonAfterWriting = false
    static let poisonStateId = "MO9999999"

    func handles(eventType: String) -> Bool { eventType == "police.arrest.made" }

    func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        threads?.note()
        if warnOnApply {
            transaction.warnOnCommit(ProjectionWarning("probe warned", metadata: ["event": event.eventId]))
            if event.key == Self.poisonStateId { throw PoisonMessage(reason: "the probe's poison") }
        }
        try transaction.storage.execute("INSERT INTO probe_applied (event_id) VALUES ($1)", [.text(event.eventId)])
        try transaction.emit(OutgoingMessage(
            topic: outputTopic, key: event.key, value: Array(event.eventId.utf8),
            headers: [KafkaHeader(key: EventHeaders.eventId, value: event.eventId)]))
        if poisonAfterWriting, event.key == Self.poisonStateId { throw PoisonMessage(reason: "the probe's poison, found after writing") }
    }

    func warningsAtStart(in transaction: any StorageTransaction) throws -> [ProjectionWarning] {
        // Reads the database as a real check would, so a closed one fails here.
        _ = try transaction.fetchOne("SELECT count(*) AS n FROM probe_applied", [])
        if startWarnings.contains(where: { $0.message == "fail" }) { throw PoisonMessage(reason: "the check failed") }
        return startWarnings
    }
}

/// The names of the threads a projection applied its events on.
final class ThreadNames: Sendable {
    private let names = Mutex<[String]>([])
    var all: [String] { names.withLock { $0 } }
    func note() {
        let name = currentThreadName()
        names.withLock { $0.append(name) }
    }
}

/// The calling thread's name as the system knows it (`/proc/thread-self/comm`: what
/// `ServiceThread` is named; GRDB's and Swift's shared threads have names of their own).
func currentThreadName() -> String {
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .newlines)
}

/// A valid arrest in the documented format (value, key, headers), from the contract's example.
struct TestArrest {
    var eventId = UUID().uuidString.lowercased()
    var stateId = "MO1234567"
    var arrestId = "KCPD-A-25-018832"

    var value: [UInt8] {
        let text = arrestTemplate
            .replacingOccurrences(of: "b1f1ab36-d430-8d4f-91b2-1f587b58ffc4", with: eventId)
            .replacingOccurrences(of: "MO1234567", with: stateId)
            .replacingOccurrences(of: "KCPD-A-25-018832", with: arrestId)
        return Array(text.utf8)
    }

    var headers: [KafkaHeader] {
        [KafkaHeader(key: EventHeaders.eventType, value: "police.arrest.made"),
         KafkaHeader(key: EventHeaders.schemaVersion, value: "1"),
         KafkaHeader(key: EventHeaders.eventId, value: eventId),
         KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json)]
    }

    /// As consumed from `police.arrests`, at `offset`, stamped `timestamp` (ms).
    func consumed(offset: Int64, partition: Int32 = 0, timestamp: Int64? = nil, headers: [KafkaHeader]? = nil, value: [UInt8]? = nil) -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: TopicPartition(topic: "police.arrests", partition: partition), offset: KafkaOffset(offset),
            key: Array(stateId.utf8), value: value ?? self.value, headers: headers ?? self.headers,
            timestampMilliseconds: timestamp)
    }

    var producerMessage: KafkaProducerMessage {
        KafkaProducerMessage(topic: "police.arrests", key: Array(stateId.utf8), value: value, headers: headers)
    }
}

/// The example arrest of `Topics/examples/police.arrest.made.v1.json`, compact.
let arrestTemplate: String = {
    let url = topicsDirectory.appendingPathComponent("examples/police.arrest.made.v1.json")
    let examples = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [Any]
    let data = try! JSONSerialization.data(withJSONObject: examples[0], options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}()

/// A fresh directory for a test's databases, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("servicekit-test-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Runs `service` on its broker until `ready` holds for its progress, then stops it gracefully.
func runUntil(
    _ service: EventConsumerService, _ what: String, _ ready: @escaping @Sendable (ServiceProgress.Snapshot) -> Bool
) async throws {
    let group = ServiceGroup(services: [service], logger: testLogger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        // A bound for a hang, not a timing: alone this takes ~5 s; in the full parallel pass
        // on 2 cores (hundreds of tests, each with its own broker) it once took over 60.
        try await within(.seconds(180), what) { await service.progress.wait(until: ready) }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// A service over the probe projection, not started: tests call `applyBatch` directly or run it.
func makeProbeService(
    directory: TemporaryDirectory, bootstrapServers: [String] = ["127.0.0.1:1"], groupID: String = "probe",
    retention: EventIdRetention = EventIdRetention(), maxMessageBytes: Int = 1_000_000,
    producerProperties: [String: String] = [:], fetchMaxWait: Duration = .milliseconds(5), admission: MessageAdmission? = nil,
    postgres: PostgresStorage? = nil, storageRetry: EventConsumerService.StorageRetry = .init(), referenceTopics: [String] = [],
    threads: ThreadNames? = nil, startWarnings: [ProjectionWarning] = [], warnOnApply: Bool = false, poisonAfterWriting: Bool = false,
    logger: Logger = testLogger
) throws -> EventConsumerService {
    let projection = ProbeProjection(
        referenceTopics: referenceTopics, threads: threads, startWarnings: startWarnings, warnOnApply: warnOnApply,
        poisonAfterWriting: poisonAfterWriting)
    return try makeService(
        projection, directory: directory, bootstrapServers: bootstrapServers, groupID: groupID, retention: retention,
        maxMessageBytes: maxMessageBytes, producerProperties: producerProperties, fetchMaxWait: fetchMaxWait,
        admission: admission, postgres: postgres, storageRetry: storageRetry, logger: logger)
}

/// A service over `projection` (its database `<name>.sqlite` in `directory`, or on `postgres`),
/// not started.
func makeService(
    _ projection: some EventProjection, directory: TemporaryDirectory, bootstrapServers: [String] = ["127.0.0.1:1"],
    groupID: String = "probe", retention: EventIdRetention = EventIdRetention(), maxMessageBytes: Int = 1_000_000,
    producerProperties: [String: String] = [:], fetchMaxWait: Duration = .milliseconds(5), admission: MessageAdmission? = nil,
    postgres: PostgresStorage? = nil, storageRetry: EventConsumerService.StorageRetry = .init(), logger: Logger = testLogger
) throws -> EventConsumerService {
    let database = try postgres.map { try ServiceDatabase(postgres: $0, migrations: projection.migrations) }
        ?? ServiceDatabase(path: directory.path("\(projection.name).sqlite"), migrations: projection.migrations)
    let client = KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: "probe")
    var producerClient = client
    producerClient.properties.merge(producerProperties) { _, new in new }
    let configuration = EventConsumerService.Configuration(
        consumer: KafkaConsumerConfiguration(
            client: client, groupID: groupID, topics: [], sessionTimeout: .seconds(6), fetchMaxWait: fetchMaxWait),
        producer: KafkaProducerConfiguration(client: producerClient, linger: .milliseconds(1), maxMessageBytes: maxMessageBytes),
        retention: retention, storageRetry: storageRetry)
    return EventConsumerService(
        projection: projection, database: database, admission: admission ?? .contracts(EventValidator(catalog: catalog)),
        configuration: configuration, logger: logger)
}

extension EventConsumerService {
    /// Applies messages as one batch with nothing delivered yet.
    func apply(_ messages: [KafkaConsumerMessage]) async throws -> BatchOutcome {
        try await applyBatch(messages, acknowledged: nil, published: 0)
    }

    func count(_ table: String) async throws -> Int {
        try await database.read { try $0.fetchOne("SELECT count(*) AS n FROM \(table)")?.get("n", as: Int.self) ?? 0 }
    }

    func deadLetters() async throws -> [OutgoingMessage] {
        try await database.read { db in
            try ServiceDatabase.outbox(db).map(\.message).filter { $0.topic == BusTopic.deadLetters }
        }
    }
}

extension OutgoingMessage {
    func header(_ key: String) -> String? { headers.first { $0.key == key }?.stringValue }
}
