import ContractTools
import Contracts
import Foundation
import LocalPostgres
import TestSupport
import Testing

@testable import Kafka

/// Runs `validate_with_jsonschema.py` on NDJSON input; returns its exit status and output.
func pythonJSONSchema(_ ndjson: String, schema: String? = nil) async throws -> (status: Int32, output: String) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_with_jsonschema.py")
    let run = try await ChildProcess.run(
        URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, repositoryTopics.path] + (schema.map { [$0] } ?? []),
        input: ndjson, mergingErrors: true)
    let (status, text) = (run.termination.bySignal ? -1 : run.termination.status, run.output)
    if status == 3 {
        Issue.record("Python's jsonschema package is missing; install it with the test command in README.md (pip install jsonschema): \(text)")
    }
    return (status, text)
}

@Suite("An independent JSON Schema validator accepts our events", .timeLimit(.minutes(2)))
struct IndependentValidatorTests {
    @Test("events our producer writes, of every event type, pass Python's jsonschema on Topics/schemas")
    func producedEventsPassPython() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let publisher = EventPublisher(catalog: catalog, logger: testLogger)
        var expected = 0
        // publish takes agency events (the common envelope); the bus's topics are written by its
        // services and tools (bus.subscriptions: checked below).
        let agencyTopics = catalog.topics.filter { $0.valueFormat == .event && !BusTopic.all.contains($0.name) }
        for topic in agencyTopics {
            try kafka.createTopic(topic.name, partitions: 1)
            let lines = topic.events.flatMap { exampleLines($0.type, count: $0.validExamples.count) }
            let report = try await publisher.publish(
                Array(lines.joined(separator: "\n").utf8), format: .ndjson, topic: topic.name,
                to: PublishDestination(producer: producer, administrator: try kafka.administrator()))
            #expect(report.failures.isEmpty)
            expected += report.published
        }
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("python"), topics: agencyTopics.map(\.name)), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        let total = expected
        try await within(.seconds(30), "\(total) events") { await collector.waitFor(total) }
        await consumer.close()
        let ndjson = collector.messages.map { String(decoding: $0.value, as: UTF8.self) }.joined(separator: "\n")

        let result = try await pythonJSONSchema(ndjson)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("checked \(expected) events, 0 invalid"), "\(result.output)")
    }

    @Test("Python's jsonschema rejects the contracts' invalid examples too (the check can fail)")
    func invalidExamplesFailPython() async throws {
        let invalid = catalog.topics.filter { $0.valueFormat == .event }.flatMap(\.events).flatMap(\.invalidExamples).map(\.event.description)
        let result = try await pythonJSONSchema(invalid.joined(separator: "\n"))
        #expect(result.status == 1)
        #expect(result.output.contains("checked \(invalid.count) events, \(invalid.count) invalid"), "\(result.output)")
    }

    @Test("bus.subscriptions: Python's jsonschema accepts the contract's valid events and rejects the invalid ones")
    func subscriptionSchemaInPython() async throws {
        let event = try #require(catalog.event(type: "bus.subscription.recorded", version: 1))
        let valid = try await pythonJSONSchema(event.validExamples.map(\.description).joined(separator: "\n"))
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.contains("checked \(event.validExamples.count) events, 0 invalid"), "\(valid.output)")
        let invalid = try await pythonJSONSchema(event.invalidExamples.map(\.event.description).joined(separator: "\n"))
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("checked \(event.invalidExamples.count) events, \(event.invalidExamples.count) invalid"), "\(invalid.output)")
    }

    @Test("bus.notifications: Python's jsonschema accepts the contract's valid messages and rejects the invalid ones")
    func notificationSchemaInPython() async throws {
        let event = try #require(catalog.event(type: "bus.notification.routed", version: 1))
        let valid = try await pythonJSONSchema(event.validExamples.map(\.description).joined(separator: "\n"), schema: event.qualifiedName)
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.contains("checked \(event.validExamples.count) events, 0 invalid"), "\(valid.output)")
        let invalid = try await pythonJSONSchema(event.invalidExamples.map(\.event.description).joined(separator: "\n"), schema: event.qualifiedName)
        #expect(invalid.output.contains("checked \(event.invalidExamples.count) events, \(event.invalidExamples.count) invalid"), "\(invalid.output)")
    }

    @Test("events encoded by the Swift types pass Python's jsonschema")
    func swiftEncodedEvents() async throws {
        let event = EventEnvelope(
            occurredAt: Date(timeIntervalSince1970: 1_750_000_000.5), source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: SubjectIdentifiers(stateId: "MO1234567", dateOfBirth: CalendarDate("1990-07-14")),
            payload: ArrestMade(
                arrestId: "A-1", arrestedAt: Date(timeIntervalSince1970: 1_750_000_000), arrestingAgencyId: "MO-KCPD",
                location: Location(coordinates: Coordinates(latitude: 39.07, longitude: -94.55)),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]))
        let result = try await pythonJSONSchema(String(decoding: try EventCodec.encode(event), as: UTF8.self))
        #expect(result.status == 0, "\(result.output)")
    }
}
