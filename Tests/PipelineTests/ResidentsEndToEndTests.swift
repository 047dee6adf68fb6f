import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import TestSupport
import Testing

/// The resident and issuing-court rules on the embedded broker: the directory, a warrant of
/// Reyes issued and then his case (so the case, read after the warrant, routes it), the warrant
/// served by KCPD and a move to Independence, then the warrant events produced again; the inbox
/// holds exactly the notifications the rules call for, once each.
@Suite("Resident and issuing-court rules end to end on the embedded broker")
struct ResidentsEndToEndTests {
    @Test func policeAndTheIssuingCourtFollowTheSuperviseeOnce() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "resident rules end to end") {
            let router = try bus.start(.router)
            let inbox = try bus.start(.inbox)
            let id = { (name: String) in ScenarioEvent.eventId("residents/\(name)") }
            let directory = try ["MO-KCPD", "MO-IPD"].map { agencyId in
                try DemoScenario.agencyDescribed(try #require(DemoScenario.directory.first { $0.agencyId == agencyId }), now: scenarioNow, id: id(agencyId))
            }
            let court = SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court)
            let issued = try ScenarioEvent(topic: "courts.warrants", EventEnvelope(
                eventId: id("issued"), occurredAt: scenarioNow, recordedAt: scenarioNow, source: court, subject: DemoScenario.reyes,
                payload: WarrantIssued(warrantId: "1616-CR-07781-W1", warrantKind: .failureToAppear, issuedOn: DemoScenario.day(scenarioNow, -20),
                                       issuingAgencyId: "MO-CIRCUIT16")))
            let servedAt = scenarioNow.addingTimeInterval(-5 * 86_400)
            let served = try ScenarioEvent(topic: "courts.warrants", EventEnvelope(
                eventId: id("served"), occurredAt: servedAt, recordedAt: servedAt, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
                subject: DemoScenario.reyes, payload: WarrantServed(warrantId: "1616-CR-07781-W1", servedAt: servedAt, servingAgencyId: "MO-KCPD")))
            let moved = try ScenarioEvent(topic: "supervision.cases", EventEnvelope(
                eventId: id("moved"), occurredAt: scenarioNow, recordedAt: scenarioNow,
                source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision), subject: DemoScenario.reyes,
                payload: AddressChanged(caseId: "CASE-RES", address: DemoScenario.independence, effectiveDate: DemoScenario.day(scenarioNow, -1))))

            try await bus.publish(directory + [issued])
            await bus.waitUntilCaughtUp(router)
            try await bus.publish([try DemoScenario.caseStarted(DemoScenario.reyes, caseId: "CASE-RES", officer: DemoScenario.brooks,
                                                                startDate: DemoScenario.day(scenarioNow, -30), now: scenarioNow, id: id("case"))])
            await bus.waitUntilCaughtUp(router)
            try await bus.publish([served, moved])
            await bus.waitUntilCaughtUp(router)
            try await bus.publish([issued, served])  // delivered again
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])

            let notifications = try bus.inbox()
            #expect(notifications.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }.sorted() == [
                "agency:MO-CIRCUIT16 routine issued-warrant-resolved",
                "agency:MO-CIRCUIT16 routine issued-warrant-subject-supervised",
                "agency:MO-IPD routine resident-moved-in",
                "agency:MO-KCPD routine resident-moved-out",
                "agency:MO-KCPD routine resident-supervision-started",
                "agency:MO-KCPD routine resident-warrant",  // issued, routed when the case arrived
                "agency:MO-KCPD routine resident-warrant",  // served, before the move
            ])
            let warrantNotice = try #require(notifications.first { $0.reason.rule == "resident-warrant" && $0.sourceEventId == id("issued").uuidString.lowercased() })
            #expect(warrantNotice.facts.contains(NotificationFact("registered address", "4410 Troost Ave, Kansas City, MO 64110")))
            #expect(warrantNotice.recipientAgencyId == "MO-KCPD")
            #expect(router.service.progress.snapshot.deadLettered == 0)
            try await inbox.stop()
            try await router.stop()
        }
    }
}
