import ContractTools
import Contracts
import Foundation
import TestSupport
import Testing

@testable import Kafka

/// Issue 11 finding 4 (and the publish half of 3): every way `publish` used to lose or alter a
/// record, or report success it had not earned.
@Suite("publish: strict reading, duplicate ids, bounded connect, exact partial reports", .timeLimit(.minutes(2)))
struct PublishStrictnessTests {
    let publisher = EventPublisher(catalog: catalog, logger: testLogger)

    static let releaseHeader = "eventId,eventType,schemaVersion:integer,occurredAt,recordedAt,source.agencyId,source.agencyKind,subject.stateId,payload.releaseId,payload.facility.facilityId,payload.facility.name,payload.facility.kind,payload.expectedAt,payload.releaseType"

    static func releaseRow(facility: String = "Jackson County Detention Center") -> String {
        "\(UUID().uuidString.lowercased()),custody.release.scheduled,1,2025-03-03T14:00:00Z,2025-03-03T14:00:05Z,MO-JACKSON-SO,sheriff,MO7654321,R-1,MO-JCDC,\(facility),jail,2025-03-03T16:30:00Z,bail_bond"
    }

    /// The file-level error `validate` throws for `text`, or `nil` if it reads.
    func unreadable(_ bytes: [UInt8], _ format: EventFileFormat, topic: String = "custody.releases") -> RecordReadError? {
        do {
            _ = try publisher.validate(bytes, format: format, topic: topic)
            return nil
        } catch {
            if case .unreadableFile(let error) = error { return error }
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("a CSV whose last row opens a quote and never closes it fails the file, naming the line")
    func unclosedQuote() {
        let file = [Self.releaseHeader, Self.releaseRow(), Self.releaseRow(), Self.releaseRow(facility: "\"Jackson County, unclosed")].joined(separator: "\n")
        let error = unreadable(Array(file.utf8), .csv)
        #expect(error?.line == 4)
        #expect(error?.description.contains("never closed") == true)
    }

    @Test("stray quotes and wrong column counts are errors with their line")
    func strictCSV() throws {
        let stray = [Self.releaseHeader, Self.releaseRow(), Self.releaseRow(facility: "Jackson \"County\"")].joined(separator: "\r\n")
        #expect(unreadable(Array(stray.utf8), .csv)?.line == 3)
        let after = [Self.releaseHeader, Self.releaseRow(facility: "\"Jackson\" County")].joined(separator: "\n")
        #expect(unreadable(Array(after.utf8), .csv)?.description.contains("line 2: text after a quoted cell") == true)

        let columns = [Self.releaseHeader, Self.releaseRow(), Self.releaseRow() + ",extra", Self.releaseRow()].joined(separator: "\n")
        let result = try publisher.validate(Array(columns.utf8), format: .csv, topic: "custody.releases")
        #expect(result.failures.map(\.line) == [3])
        #expect(result.failures.first?.reason == "has 15 cells; the header names 14 fields")
        #expect(result.messages.isEmpty)
    }

    @Test("bytes that are not UTF-8 fail the file with line and byte offset, in every format; nothing becomes U+FFFD")
    func strictUTF8() {
        var csv = Array([Self.releaseHeader, Self.releaseRow()].joined(separator: "\n").utf8) + [0x0a]
        let offset = csv.count + 10
        csv += Array(Self.releaseRow(facility: "Jackson County Detention Center").utf8)
        csv[offset] = 0xE9  // Latin-1 é inside the event id: a lone lead byte
        let error = unreadable(csv, .csv)
        #expect(error?.line == 3)
        #expect(error?.description.contains("byte offset \(offset)") == true)

        let lines = exampleLines("custody.release.cancelled", count: 2)
        var ndjson = Array(lines.joined(separator: "\n").utf8)
        let second = lines[0].utf8.count + 1 + 5
        ndjson.replaceSubrange(second..<second, with: [0xED, 0xA0, 0x80])  // an encoded surrogate
        #expect(unreadable(ndjson, .ndjson)?.line == 2)
        #expect(unreadable([0x5b, 0xC0, 0xAF, 0x5d], .json)?.description.contains("byte offset 1") == true)  // overlong "/"
    }

    @Test("an empty element of a JSON array is an error, not a skipped record")
    func emptyArrayElements() {
        let event = exampleLines("custody.release.cancelled", count: 1)[0]
        for broken in ["[\(event),,\(event)]", "[\(event),\n]", "[,\(event)]", "[\n\(event)\n,\n,\(event)]"] {
            #expect(unreadable(Array(broken.utf8), .json)?.description.contains("an empty element") == true, "\(broken.prefix(3))")
        }
        #expect(unreadable(Array("[\n\(event)\n,\n,\(event)]".utf8), .json)?.line == 4)
        #expect(unreadable(Array("[ ]".utf8), .json) == nil)
    }

    @Test("an error inside an element of a JSON array names the line and column in the file")
    func jsonArrayLines() throws {
        let event = exampleLines("custody.release.cancelled", count: 1)[0]
        // The third element starts on line 4; its error (a missing comma) is on line 6.
        let file = "[\n\(event),\n\(event.replacingOccurrences(of: "\"eventId\"", with: "\"eventId2\"")),\n{\n  \"eventType\": \"custody.release.cancelled\"\n  \"schemaVersion\": 1\n}\n]"
        let result = try publisher.validate(Array(file.utf8), format: .json, topic: "custody.releases")
        #expect(result.failures.map(\.line) == [3, 6])
        #expect(result.failures.last?.reason.contains("line 6, column 3") == true)
    }

    @Test("two records with one event id: the second is an error naming the first's line")
    func duplicateIds() throws {
        var lines = exampleLines("custody.release.cancelled", count: 4)
        lines[3] = lines[3].replacingOccurrences(of: try #require(lines[3].firstMatch(of: /"eventId":"[^"]+"/)).output, with: lines[1].firstMatch(of: /"eventId":"[^"]+"/)!.output)
        let result = try publisher.validate(Array(lines.joined(separator: "\n").utf8), format: .ndjson, topic: "custody.releases")
        #expect(result.failures.map(\.line) == [4])
        #expect(result.failures.first?.reason.contains("line 2") == true)
        #expect(result.messages.isEmpty)
    }

    @Test("a broker that cannot be reached fails within the connect timeout, sending nothing")
    func unreachableBroker() async throws {
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"], clientID: "publish-test", statisticsInterval: nil)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: client), logger: testLogger)
        let destination = PublishDestination(producer: producer, administrator: try KafkaAdmin(configuration: client, timeout: .seconds(2), logger: testLogger))
        let started = ContinuousClock.now
        do {
            _ = try await publisher.publish(Array(exampleLines("custody.release.cancelled", count: 3).joined(separator: "\n").utf8),
                                            format: .ndjson, topic: "custody.releases", to: destination)
            Issue.record("published to a broker that is not there")
        } catch {
            guard case .brokerUnreachable = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("nothing was published"))
        }
        #expect(ContinuousClock.now - started < .seconds(25))  // a guard against a hang, with room for a loaded machine
        await producer.shutdown()
    }

    @Test("the bus's own topics are not imported from files")
    func busTopicsRefused() {
        for topic in BusTopic.all {
            #expect(throws: PublishError.self) { _ = try publisher.validate(Array("{}".utf8), format: .json, topic: topic) }
        }
    }

    @Test("a topic the cluster lacks is named, and nothing is sent")
    func missingTopic() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        await #expect(throws: PublishError.self) {
            _ = try await publisher.publish(Array(exampleLines("custody.release.cancelled", count: 1)[0].utf8), format: .ndjson,
                                            topic: "custody.releases", to: PublishDestination(producer: producer, administrator: try kafka.administrator()))
        }
        await producer.shutdown()
    }

    @Test("when the broker fails part-way, the error lists exactly the lines it stored, and those are on the topic")
    func partialPublishIsReportedExactly() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = "custody.releases"
        try kafka.createTopic(topic, partitions: 1)
        let lines = exampleLines("custody.release.cancelled", count: 15)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        // The first produce request succeeds, the next is refused for good.
        try kafka.failNextRequests(.produce, with: [KafkaBrokerError(rawValue: 0), .topicAuthorizationFailed])
        let destination = PublishDestination(producer: producer, administrator: try kafka.administrator(), chunkSize: 5)
        var partial: PartialPublication?
        do {
            _ = try await publisher.publish(Array(lines.joined(separator: "\n").utf8), format: .ndjson, topic: topic, to: destination)
        } catch {
            if case .partiallyPublished(let report) = error { partial = report } else { Issue.record("unexpected \(error)") }
        }
        await producer.shutdown()
        let report = try #require(partial)
        #expect(report.description.contains("not transactional"))
        #expect(!report.stored.isEmpty && !report.failed.isEmpty && !report.notSent.isEmpty)
        let all = report.stored + report.failed.map(\.line) + report.notSent
        #expect(all.sorted() == Array(1...15))

        // What the report calls stored is exactly what a reader finds.
        let consumer = try KafkaConsumer(configuration: kafka.consumerConfiguration(groupID: unique("partial"), topics: [topic]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(consumer)
        let expected = report.stored.count
        try await within(.seconds(30), "\(expected) stored events") { await collector.waitFor(expected) }
        await consumer.close()
        #expect(Set(collector.messages.map { String(decoding: $0.value, as: UTF8.self) }) == Set(report.stored.map { lines[$0 - 1] }))
    }
}
