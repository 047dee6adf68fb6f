import ContractTools
import Contracts
import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("Events from other clients", .timeLimit(.minutes(2)))
struct KcatInteropTests {
    @Test("events kcat produces in the documented format pass validation when consumed",
          .enabled(if: kcatAvailable, "kcat is not installed (apt-get install kcat)"))
    func kcatEvents() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "supervision.cases"
        try kafka.createTopic(topic, partitions: 2)
        let event = exampleLines("supervision.case.started", count: 1)[0]
        let eventID = try #require(try JSONValue(parsing: event)["eventId"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        // One well-formed message, and one whose header contradicts its envelope.
        _ = try await kcat(["-b", kafka.bootstrapServers, "-P", "-t", topic, "-k", "MO1234567",
                            "-H", "event-type=supervision.case.started", "-H", "schema-version=1",
                            "-H", "event-id=\(eventID)", "-H", "content-type=application/json"], input: event)
        _ = try await kcat(["-b", kafka.bootstrapServers, "-P", "-t", topic, "-k", "MO1234567",
                            "-H", "event-type=supervision.case.ended", "-H", "schema-version=1",
                            "-H", "event-id=\(eventID)"], input: event)

        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("kcat"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "two kcat messages") { await collector.waitFor(2) }
        await consumer.close()

        let validator = EventValidator(catalog: catalog)
        let results = collector.messages.sorted { $0.offset < $1.offset }.map { message in
            var headers: [String: String] = [:]
            for header in message.headers { headers[header.key] = header.stringValue }
            return Result { () throws(EventValidationError) in
                try validator.validateMessage(topic: topic, key: message.key, value: message.value, headers: headers)
            }
        }
        #expect(results.count == 2)
        let accepted = try results[0].get()
        #expect(accepted.eventType == "supervision.case.started" && accepted.key == "MO1234567")
        #expect(throws: EventValidationError.self) { try results[1].get() }
    }
}
