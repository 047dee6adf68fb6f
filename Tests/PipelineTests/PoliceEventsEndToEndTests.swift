import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing

/// The router's police-event rules on the embedded broker: the demo's police events produced to
/// Kafka after Reyes's case, each read by the router before the next (the investigation closes
/// after it opened), then all of them produced again; the inbox holds exactly the notifications
/// the rules call for, once each.
@Suite("Police-event rules end to end on the embedded broker")
struct PoliceEventsEndToEndTests {
    @Test func eachRuleReachesTheInboxOnce() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "police events end to end") {
            let router = try bus.start(.router)
            let inbox = try bus.start(.inbox)
            let caseStarted = try DemoScenario.caseStarted(
                DemoScenario.reyes, caseId: "PP-KC-2025-3391", officer: DemoScenario.brooks, startDate: DemoScenario.day(scenarioNow, -30),
                now: scenarioNow, id: ScenarioEvent.eventId("police-e2e/case"))
            let steps = try DemoScenario.policeEventSteps(now: scenarioNow, run: "police-e2e")
            try await bus.publish([caseStarted])
            await bus.waitUntilCaughtUp(router)
            for step in steps {
                try await bus.publish([step.event])
                await bus.waitUntilCaughtUp(router)
            }
            // Delivered again, all at once.
            try await bus.publish(steps.map(\.event))
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])

            let notifications = try bus.inbox()
            let routed = notifications.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }.sorted()
            #expect(routed == [
                // The case is registered in Kansas City; no directory entry here: the place's fallback address.
                "agency:police:MO:Kansas City routine resident-supervision-started",
                "officer:PP-KC-118 high investigation-closed-purge",
                "officer:PP-KC-118 high investigation-named-supervisee",
                "officer:PP-KC-118 high supervisee-booked",
                "officer:PP-KC-118 high supervisee-suspect",
                "officer:PP-KC-118 high supervisee-victim",
                "officer:PP-KC-118 routine supervisee-police-contact",
                // The subscription starts a day before now: the robbery (a day ago) is covered,
                // the shooting (two days ago) is not.
                "unit:MO-KCPD-VCU high investigation-closed-purge",
                "unit:MO-KCPD-VCU high subscription-incidents",
                "unit:MO-KCPD-VCU high subscription-investigations",
            ])
            let contact = try #require(notifications.first { $0.reason.rule == "supervisee-police-contact" })
            #expect(contact.facts.contains(NotificationFact("reason", "registered-address")))
            let purge = try #require(notifications.first { $0.reason.rule == "investigation-closed-purge" && $0.recipient == .officer("PP-KC-118") })
            let opened = try #require(notifications.first { $0.reason.rule == "investigation-named-supervisee" })
            #expect(purge.facts.contains(NotificationFact("purge", opened.id)))
            #expect(router.service.progress.snapshot.deadLettered == 0)
            try await inbox.stop()
            try await router.stop()
        }
    }
}
