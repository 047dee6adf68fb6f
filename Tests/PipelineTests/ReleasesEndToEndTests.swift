import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import TestSupport
import Testing
import Timers

/// The release rules on the embedded broker: events produced to Kafka (directory, case,
/// assessment, release, a tick of the bus's clock, a redelivered release), the notifications in
/// the inbox, each once.
@Suite("Release rules end to end on the embedded broker")
struct ReleasesEndToEndTests {
    @Test func aHighRiskReleaseIsAnnouncedOnTimeAndItsNoticeReachesOfficerAndPoliceOnce() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "release rules end to end") {
            let router = try bus.start(.router)
            let inbox = try bus.start(.inbox)
            let id = { (name: String) in ScenarioEvent.eventId("releases/\(name)") }
            let kcpd = try #require(DemoScenario.directory.first { $0.agencyId == "MO-KCPD" })
            let expected = scenarioNow.addingTimeInterval(90 * 86_400)
            let release = try DemoScenario.releaseScheduled(
                DemoScenario.reyes, releaseId: "WERDCC-R-9", facility: DemoScenario.werdcc, at: expected, to: DemoScenario.kansasCity,
                now: scenarioNow, id: id("scheduled"))
            try await bus.publish([
                try DemoScenario.agencyDescribed(kcpd, now: scenarioNow, id: id("kcpd")),
                try DemoScenario.agencyDescribed(DemoScenario.kcReentry, now: scenarioNow, id: id("reentry")),
                try DemoScenario.caseStarted(DemoScenario.reyes, caseId: "CASE-R", officer: DemoScenario.brooks,
                                             startDate: DemoScenario.day(scenarioNow, -30), now: scenarioNow, id: id("case")),
                try ScenarioEvent(topic: "supervision.assessments", EventEnvelope(
                    eventId: id("assessment"), occurredAt: scenarioNow, recordedAt: scenarioNow,
                    source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison), subject: DemoScenario.reyes,
                    payload: AssessmentCompleted(assessmentId: "ORAS-9", instrument: "ORAS-RT", completedOn: DemoScenario.day(scenarioNow, -2), riskLevel: .high))),
            ])
            await bus.waitUntilCaughtUp(router)
            try await bus.publish([release])
            await bus.waitUntilCaughtUp(router)
            // 31 days later (60 days before the release, and one more), a tick; and the release redelivered.
            let tick = TimerTick(minuteOf: scenarioNow.addingTimeInterval(31 * 86_400))
            try await bus.publish([
                ScenarioEvent(topic: TimerTick.topic, key: TimerTick.minuteClock, eventId: tick.id, eventType: TimerTick.eventType, value: tick.encoded()),
                release,
            ])
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])

            let notifications = try bus.inbox()
            let source = id("scheduled").uuidString.lowercased()
            // (The case, registered in Kansas City, also tells KCPD of its new resident.)
            let releaseNotices = notifications.filter { $0.reason.rule != "resident-supervision-started" }
            #expect(notifications.count == releaseNotices.count + 1)
            #expect(releaseNotices.allSatisfy { $0.sourceEventId == source })
            #expect(releaseNotices.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }.sorted() == [
                "agency:MO-DOC-PP routine supervisee-release",  // the supervising agency the release names, always
                "agency:MO-KC-REENTRY high high-risk-release-60-days",
                "agency:MO-KCPD high high-risk-release-60-days",
                "agency:MO-KCPD routine release-into-jurisdiction",
                "officer:PP-KC-118 high high-risk-release-60-days",
                "officer:PP-KC-118 routine supervisee-release",
            ])
            try await inbox.stop()
            try await router.stop()
        }
    }
}
