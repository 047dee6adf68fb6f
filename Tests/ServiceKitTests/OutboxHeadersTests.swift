import Contracts
import Foundation
import GRDB
import Kafka
import Testing
import TestSupport

@testable import ServiceKit

@Suite struct OutboxHeadersTests {
    /// A dead letter copies its source's headers; a value that is not text (a tracing id, a
    /// producer's binary marker) must reach the dead-letter topic byte for byte.
    @Test func binaryAndAbsentValuesSurviveTheOutbox() async throws {
        let directory = try TemporaryDirectory()
        let database = try ServiceDatabase(path: directory.path("outbox.sqlite"), migrations: [])
        let headers = [
            KafkaHeader(key: "trace", value: [0x00, 0xff, 0xc3, 0x28]),
            KafkaHeader(key: "marker", value: nil),
            KafkaHeader(key: "empty", value: []),
            KafkaHeader(key: "event-type", value: "custody.release.scheduled"),
            KafkaHeader(key: "clé", value: "valeur"),
        ]
        let message = OutgoingMessage(topic: BusTopic.deadLetters, key: "MO1", value: Array("{}".utf8), headers: headers)
        let read = try await database.write { db in
            try ServiceDatabase.appendToOutbox([message, OutgoingMessage(topic: "t", key: "k", value: [1], headers: [])], db)
            return try ServiceDatabase.outbox(db).map(\.message.headers)
        }
        #expect(read == [headers, []])
    }

    /// Rows a service wrote before servicekit-v3 (headers as JSON text) are still delivered
    /// with their headers after the upgrade.
    @Test func rowsWrittenBeforeVersion3KeepTheirHeaders() throws {
        let queue = try DatabaseQueue()
        try queue.migrate(ServiceDatabase.runtimeMigrations.filter { $0.id != "servicekit-v3" })
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO kit_outbox (topic, key, value, headers) VALUES ('bus.notifications', 'officer:PO-1', x'7b7d', '[["event-type","bus.notification"]]')
                """)
        }
        try queue.migrate(ServiceDatabase.runtimeMigrations)
        let headers = try queue.read { db in try ServiceDatabase.outbox(db.storage).map(\.message.headers) }
        #expect(headers == [[KafkaHeader(key: "event-type", value: "bus.notification")]])
    }

    @Test func damagedBytesNameWhereTheyStopMakingSense() {
        var bytes = OutboxHeaders.encode([KafkaHeader(key: "event-type", value: "x")])
        bytes.removeLast()
        #expect(throws: OutboxHeadersError.self) { try OutboxHeaders.decode(bytes) }
        do {
            _ = try OutboxHeaders.decode(bytes)
        } catch {
            #expect(error.offset == 18)
            #expect(error.description == "unreadable outbox headers at byte 18: length 1 announced, 0 bytes left")
        }
        #expect(throws: OutboxHeadersError.self) { try OutboxHeaders.decode([0, 0, 0]) }
    }
}
