import ContractTools
import Contracts
import Foundation
import TestSupport
import Testing

@testable import Kafka

@Suite("publish: validate a file, then publish all or nothing", .timeLimit(.minutes(2)))
struct PublishTests {
    /// Reads messages of `topic` from the beginning with a new consumer group until `count`
    /// have arrived.
    func readBack(_ kafka: EmbeddedKafka, topic: String, count: Int) async throws -> [KafkaConsumerMessage] {
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: unique("readback"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        try await within(.seconds(30), "\(count) messages on \(topic)") { await collector.waitFor(count) }
        await consumer.close()
        return collector.messages
    }

    @Test("one bad record among many: nothing is published and the bad line is named")
    func badRecordPublishesNothing() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 3)
        var lines = exampleLines("custody.release.scheduled", count: 60)
        lines[36] = lines[36].replacingOccurrences(of: #""releaseType":"parole""#, with: #""releaseType":"bale""#)
        lines[36] = lines[36].replacingOccurrences(of: #""releaseType":"bail_bond""#, with: #""releaseType":"bale""#)
        let file = Array((lines.joined(separator: "\n") + "\n").utf8)

        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let publisher = EventPublisher(catalog: catalog, logger: testLogger)
        let report = try await publisher.publish(
            file, format: .ndjson, topic: topic, to: PublishDestination(producer: producer, administrator: try kafka.administrator()))
        #expect(report.records == 60)
        #expect(report.published == 0)
        #expect(report.failures.map(\.line) == [37])
        #expect(report.failures.first?.reason.contains("$.payload.releaseType") == true)
        #expect(report.failures.first?.reason.contains("[enum]") == true)

        // A sentinel sent afterwards must be the first message on its partition's log: read
        // everything and check it is the only message there.
        let sentinel = exampleLines("custody.release.cancelled", count: 1)[0]
        _ = try await producer.send(topic: topic, key: Array("MO1234567".utf8), value: Array(sentinel.utf8))
        await producer.shutdown()
        let messages = try await readBack(kafka, topic: topic, count: 1)
        #expect(messages.map { String(decoding: $0.value, as: UTF8.self) } == [sentinel])
        #expect(messages.first?.offset == KafkaOffset(0))
    }

    @Test("a good file is published and read back byte for byte, with key and headers")
    func goodFileRoundTrip() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "courts.warrants"
        try kafka.createTopic(topic, partitions: 1)
        let lines = exampleLines("courts.warrant.issued", count: 20) + exampleLines("courts.warrant.served", count: 5)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let report = try await EventPublisher(catalog: catalog, logger: testLogger).publish(
            Array(lines.joined(separator: "\r\n").utf8), format: .ndjson, topic: topic,
            to: PublishDestination(producer: producer, administrator: try kafka.administrator()))
        await producer.shutdown()
        #expect(report.published == 25)

        let messages = try await readBack(kafka, topic: topic, count: 25)
        #expect(messages.map(\.value) == lines.map { Array($0.utf8) })
        let validator = EventValidator(catalog: catalog)
        for message in messages {
            #expect(message.key == Array("MO1234567".utf8))
            #expect(message.header(EventHeaders.eventType)?.stringValue?.hasPrefix("courts.warrant.") == true)
            #expect(message.header(EventHeaders.schemaVersion)?.stringValue == "1")
            var headers: [String: String] = [:]
            for header in message.headers { headers[header.key] = header.stringValue }
            _ = try validator.validateMessage(topic: topic, key: message.key, value: message.value, headers: headers)
        }
    }

    @Test("a dry run validates only")
    func dryRun() async throws {
        let lines = exampleLines("police.arrest.made", count: 3)
        let report = try await EventPublisher(catalog: catalog, logger: testLogger).publish(
            Array(lines.joined(separator: "\n").utf8), format: .ndjson, topic: "police.arrests", to: nil)
        #expect(report.records == 3 && report.failures.isEmpty && report.published == 0)
    }

    @Test("an event on the wrong topic, broken JSON, and a JSON array's bad element are named by line")
    func jsonLines() throws {
        let publisher = EventPublisher(catalog: catalog, logger: testLogger)
        let arrest = exampleLines("police.arrest.made", count: 2)
        let release = exampleLines("custody.release.cancelled", count: 1)[0]
        let file = "[\n  \(arrest[0]),\n  \(release),\n  {\"eventType\": \n  },\n  \(arrest[1])\n]\n"
        let result = try publisher.validate(Array(file.utf8), format: .json, topic: "police.arrests")
        #expect(result.records == 4)
        // The broken element starts on line 4; its fault (a `}` where a value belongs) is on line 5.
        #expect(result.failures.map(\.line) == [3, 5])
        #expect(result.failures.last?.reason.contains("at line 5, column 3") == true)
        #expect(result.failures.first?.reason.contains("belongs on topic custody.releases") == true)
        #expect(result.messages.isEmpty)
    }

    @Test("CSV with typed header columns validates, and bad rows are named by line")
    func csv() throws {
        let header = "eventId,eventType,schemaVersion:integer,occurredAt,recordedAt,source.agencyId,source.agencyKind,subject.stateId,payload.releaseId,payload.facility.facilityId,payload.facility.name,payload.facility.kind,payload.expectedAt,payload.releaseType,payload.destination.line1,payload.destination.city,payload.destination.state,payload.destination.coordinates.latitude:number,payload.destination.coordinates.longitude:number"
        func row(_ releaseType: String, _ latitude: String = "39.07") -> String {
            "\(UUID().uuidString.lowercased()),custody.release.scheduled,1,2025-03-03T14:00:00Z,2025-03-03T14:00:05Z,MO-JACKSON-SO,sheriff,MO7654321,R-1,MO-JCDC,\"Jackson County Detention Center, Kansas City\",jail,2025-03-03T16:30:00Z,\(releaseType),\"1200 E 31st St\",Kansas City,MO,\(latitude),-94.56"
        }
        let file = [header, row("bail_bond"), row("bail_bond"), row("bale"), row("parole", "north")].joined(separator: "\n")
        let result = try EventPublisher(catalog: catalog, logger: testLogger).validate(Array(file.utf8), format: .csv, topic: "custody.releases")
        #expect(result.records == 4)
        #expect(result.failures.map(\.line) == [4, 5])
        #expect(result.failures.last?.reason.contains("not a number") == true)

        let good = try EventPublisher(catalog: catalog, logger: testLogger).validate(
            Array([header, row("bail_bond")].joined(separator: "\n").utf8), format: .csv, topic: "custody.releases")
        let message = try #require(good.messages.first)
        let document = try JSONValue(parsing: message.value)
        #expect(document["payload"]?["facility"]?["name"] == "Jackson County Detention Center, Kansas City")
        #expect(message.key == Array("MO7654321".utf8))
    }
}
