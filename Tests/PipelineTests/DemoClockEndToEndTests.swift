import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing

/// `dev --demo`'s clock on the embedded broker: the `DemoPublisher` publishes the scenario and
/// then its own tick 45 minutes ahead (`withDemoClock()`); the inbox then holds the scenario's
/// notifications, each URGENT one escalated to its agency's duty desk and supervisors, and the
/// KCPD's arrest feed alarmed and cleared.
@Suite("The demo's clock end to end on the embedded broker")
struct DemoClockEndToEndTests {
    @Test func theDemoShowsEscalationsAndAFeedAlarm() async throws {
        let bus = try await TestBus()
        try await within(.seconds(120), "the demo with its clock") {
            let services: [ServiceName: RunningService] = [
                .router: try bus.start(.router), .warrantResolver: try bus.start(.warrantResolver),
                .inbox: try bus.start(.inbox), .feeds: try bus.start(.feeds),
            ]
            let topic = BusTopic.notifications
            // Real time: the feeds service compares the ticks with the events' Kafka timestamps.
            let scenario = try DemoScenario(now: Date()).withDemoClock()
            let publisher = DemoPublisher(
                scenario: scenario, producer: bus.kafka.producerConfiguration(clientID: "demo-clock-test"),
                progress: services.mapValues(\.service.progress), logger: testLogger)
            let publishing = Task { try await publisher.run() }

            // Every URGENT notification of the scenario is escalated twice; the feed alarmed, then cleared.
            let urgent = DemoNotificationKey.expected.filter { $0.priority == .urgent }.count
            let inbox = try #require(services[.inbox])
            await inbox.service.progress.wait { ($0.published[topic] ?? 0) >= 2 * urgent }
            try await #require(services[.feeds]).service.progress.wait { ($0.published[topic] ?? 0) >= 4 }
            publishing.cancel()  // past its last step it waits for a shutdown that never comes here
            _ = await publishing.result
            let delivered = services.values.reduce(0) { $0 + ($1.service.progress.snapshot.published[topic] ?? 0) }
            await inbox.service.progress.wait { $0.consumed(topic) >= Int64(delivered) }

            let notifications = try bus.inbox()
            let feedRules: Set<String> = ["feed-silent", "feed-restored"]
            let feedNotices = notifications.filter { feedRules.contains($0.reason.rule) }
            #expect(Set(feedNotices.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }) == [
                "unit:BUS-OPERATIONS high feed-silent", "agency:MO-KCPD high feed-silent",
                "unit:BUS-OPERATIONS routine feed-restored", "agency:MO-KCPD routine feed-restored",
            ])
            #expect(feedNotices.count == 4)
            #expect(feedNotices.allSatisfy { $0.facts.contains(NotificationFact("Topic", "police.arrests")) })

            // The rest: the scenario's notifications and one escalation per URGENT one and step.
            let originals = notifications.filter { !feedRules.contains($0.reason.rule) && $0.reason.rule != Escalation.rule }
            #expect(Set(originals.map(DemoNotificationKey.init)) == DemoNotificationKey.expected)
            var escalations: Set<String> = []
            for original in originals where original.priority == .urgent {
                let agency = try #require(original.recipientAgencyId)
                for recipient in [Recipient.duty(agency), .role("supervisor", of: agency)] {
                    escalations.insert("\(recipient) urgent \(Escalation.rule) \(original.id)")
                }
            }
            let escalated = notifications.filter { $0.reason.rule == Escalation.rule }
            #expect(Set(escalated.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule) \($0.sourceEventId)" }) == escalations)
            #expect(escalated.count == 2 * urgent)
            #expect(notifications.count == originals.count + escalated.count + feedNotices.count)
            for service in services.values { try await service.stop() }
        }
    }
}
