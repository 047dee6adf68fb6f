import Contracts
import Demo
import Feeds
import Foundation
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing
import Timers

/// Feed liveness on the embedded broker: two agencies publish, the bus's clock ticks on
/// `bus.timers`, one agency falls silent → the alarm in the inbox (operators and agency, with
/// the integrator contact); it publishes again → the all-clear; a duplicated tick changes
/// nothing; `reentrybus feeds` prints the coverage map from the service's database.
@Suite("Feed liveness end to end on the embedded broker")
struct FeedsEndToEndTests {
    static let jail = AgencyDescribed(
        agencyId: "MO-JCSO", kind: .jail, name: "Jackson County Detention Center",
        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]), dutyContact: DutyContact(phone: "+1 816 881 4200"),
        integratorContact: DutyContact(email: "jms.support@jcso.example.org"),
        // Its bookings are judged daily here, so that only its releases (hourly) fall silent.
        feedCadences: [FeedCadence(topic: "police.arrests", everyMinutes: 1_440)])
    static let police = AgencyDescribed(
        agencyId: "MO-KCPD", kind: .police, name: "Kansas City Missouri Police Department",
        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"], places: ["Kansas City"]),
        integratorContact: DutyContact(email: "rms.support@kcpd.example.org"),
        feedCadences: [FeedCadence(topic: "police.arrests", everyMinutes: 1_440)])

    static func tickEvent(_ at: Date) -> ScenarioEvent {
        let tick = TimerTick(minuteOf: at)
        return ScenarioEvent(topic: TimerTick.topic, key: TimerTick.minuteClock, eventId: tick.id, eventType: TimerTick.eventType, value: tick.encoded())
    }

    static func release(_ name: String, now: Date) throws -> ScenarioEvent {
        try DemoScenario.releaseCompleted(
            DemoScenario.grant, releaseId: "JCDC-\(name)", facility: DemoScenario.jacksonJail, at: now, type: .bailBond,
            to: DemoScenario.independence, now: now, id: ScenarioEvent.eventId("feeds/\(name)"))
    }

    @Test func aSilentFeedIsAlarmedThenClearedAndTheMapShowsIt() async throws {
        let bus = try await TestBus()
        let now = Date()
        try await within(.seconds(90), "feed liveness end to end") {
            let feeds = try bus.start(.feeds)
            let inbox = try bus.start(.inbox)
            let notificationsTopic = BusTopic.notifications
            func delivered(_ count: Int) async {
                await feeds.service.progress.wait { ($0.published[notificationsTopic] ?? 0) >= count }
                await inbox.service.progress.wait { $0.consumed(notificationsTopic) >= Int64(count) }
            }
            try await bus.publish([
                try DemoScenario.agencyDescribed(Self.jail, now: now, id: ScenarioEvent.eventId("feeds/jail")),
                try DemoScenario.agencyDescribed(Self.police, now: now, id: ScenarioEvent.eventId("feeds/police")),
                try DemoScenario.arrest(DemoScenario.reyes, arrestId: "KCPD-A-1", at: now, now: now, id: ScenarioEvent.eventId("feeds/arrest")),
                try Self.release("R1", now: now),
            ])
            await bus.waitUntilCaughtUp(feeds)  // the events before the clock moves on

            // Three hours later by the bus's clock: the jail's releases (hourly) are silent.
            let later = Self.tickEvent(now.addingTimeInterval(3 * 3_600))
            try await bus.publish([later])
            await delivered(2)
            let alarms = try bus.inbox().sorted { $0.recipient < $1.recipient }
            #expect(alarms.map(\.recipient.description) == ["agency:MO-JCSO", "unit:BUS-OPERATIONS"])
            #expect(alarms.allSatisfy { $0.reason.rule == "feed-silent" && $0.priority == .high })
            #expect(alarms.allSatisfy { $0.facts.contains(NotificationFact("Integrator contact", "jms.support@jcso.example.org")) })
            #expect(alarms.allSatisfy { $0.facts.contains(NotificationFact("Topic", "custody.releases")) })

            // The same tick again (a second scheduler, a redelivery): nothing changes.
            try await bus.publish([later])
            await bus.waitUntilCaughtUp(feeds)
            #expect(feeds.service.progress.snapshot.duplicates == 1)
            #expect(feeds.service.progress.snapshot.published[notificationsTopic] == 2)

            // The jail publishes again: the all-clear, to the same two.
            try await bus.publish([try Self.release("R2", now: Date())])
            await delivered(4)
            let all = try bus.inbox()
            let cleared = all.filter { $0.reason.rule == "feed-restored" }.sorted { $0.recipient < $1.recipient }
            #expect(cleared.map(\.recipient.description) == ["agency:MO-JCSO", "unit:BUS-OPERATIONS"])
            #expect(cleared.allSatisfy { $0.priority == .routine && $0.sourceEventType == "custody.release.completed" })
            #expect(all.count == 4)
            try await inbox.stop()
            try await feeds.stop()
        }

        // The coverage map, from the service's database.
        let (status, process) = try await runReentrybus(["feeds", "--data-dir", bus.configuration.dataDirectory.path])
        #expect(status == .init(status: 0, bySignal: false), "\(process.errors.value)")
        let table = process.output.value
        #expect(table.contains("Latest tick: \(EventCodec.formatInstant(TimerTick(minuteOf: now.addingTimeInterval(3 * 3_600)).at))"))
        // At the latest tick (three hours on) even the second release is more than two hours old:
        // silent again, its alarm due at the next tick (the last one was cleared).
        let releases = try #require(table.split(separator: "\n").first { $0.hasPrefix("MO-JCSO") && $0.contains("custody.releases") })
        #expect(releases.contains(" 2 ") && releases.contains(" 1 h ") && releases.contains("silent since"))
        #expect(!releases.contains("[alarm sent]"))
        let contacts = try #require(table.split(separator: "\n").first { $0.hasPrefix("MO-KCPD") && $0.contains("police.contacts") })
        #expect(contacts.contains("2 h") && contacts.contains("never published (expected since"))

        let (jsonStatus, jsonProcess) = try await runReentrybus(["feeds", "--data-dir", bus.configuration.dataDirectory.path, "--json"])
        #expect(jsonStatus == .init(status: 0, bySignal: false), "\(jsonProcess.errors.value)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(jsonProcess.output.value.utf8)) as? [String: Any])
        let rows = try #require(document["feeds"] as? [[String: Any]])
        let statuses = Dictionary(uniqueKeysWithValues: rows.map { ("\($0["agencyId"]!) \($0["topic"]!)", "\($0["status"]!)") })
        #expect(statuses == [
            "MO-JCSO custody.releases": "silent", "MO-JCSO police.arrests": "never-published",
            "MO-KCPD courts.warrants": "never-published", "MO-KCPD police.arrests": "ok",
            "MO-KCPD police.contacts": "never-published", "MO-KCPD police.incidents": "never-published",
            "MO-KCPD police.investigations": "never-published",
        ])
    }

    @Test func theMapWithoutTheDatabaseSaysWhereItLooked() async throws {
        let directory = temporaryDirectory("reentrybus-feeds")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, process) = try await runReentrybus(["feeds", "--data-dir", directory.path])
        #expect(status == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("There is no feeds database at \(directory.path)/feeds.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("feeds.sqlite").path))
    }
}
