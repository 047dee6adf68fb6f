import Contracts
import Demo
import Foundation
import Notifications
import Pipeline
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing
import Timers

@testable import Kafka

/// Acknowledgement and escalation on the embedded broker: the warrant resolver's URGENT
/// notifications of the demo's short-notice release, ticks written to bus.timers by the
/// Scheduler on a clock the test moves, `reentrybus ack` run as a user runs it, and a replay
/// of the inbox afterwards.
@Suite("Escalation of unacknowledged urgent notifications, end to end")
struct EscalationEndToEndTests {
    /// Runs a scheduler whose clock stands at `start`, until `stop()`.
    struct RunningScheduler {
        let scheduler: Scheduler
        let clock: ManualSchedulerClock
        let group: ServiceGroup
        let task: Task<Void, any Error>

        init(on bus: TestBus, at start: Date) {
            clock = ManualSchedulerClock(start)
            scheduler = Scheduler(
                configuration: .init(producer: bus.kafka.producerConfiguration(clientID: "test-scheduler")), clock: clock, logger: testLogger)
            group = ServiceGroup(services: [scheduler], logger: testLogger)
            let group = self.group
            task = Task { try await group.run() }
        }

        /// Moves the clock to `instant` and waits until the tick of its minute is written.
        func tick(at instant: Date) async {
            let written = scheduler.progress.value.written.count
            clock.advance(to: instant)
            await scheduler.progress.wait { $0.written.count > written && $0.sleepingUntil != nil }
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    static func inbox(_ recipient: String, on bus: TestBus) throws -> [BusNotification] {
        try bus.read(.inbox) { try InboxStore.notifications(for: recipient, $0) }
    }

    @Test func anUnacknowledgedUrgentNotificationReachesTheDutyDeskThenTheSupervisorsAndAnAckStopsIt() async throws {
        let bus = try await TestBus()
        try await within(.seconds(240), "escalations, an ack, a replay") {
            let (police, court, sent, start) = try await Self.escalateThenAcknowledge(on: bus)

            // A replay of the inbox rebuilds the same chains and sends nothing; a later tick
            // after it escalates nothing again.
            let replay = try Replay(.inbox, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .seconds(30)), logger: quietLogger)
            _ = try await replay.run()
            #expect(try bus.read(.inbox) { try EscalationStore.chain(police.id, $0)?.state } == "acknowledged")
            #expect(try bus.read(.inbox) { try EscalationStore.chain(court.id, $0)?.state } == "done")
            let inbox = try bus.start(.inbox)
            let later = RunningScheduler(on: bus, at: start.addingTimeInterval(45 * 60))
            await later.scheduler.progress.wait { $0.written.count == 1 }
            await inbox.service.progress.wait { $0.consumed(TimerTick.topic) >= 4 }
            try await later.stop()
            try await inbox.stop()
            #expect(bus.published.withLock { $0[.inbox] ?? 0 } == 5, "the restarted inbox sent nothing")
            let onTopic = try await kcat(["-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.notifications, "-e", "-q", "-f", "%k\\n"])
            #expect(onTopic.split(separator: "\n").count == sent)
        }
    }

    /// The resolver's three URGENT notifications, escalated to their duty desks at +16 minutes;
    /// the police's acknowledged with the CLI, the court's and the prosecutor's escalated to
    /// their supervisors at +31.
    /// Returns the two originals, how many notifications are on the topic and when the clock
    /// started; every service it ran is stopped (their databases closed, for the replay).
    static func escalateThenAcknowledge(on bus: TestBus) async throws -> (BusNotification, BusNotification, Int, Date) {
        let resolver = try bus.start(.warrantResolver)
        let inbox = try bus.start(.inbox)
        // The directory, then a short-notice release with an active warrant: URGENT to the
        // destination's police (MO-IPD), to the issuing court (MO-CIRCUIT7) and to the prosecutor
        // serving it (MO-CCPO).
        let scenario = try DemoScenario(now: scenarioNow)
        // The warrant before the release (two topics: no order between them otherwise).
        for prefix in ["D ", "C1", "C2"] {
            try await bus.publish(scenario.steps.filter { $0.name.hasPrefix(prefix) }.map(\.event))
            await bus.waitUntilCaughtUp(resolver)
        }
        await resolver.service.progress.wait { ($0.published[BusTopic.notifications] ?? 0) >= 3 }
        await bus.waitUntilInboxCaughtUp(inbox, running: [resolver])
        let stored = try bus.inbox()
        let urgent = stored.filter { $0.priority == .urgent }
        #expect(Set(urgent.map(\.recipient.description)) == ["agency:MO-IPD", "agency:MO-CIRCUIT7", "agency:MO-CCPO"],
                "inbox: \(stored.map(\.line)); dead-lettered \(inbox.service.progress.snapshot.deadLettered), consumed \(inbox.service.progress.snapshot.consumed(BusTopic.notifications)); resolver published \(resolver.service.progress.snapshot.published), dead-lettered \(resolver.service.progress.snapshot.deadLettered)")
        let police = try #require(urgent.first { $0.recipient == .agency("MO-IPD") })
        let court = try #require(urgent.first { $0.recipient == .agency("MO-CIRCUIT7") })
        let routed = try bus.inbox().count

        // A tick now: nothing is due.
        let start = Date()
        let scheduler = RunningScheduler(on: bus, at: start)
        await scheduler.scheduler.progress.wait { $0.written.count == 1 && $0.sleepingUntil != nil }
        await inbox.service.progress.wait { $0.consumed(TimerTick.topic) >= 1 }
        #expect(inbox.service.progress.snapshot.published[BusTopic.notifications] == nil)

        // Sixteen minutes on: each is escalated to its agency's duty desk, and the
        // escalations come back into the inbox.
        await scheduler.tick(at: start.addingTimeInterval(16 * 60))
        await inbox.service.progress.wait { $0.consumed(TimerTick.topic) >= 2 }
        await inbox.service.progress.wait { ($0.published[BusTopic.notifications] ?? 0) >= 3 }
        await inbox.service.progress.wait { $0.consumed(BusTopic.notifications) >= Int64(routed + 3) }
        let policeDuty = try Self.inbox("duty:MO-IPD", on: bus)
        #expect(policeDuty.count == 1)
        let policeEscalation = try #require(policeDuty.first)
        #expect(policeEscalation.reason.rule == "urgent-unacknowledged" && policeEscalation.priority == .urgent)
        #expect(policeEscalation.sourceEventId == police.id)
        #expect(policeEscalation.facts.contains(NotificationFact("Duty desk phone", "+1 816 325 7300")))
        #expect(try Self.inbox("duty:MO-CIRCUIT7", on: bus).map(\.sourceEventId) == [court.id])

        // The police duty desk acknowledges its escalation with the CLI; a bad --by is refused.
        let cluster = ["--bootstrap", bus.kafka.bootstrapServers, "--dir", topicsDirectory.path, "--connect-timeout", "20", "--log-level", "error"]
        let (refused, refusedProcess) = try await runReentrybus(["ack", policeEscalation.id, "--by", "MO-IPD"] + cluster)
        #expect(refused.status == 64)
        #expect(refusedProcess.errors.value.contains("--by"), "\(refusedProcess.errors.value)")
        let (badId, badIdProcess) = try await runReentrybus(["ack", "not-an-id", "--by", "duty:MO-IPD"] + cluster)
        #expect(badId.status == 64)
        #expect(badIdProcess.errors.value.contains("ID"), "\(badIdProcess.errors.value)")
        let (acked, ackProcess) = try await runReentrybus(
            ["ack", policeEscalation.id, "--by", "duty:MO-IPD", "--note", "Officers on the way"] + cluster)
        #expect(acked.status == 0, "\(ackProcess.errors.value)")
        #expect(ackProcess.output.value.hasPrefix("acknowledged \(policeEscalation.id) by duty:MO-IPD at "))
        await inbox.service.progress.wait { $0.consumed(NotificationAcknowledgement.topic) >= 1 }

        // Thirty-one minutes on: the court's supervisors, not the police's.
        await scheduler.tick(at: start.addingTimeInterval(31 * 60))
        await inbox.service.progress.wait { $0.consumed(TimerTick.topic) >= 3 }
        await inbox.service.progress.wait { ($0.published[BusTopic.notifications] ?? 0) >= 5 }
        await inbox.service.progress.wait { $0.consumed(BusTopic.notifications) >= Int64(routed + 5) }
        #expect(try Self.inbox("role:MO-CIRCUIT7/supervisor", on: bus).map(\.sourceEventId) == [court.id])
        #expect(try Self.inbox("role:MO-CCPO/supervisor", on: bus).count == 1)
        #expect(try Self.inbox("role:MO-IPD/supervisor", on: bus).isEmpty)
        // `reentrybus inbox` shows who acknowledged and whom it was escalated to.
        let (listed, listing) = try await runReentrybus(["inbox", "agency:MO-IPD", "--data-dir", bus.configuration.dataDirectory.path])
        #expect(listed.status == 0, "\(listing.errors.value)")
        #expect(listing.output.value.contains("    escalated to duty:MO-IPD"), "\(listing.output.value)")
        let (dutyListed, dutyListing) = try await runReentrybus(["inbox", "duty:MO-IPD", "--data-dir", bus.configuration.dataDirectory.path])
        #expect(dutyListed.status == 0)
        #expect(dutyListing.output.value.contains("    acknowledged by duty:MO-IPD at "), "\(dutyListing.output.value)")
        #expect(dutyListing.output.value.contains("Officers on the way"))
        try await scheduler.stop()
        try await inbox.stop()
        try await resolver.stop()
        return (police, court, routed + 5, start)
    }
}
