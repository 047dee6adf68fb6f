import Audit
import Contracts
import Foundation
import Kafka
import Logging
import Policy
import Storage
import TestSupport
import Testing

/// The repository's `Topics/`.
let repositoryTopics = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topics", isDirectory: true)

@Suite("bus.audit: the contract, and the outbox sent to the broker")
struct AuditPublicationTests {
    let catalog = try! TopicCatalog.load(from: repositoryTopics)

    static func headers(_ entry: AuditEntry) -> [String: String] {
        Dictionary(uniqueKeysWithValues: AuditPublisher.headers(id: entry.id).map { ($0.key, $0.stringValue ?? "") })
    }

    @Test("an entry as the ledger encodes it passes the bus.audit contract, keyed by its ledger; it holds no disclosed value")
    func encodedEntryIsValid() async throws {
        let ledger = try await AuditLedger.open(storage: try SQLiteStorage.inMemory(), name: "gateway")
        let policy = try AccessPolicy(contentsOf: repositoryTopics.deletingLastPathComponent().appendingPathComponent("Policy/access-policy.yaml"), catalog: catalog)
        let arrest = try #require(catalog.event(type: "police.arrest.made", version: 1)?.validExamples.first)
        let redaction = policy.redact(arrest, eventType: "police.arrest.made", for: AuditScenarios.analyst)
        let entry = try await ledger.append(Disclosure(
            redactions: [redaction], requester: AuditScenarios.analyst, requestId: "req-1", channel: .api, resource: "police.arrest.made"))
        let validator = EventValidator(catalog: catalog)
        let event = try validator.validateMessage(topic: BusTopic.audit, key: Array("gateway".utf8), value: try entry.encoded(), headers: Self.headers(entry))
        #expect(event.eventType == AuditEntry.eventType)
        #expect(event.eventId == entry.id)
        #expect(entry.persons == [PersonIdentifier(identifier: "stateId", value: "MO1234567")])
        #expect(entry.disclosed.contains { $0.field == "payload.charges" })
        // The charges' text, the name and the date of birth were disclosed but are not in the entry.
        let text = String(decoding: try entry.encoded(), as: UTF8.self)
        for value in ["Reyes", "1990-07-14", "Darnell"] { #expect(!text.contains(value), "\(value) in the audit entry") }
        // Decoding and encoding again gives the same bytes: what a reader of the topic hashes.
        let bytes = try entry.encoded()
        #expect(try AuditEntry.decode(bytes).encoded() == bytes)
        #expect(try AuditEntry.decode(bytes).id == entry.id)
        // A key other than the ledger is refused.
        #expect(throws: EventValidationError.self) {
            try validator.validateMessage(topic: BusTopic.audit, key: Array("other".utf8), value: try entry.encoded(), headers: Self.headers(entry))
        }
    }

    @Test("a disclosure the contract would refuse is refused before anything is stored")
    func invalidDisclosureIsRefused() async throws {
        let ledger = try await AuditLedger.open(storage: try SQLiteStorage.inMemory())
        var disclosure = AuditScenarios.disclosure(1)
        disclosure.resource = "Police Arrest"
        await #expect(throws: AuditError.invalidDisclosure(field: "resource", reason: "must be lower-case letters, digits, dots and dashes, starting with a letter")) {
            try await ledger.append(disclosure)
        }
        var unknownKind = AuditScenarios.disclosure(2)
        unknownKind.requester.agencyKind = "task_force"
        await #expect(throws: AuditError.invalidDisclosure(field: "requester.agencyKind", reason: "must be a code of the glossary's agencyKind")) {
            try await ledger.append(unknownKind)
        }
        #expect(try await ledger.verify().verifiedEntries == 0)
        await #expect(throws: AuditError.self) { try await AuditLedger.open(storage: try SQLiteStorage.inMemory(), name: "Gateway One") }
    }

    @Test("entries appended while the broker is away are sent once it is there, in chain order, then leave the outbox")
    func outboxReachesTheBroker() async throws {
        let ledger = try await AuditLedger.open(storage: try SQLiteStorage.inMemory(), name: "gateway")
        // No broker yet: the appends succeed, and wait in the outbox.
        for n in 1...5 { try await ledger.append(AuditScenarios.disclosure(n)) }
        #expect(try await ledger.pendingPublicationCount() == 5)

        var logger = Logger(label: "audit-tests")
        logger.logLevel = .warning
        let kafka = try EmbeddedKafka(brokers: 1, logger: logger)
        defer { kafka.shutdown() }
        try kafka.createTopic(BusTopic.audit, partitions: 1)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: logger)
        let publisher = AuditPublisher(ledger: ledger, producer: producer)
        #expect(try await publisher.publishPending() == 5)
        #expect(try await ledger.pendingPublicationCount() == 0)
        try await ledger.append(AuditScenarios.disclosure(6))
        #expect(try await publisher.publishPending() == 1)
        #expect(try await publisher.publishPending() == 0)
        await producer.shutdown()

        let reader = try KafkaTopicReader(configuration: kafka.topicReaderConfiguration(topics: [BusTopic.audit]), logger: logger)
        var messages: [KafkaConsumerMessage] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await reader.waitUntilCaughtUp()
                _ = await reader.close()
            }
            for try await batch in reader.batches { messages.append(contentsOf: batch) }
            try await group.waitForAll()
        }
        let validator = EventValidator(catalog: catalog)
        var previous = AuditEntry.genesisHash
        for (index, message) in messages.enumerated() {
            let headers = Dictionary(uniqueKeysWithValues: message.headers.map { ($0.key, $0.stringValue ?? "") })
            _ = try validator.validateMessage(topic: BusTopic.audit, key: message.key, value: message.value, headers: headers)
            let entry = try AuditEntry.decode(message.value)
            // A reader of the topic can check the chain as verify does.
            #expect(entry.sequence == Int64(index + 1))
            #expect(entry.previousHash == previous)
            previous = AuditEntry.hash(message.value)
        }
        #expect(messages.count == 6)
    }
}
