import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import TestSupport
import Testing
import Timers
import Warrants

/// The warrant resolver on the embedded broker: directory, warrant, release and a tick of the
/// bus's clock produced to Kafka; the escalation and the URGENT release alert in the inbox, each
/// once; the check's events on `bus.warrant-checks`, read with kcat as a jail's system would.
@Suite("Warrant checks end to end on the embedded broker")
struct WarrantChecksEndToEndTests {
    @Test func aPendingCheckEscalatesAndAReleaseWithTheWarrantActiveIsUrgentAndTheCheckIsPublished() async throws {
        let bus = try await TestBus()
        try await within(.seconds(120), "warrant checks end to end") {
            let resolver = try bus.start(.warrantResolver)
            let inbox = try bus.start(.inbox)
            let id = { (name: String) in ScenarioEvent.eventId("warrant-checks/\(name)") }
            let directory = try ["MO-KCPD", "MO-CIRCUIT16", "MO-JCPO"].map { agencyId in
                try DemoScenario.agencyDescribed(try #require(DemoScenario.directory.first { $0.agencyId == agencyId }), now: scenarioNow, id: id(agencyId))
            }
            let expected = scenarioNow.addingTimeInterval(20 * 86_400)
            let release = try DemoScenario.releaseScheduled(
                DemoScenario.reyes, releaseId: "WERDCC-W-1", facility: DemoScenario.werdcc, at: expected, to: DemoScenario.kansasCity,
                now: scenarioNow, id: id("scheduled"))
            try await bus.publish(directory)
            await bus.waitUntilCaughtUp(resolver)
            // The warrant read before the release (two topics: no order between them otherwise), so
            // the check opens pending (read the other way round it opens clear and a warrant joins it).
            try await bus.publish([
                try DemoScenario.warrantIssued(DemoScenario.reyes, warrantId: "1616-CR-9-W1", kind: .failureToAppear, agency: "MO-CIRCUIT16",
                                               now: scenarioNow, id: id("issued")),
            ])
            await bus.waitUntilCaughtUp(resolver)
            try await bus.publish([release])
            await bus.waitUntilCaughtUp(resolver)
            // 6 days before the release, a tick (and the release redelivered); then the release, the warrant still active.
            let tick = TimerTick(minuteOf: expected.addingTimeInterval(-6 * 86_400))
            try await bus.publish([
                ScenarioEvent(topic: TimerTick.topic, key: TimerTick.minuteClock, eventId: tick.id, eventType: TimerTick.eventType, value: tick.encoded()),
                release,
            ])
            await bus.waitUntilCaughtUp(resolver)

            // `reentrybus warrant-checks` lists the open check: pending, two deadlines passed, who was told.
            let dataDirectory = bus.configuration.dataDirectory.path
            let (status, listing) = try await runReentrybus(["warrant-checks", "--data-dir", dataDirectory, "--status", "pending"])
            #expect(status.status == 0, "\(listing.errors.value)")
            let table = listing.output.value
            #expect(table.contains("WERDCC-W-1  pending  MO-DOC-WERDCC"), "\(table)")
            #expect(table.contains("warrant 1616-CR-9-W1 (failure_to_appear, MO-CIRCUIT16)"))
            #expect(table.contains("agency:MO-JCPO (warrant-check-escalation), agency:MO-JCPO (warrant-check-prosecutor)"))
            #expect(table.contains("30d \(EventCodec.formatInstant(expected.addingTimeInterval(-30 * 86_400)).prefix(10))*"))
            let (holdStatus, holds) = try await runReentrybus(["warrant-checks", "--data-dir", dataDirectory, "--status", "hold"])
            #expect(holdStatus.status == 0 && holds.output.value == "No open warrant checks with status hold.\n")
            let (jsonStatus, json) = try await runReentrybus(["warrant-checks", "--data-dir", dataDirectory, "--facility", "MO-DOC-WERDCC", "--json"])
            #expect(jsonStatus.status == 0)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.value.utf8)) as? [String: Any])
            let checks = try #require(document["checks"] as? [[String: Any]])
            #expect(checks.map { $0["releaseId"] as? String } == ["WERDCC-W-1"])
            #expect((checks.first?["deadlines"] as? [[String: Any]])?.map { $0["escalated"] as? Bool } == [true, true, false])

            try await bus.publish([
                try DemoScenario.releaseCompleted(DemoScenario.reyes, releaseId: "WERDCC-W-1", facility: DemoScenario.werdcc, at: expected,
                                                  type: .parole, to: DemoScenario.kansasCity, now: expected, id: id("completed")),
            ])
            await bus.waitUntilCaughtUp(resolver)
            await bus.waitUntilInboxCaughtUp(inbox, running: [resolver])

            #expect(try bus.inbox().map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }.sorted() == [
                "agency:MO-CIRCUIT16 high warrant-check-escalation",
                "agency:MO-CIRCUIT16 high warrant-check-pending",
                "agency:MO-CIRCUIT16 urgent released-with-unresolved-warrant",
                "agency:MO-JCPO high warrant-check-escalation",
                "agency:MO-JCPO high warrant-check-prosecutor",
                "agency:MO-JCPO urgent released-with-unresolved-warrant",
                "agency:MO-KCPD high release-warrant-pending",
                "agency:MO-KCPD urgent released-with-unresolved-warrant",
                "agency:MO-DOC-PP urgent released-with-unresolved-warrant",
                "facility:MO-DOC-WERDCC high warrant-check-escalation",
            ].sorted())

            // The check's events, as Topics/README.md shows a jail's system reading them (once the outbox sent them).
            await resolver.service.progress.wait { ($0.published[BusTopic.warrantChecks] ?? 0) >= 3 }
            let onTopic = try await kcat([
                "-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.warrantChecks, "-e", "-q", "-f", "%k %h\\n",
            ])
            let lines = onTopic.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(lines)")
            #expect(lines.allSatisfy { $0.hasPrefix("WERDCC-W-1 ") })
            #expect(lines.map { line in ["opened", "updated", "resolved"].first { line.contains("event-type=bus.warrant-check.\($0)") } ?? "?" }
                    == ["opened", "updated", "resolved"])
            let values = try await kcat(["-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.warrantChecks, "-e", "-q", "-f", "%s\\n"])
            let events = try values.split(separator: "\n").map { try WarrantCheckEvent.decode(Array($0.utf8)) }
            #expect(events.map(\.status) == ["pending", "pending", "pending"])
            #expect(events.map(\.revision) == [1, 2, 3])
            #expect(events.last?.outcome == .releasedUnresolved)
            #expect(events[1].deadlines.map(\.escalated) == [true, true, false])
            try await inbox.stop()
            try await resolver.stop()
        }
    }
}
