import Contracts
import Foundation
import Kafka
import ServiceKit
import Testing
import TestSupport

@testable import Warrants

/// What the resolver publishes on `bus.warrant-checks` passes the topic's contract, headers and
/// key included: a jail's system can validate it with the exported schema.
@Suite struct WarrantCheckEventContractTests {
    static let topics = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

    @Test func everyCheckEventOfAPendingHoldEscalatedReleasedCheckIsValid() async throws {
        let validator = EventValidator(catalog: try TopicCatalog.load(from: Self.topics))
        let resolver = try await ResolverUnderTest()
        var messages: [OutgoingMessage] = []
        for event in [
            try Events.admitted(Events.issued("W-1")), try Events.admitted(Events.scheduled()), try Events.admitted(Events.lodged("D-1")),
            Events.admitted(Events.tick(daysBeforeRelease: 6)), try Events.admitted(Events.changed(to: Events.independence)),
            try Events.admitted(Events.completed("R-1", at: Events.releaseAt)), try Events.admitted(Events.scheduled("R-2", to: nil, subject: Events.reyes)),
            try Events.admitted(Events.cancelled("R-2")),
        ] {
            messages += try await resolver.harness.apply(event).filter { $0.topic == BusTopic.warrantChecks }
        }
        #expect(messages.count == 7)  // opened, hold, escalated, moved, resolved; opened, cancelled
        for message in messages {
            let headers = Dictionary(uniqueKeysWithValues: message.headers.map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") })
            let validated = try validator.validateMessage(topic: message.topic, key: Array(message.key.utf8), value: message.value, headers: headers)
            #expect(validated.eventId == headers[EventHeaders.eventId])
        }
        // A status the contract does not know is refused.
        var broken = try WarrantCheckEvent.decode(try #require(messages.first).value)
        broken.status = "released"
        #expect(throws: EventValidationError.self) {
            try validator.validateMessage(
                topic: BusTopic.warrantChecks, key: Array(broken.releaseId.utf8), value: try broken.encoded(),
                headers: [EventHeaders.eventType: "bus.warrant-check.opened", EventHeaders.schemaVersion: "1", EventHeaders.eventId: broken.id])
        }
    }
}
