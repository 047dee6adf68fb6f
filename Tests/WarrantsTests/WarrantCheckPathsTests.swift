import TestSupport
import Contracts
import Foundation
import Notifications
import ServiceKit
import Testing
import Timers

@testable import Warrants

/// What one event sent: the notifications (signed) and the `bus.warrant-checks` events.
struct ResolverOutput {
    var notifications: [BusNotification] = []
    var checkEvents: [WarrantCheckEvent] = []
    /// The event-type header of each check event, in order.
    var checkEventTypes: [String] = []
    /// The `schema-version` header of each check event.
    var checkVersions: [String] = []
    /// The check events as queued (to validate against the contract).
    var checkMessages: [OutgoingMessage] = []

    /// "recipient priority rule", in the order sent.
    var summary: [String] { notifications.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" } }
}

/// The warrant resolver with the tests' directory (police, courts, the sheriff holding
/// detainers) and the prosecutors serving the courts, on the current database.
struct ResolverUnderTest {
    let key = NotificationSigningKey.random()
    let harness: ProjectionHarness

    init() async throws {
        harness = try await ProjectionHarness.onCurrentDatabase(WarrantResolverProjection(signingKey: key))
        for entry in Events.directory + Events.prosecutors { try await harness.apply(Events.admitted(Events.described(entry))) }
    }

    @discardableResult
    func apply(_ event: EventEnvelope<some EventPayload>) async throws -> ResolverOutput {
        try await apply(try Events.admitted(event))
    }

    @discardableResult
    func tick(_ tick: TimerTick) async throws -> ResolverOutput {
        try await apply(Events.admitted(tick))
    }

    @discardableResult
    func apply(_ event: AdmittedEvent) async throws -> ResolverOutput {
        var output = ResolverOutput()
        for message in try await harness.apply(event) {
            switch message.topic {
            case BusTopic.notifications:
                try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
                output.notifications.append(try BusNotification.decode(message.value))
            case BusTopic.warrantChecks:
                output.checkEvents.append(try WarrantCheckEvent.decode(message.value))
                output.checkEventTypes.append(message.headers.first { $0.key == EventHeaders.eventType }?.value.map { String(decoding: $0, as: UTF8.self) } ?? "")
                output.checkVersions.append(message.headers.first { $0.key == EventHeaders.schemaVersion }?.value.map { String(decoding: $0, as: UTF8.self) } ?? "")
                output.checkMessages.append(message)
            default:
                Issue.record("unexpected topic \(message.topic)")
            }
        }
        return output
    }

    func check(_ releaseId: String = "R-1") async throws -> WarrantCheck? {
        try await harness.write { db, _ in try WarrantResolverProjection.check(releaseId, db) }
    }
}

/// Every path of a warrant check (issue 15), each with the exact notifications sent and the
/// check's events on `bus.warrant-checks`.
@Suite struct WarrantCheckPathsTests {
    // MARK: Warrants

    @Test func aServedWarrantClearsTheCheckAndTellsFacilityAndPolice() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        let opened = try await resolver.apply(Events.scheduled())
        #expect(opened.summary == [
            "agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-JCPO high warrant-check-prosecutor", "agency:MO-KCPD high release-warrant-pending",
        ])
        #expect(opened.checkEventTypes == ["bus.warrant-check.opened"])
        let event = try #require(opened.checkEvents.first)
        #expect(event.status == "pending" && event.revision == 1 && event.warrants.map(\.warrantId) == ["W-1"])
        #expect(event.deadlines.map(\.daysBefore) == [30, 7, 1] && event.deadlines.allSatisfy { !$0.escalated })
        #expect(event.deadlines.first?.at == Events.releaseAt.addingTimeInterval(-30 * 86_400))
        let served = try await resolver.apply(Events.served("W-1"))
        #expect(served.summary == ["facility:MO-DOC-WERDCC routine warrant-check-clear", "agency:MO-KCPD routine warrant-check-clear"])
        #expect(served.checkEventTypes == ["bus.warrant-check.updated"])
        #expect(served.checkEvents.first?.status == "clear" && served.checkEvents.first?.revision == 2 && served.checkEvents.first?.warrants == [])
    }

    @Test func aRecalledWarrantLeavesTheCheckPendingOnTheOthersAndAQuashedOneClearsIt() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.issued("W-2", agency: "MO-CIRCUIT7"))
        #expect(try await resolver.apply(Events.scheduled()).summary == [
            "agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-JCPO high warrant-check-prosecutor",
            "agency:MO-CIRCUIT7 high warrant-check-pending", "agency:MO-CCPO high warrant-check-prosecutor",
            "agency:MO-KCPD high release-warrant-pending",
        ])
        let recalled = try await resolver.apply(Events.recalled("W-1"))
        #expect(recalled.notifications.isEmpty)
        #expect(recalled.checkEvents.map(\.status) == ["pending"] && recalled.checkEvents.first?.warrants.map(\.warrantId) == ["W-2"])
        let quashed = try await resolver.apply(quashedEvent("W-2"))
        #expect(quashed.summary == ["facility:MO-DOC-WERDCC routine warrant-check-clear", "agency:MO-KCPD routine warrant-check-clear"])
        #expect(try await resolver.check()?.status == "clear")
    }

    private func quashedEvent(_ warrantId: String) -> EventEnvelope<WarrantQuashed> {
        EventEnvelope(
            eventId: Events.id("quashed-\(warrantId)"), occurredAt: Events.now, recordedAt: Events.now,
            source: SourceAgency(agencyId: "MO-CIRCUIT7", agencyKind: .court), subject: Events.hill,
            payload: WarrantQuashed(warrantId: warrantId, quashedOn: CalendarDate("2025-06-16")!, reason: "Issued in error"))
    }

    @Test func aWarrantIssuedAfterTheCheckClearedReopensItAndTellsEveryoneAgain() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(Events.served("W-1"))
        let reopened = try await resolver.apply(Events.issued("W-2"))
        #expect(reopened.summary == [
            "agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-JCPO high warrant-check-prosecutor",
            "agency:MO-KCPD high release-warrant-pending", "facility:MO-DOC-WERDCC high warrant-check-reopened",
        ])
        #expect(reopened.checkEvents.map(\.status) == ["pending"])
        // A check that opened clear told nobody: a warrant joining it tells the court, prosecutor and police, not the facility.
        try await resolver.apply(Events.scheduled("R-2", subject: Events.reyes))
        let joined = try await resolver.apply(Events.issued("W-9", subject: Events.reyes))
        #expect(joined.summary == [
            "agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-JCPO high warrant-check-prosecutor", "agency:MO-KCPD high release-warrant-pending",
        ])
    }

    // MARK: Detainers

    @Test func aDetainerPutsTheCheckOnHoldTellsTheHoldingAgencyAndItsLiftingTellsHolderAndFacility() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        let lodged = try await resolver.apply(Events.lodged("D-1"))
        #expect(lodged.summary == ["agency:KS-JOCO-SO high warrant-check-hold"])
        #expect(lodged.checkEvents.first?.status == "hold" && lodged.checkEvents.first?.detainers.map(\.holdingAgencyId) == ["KS-JOCO-SO"])
        #expect(try await resolver.apply(Events.lodged("D-1", id: "lodged-again")).notifications.isEmpty)
        let lifted = try await resolver.apply(Events.lifted("D-1"))
        #expect(lifted.summary == ["agency:KS-JOCO-SO routine warrant-check-hold-lifted", "facility:MO-DOC-WERDCC routine warrant-check-hold-lifted"])
        // The warrant is still active: back to pending.
        #expect(lifted.checkEvents.first?.status == "pending" && lifted.checkEvents.first?.detainers == [])
        #expect(lifted.notifications.first?.summary.hasSuffix("warrant check pending") == true)
    }

    @Test func aDetainerLodgedBeforeTheScheduleHoldsTheCheckFromTheStart() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.lodged("D-1"))
        let opened = try await resolver.apply(Events.scheduled())
        #expect(opened.summary == ["agency:KS-JOCO-SO high warrant-check-hold"])
        #expect(try await resolver.check()?.status == "hold")
        // Lifted before its lodging is read: it never holds.
        try await resolver.apply(Events.lifted("D-2", subject: Events.reyes))
        try await resolver.apply(Events.lodged("D-2", subject: Events.reyes))
        #expect(try await resolver.apply(Events.scheduled("R-2", subject: Events.reyes)).notifications.isEmpty)
        #expect(try await resolver.check("R-2")?.status == "clear")
    }

    // MARK: Release changed, cancelled

    @Test func aNewDateMovesTheDeadlinesAndANewDestinationTellsTheNewPoliceAndReleasesTheOld() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        // 31 days before the release: stage 30 escalates… then the release moves 20 days later.
        try await resolver.tick(Events.tick(daysBeforeRelease: 29))
        let later = Events.releaseAt.addingTimeInterval(20 * 86_400)
        let moved = try await resolver.apply(Events.changed(expectedAt: later))
        #expect(moved.notifications.isEmpty)
        let event = try #require(moved.checkEvents.first)
        #expect(event.releaseAt == later && event.deadlines.map(\.at) == [30, 7, 1].map { later.addingTimeInterval(Double(-$0) * 86_400) })
        #expect(event.deadlines.allSatisfy { !$0.escalated })
        // Nothing is due for the new date at 28 days before the old one (48 before the new).
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 28)).notifications.isEmpty)
        // Independence, not Kansas City.
        let away = try await resolver.apply(Events.changed(to: Events.independence, id: "changed-destination"))
        #expect(away.summary == ["agency:MO-IPD high release-warrant-pending", "agency:MO-KCPD routine release-moved-away"])
        #expect(away.checkEvents.first?.destination?.city == "Independence")
        // A change for a release never scheduled is refused (dead letter) and the resolver goes on.
        await #expect(throws: PoisonMessage.self) { try await resolver.apply(Events.changed("R-UNKNOWN")) }
        #expect(try await resolver.check()?.destination == Events.independence)
    }

    @Test func aCancelledReleaseResolvesTheCheckQuietlyAndNeverEscalates() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        let cancelled = try await resolver.apply(Events.cancelled())
        #expect(cancelled.notifications.isEmpty)
        #expect(cancelled.checkEventTypes == ["bus.warrant-check.resolved"] && cancelled.checkEvents.first?.outcome == .cancelled)
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 0.5)).notifications.isEmpty)
    }

    /// A cancelled release scheduled again is a release to check again: the cancellation had
    /// closed its check quietly, and left so, the new date would pass with the warrant never
    /// raised (no notice, no escalation, nothing at the release).
    @Test func aReleaseScheduledAgainAfterItsCancellationOpensItsCheckAgain() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        let first = try await resolver.apply(Events.scheduled())
        try await resolver.apply(Events.cancelled(occurredAt: Events.now.addingTimeInterval(3_600)))
        // The first schedule re-sent (a new id, its own time, before the cancellation): the
        // cancellation stands, nobody is told.
        #expect(try await resolver.apply(Events.scheduled(id: "scheduled-resent")).notifications.isEmpty)
        #expect(try await resolver.check()?.closed == true)
        let again = try await resolver.apply(Events.scheduled(id: "scheduled-again", occurredAt: Events.now.addingTimeInterval(86_400)))
        #expect(again.summary == first.summary)
        #expect(!again.summary.isEmpty)
        // Readers keep a check's highest revision: a later `updated` event, open again.
        #expect(again.checkEventTypes == ["bus.warrant-check.updated"])
        #expect(again.checkEvents.first?.outcome == nil && again.checkEvents.first?.status == "pending")
        let revisions = (first.checkEvents + again.checkEvents).map(\.revision)
        #expect(revisions == revisions.sorted() && Set(revisions).count == revisions.count, "the check's revision keeps rising: \(revisions)")
        let check = try #require(try await resolver.check())
        #expect(!check.closed && check.status == "pending")
        // Open again: it escalates, and the release with the warrant active is urgent.
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 29.9)).summary.contains("agency:MO-CIRCUIT16 high warrant-check-escalation"))
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt))
        #expect(released.summary.contains("agency:MO-CIRCUIT16 urgent released-with-unresolved-warrant"))
        // Re-sent after the release: nothing.
        #expect(try await resolver.apply(Events.scheduled(id: "scheduled-third", occurredAt: Events.releaseAt.addingTimeInterval(60))).notifications.isEmpty)
    }

    /// Scheduled less than 72 hours ahead with a warrant active, the release leaves the court,
    /// the prosecutor and the police too little time: their notices are URGENT (the inbox asks
    /// for acknowledgement and escalates), where a schedule 60 days ahead tells them HIGH.
    @Test func aReleaseScheduledLessThan72HoursAheadWithAWarrantIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.lodged("D-1"))
        let soon = try await resolver.apply(Events.scheduled(expectedAt: Events.now.addingTimeInterval(48 * 3_600)))
        #expect(soon.summary == [
            "agency:MO-CIRCUIT16 urgent warrant-check-pending", "agency:MO-JCPO urgent warrant-check-prosecutor",
            "agency:MO-KCPD urgent release-warrant-pending", "agency:KS-JOCO-SO urgent warrant-check-hold",
        ])
        #expect(soon.notifications.allSatisfy { $0.summary.hasPrefix("URGENT, less than 72 hours' notice: ") })
        // Scheduled three days and an hour ahead: the notices are the usual HIGH ones.
        let later = try await resolver.apply(Events.scheduled("R-2", id: "scheduled-R-2", expectedAt: Events.now.addingTimeInterval(73 * 3_600)))
        #expect(!later.summary.isEmpty && later.notifications.allSatisfy { $0.priority == .high })
    }

    /// Moved from 60 days off to 48 hours ahead, a release with a warrant active tells the court,
    /// the prosecutor and the police again, URGENT; moved again within those hours, nothing new.
    @Test func aReleaseMovedToLessThan72HoursAheadWithAWarrantIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        #expect(try await resolver.apply(Events.scheduled()).notifications.allSatisfy { $0.priority == .high })
        let moved = try await resolver.apply(Events.changed(expectedAt: Events.now.addingTimeInterval(48 * 3_600)))
        #expect(moved.summary == [
            "agency:MO-CIRCUIT16 urgent warrant-check-pending", "agency:MO-JCPO urgent warrant-check-prosecutor",
            "agency:MO-KCPD urgent release-warrant-pending",
        ])
        let again = try await resolver.apply(Events.changed(expectedAt: Events.now.addingTimeInterval(40 * 3_600), id: "changed-again"))
        #expect(again.notifications.isEmpty)
    }

    /// A warrant issued, or a detainer lodged, within 72 hours of a scheduled release leaves its
    /// resolvers as little time as a late schedule: their notices are URGENT too; issued four
    /// days before, HIGH.
    @Test func aWarrantOrDetainerWithin72HoursOfTheReleaseIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        let early = try await resolver.apply(Events.issued("W-1", occurredAt: Events.releaseAt.addingTimeInterval(-96 * 3_600)))
        #expect(!early.summary.isEmpty && early.notifications.allSatisfy { $0.priority == .high })
        let late = try await resolver.apply(Events.issued("W-2", occurredAt: Events.releaseAt.addingTimeInterval(-24 * 3_600)))
        #expect(late.summary == [
            "agency:MO-CIRCUIT16 urgent warrant-check-pending", "agency:MO-JCPO urgent warrant-check-prosecutor",
            "agency:MO-KCPD urgent release-warrant-pending",
        ])
        let held = try await resolver.apply(Events.lodged("D-1", occurredAt: Events.releaseAt.addingTimeInterval(-12 * 3_600)))
        #expect(held.summary == ["agency:KS-JOCO-SO urgent warrant-check-hold"])
    }

    /// Moved into those 72 hours and to another city at once: the new city's police are told
    /// once, URGENT (not also the usual HIGH notice of a new destination).
    @Test func aReleaseMovedSoonAndElsewhereTellsTheNewPoliceOnceUrgently() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        let moved = try await resolver.apply(Events.changed(expectedAt: Events.now.addingTimeInterval(48 * 3_600), to: Events.independence))
        let toNewPolice = moved.summary.filter { $0.hasPrefix("agency:MO-IPD ") }
        #expect(toNewPolice == ["agency:MO-IPD urgent release-warrant-pending"], "\(moved.summary)")
        #expect(moved.summary.contains("agency:MO-CIRCUIT16 urgent warrant-check-pending"))
    }

    /// A release completed after its schedule was cancelled happened without a schedule in
    /// force: with a warrant active, as urgent as any release no schedule announced.
    @Test func aReleaseCompletedAfterItsCancellationWithAnActiveWarrantIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        try await resolver.apply(Events.cancelled())
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt))
        #expect(!released.summary.isEmpty)
        #expect(released.notifications.allSatisfy { $0.priority == .urgent && $0.reason.rule == "unscheduled-release-active-warrant" }, "\(released.summary)")
        #expect(released.summary.contains { $0.hasPrefix("agency:MO-CIRCUIT16 ") })
        let check = try #require(try await resolver.check())
        #expect(check.closed)
        // Read again (a second completion event): the release happened, nothing more.
        #expect(try await resolver.apply(Events.completed("R-1", at: Events.releaseAt)).notifications.isEmpty)
    }

    // MARK: Escalation and release

    @Test func aPendingCheckEscalatesAt30And7And1DaysOnceEachThenAReleaseCompletedLateIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.issued("W-1"))
        try await resolver.apply(Events.scheduled())
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 31)).notifications.isEmpty)
        var sent: [String] = []
        var facilityAgencies: Set<String?> = []
        for days in [29.9, 29.8, 6.9, 6.8, 0.9, 0.8, -1] {
            let output = try await resolver.tick(Events.tick(daysBeforeRelease: days))
            sent += output.notifications.map { "\(days) \($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }
            facilityAgencies.formUnion(output.notifications.filter { $0.recipient.kind == .facility }.map(\.recipientAgencyId))
        }
        // The facility's notifications are the releasing agency's (the schedule's source), so
        // the inbox escalates an unacknowledged URGENT one to that agency's duty desk.
        #expect(facilityAgencies == ["MO-DOC"])
        #expect(sent == [
            "29.9 agency:MO-CIRCUIT16 high warrant-check-escalation", "29.9 agency:MO-JCPO high warrant-check-escalation",
            "29.9 facility:MO-DOC-WERDCC high warrant-check-escalation",
            "6.9 agency:MO-CIRCUIT16 high warrant-check-escalation", "6.9 agency:MO-JCPO high warrant-check-escalation",
            "6.9 facility:MO-DOC-WERDCC high warrant-check-escalation",
            "0.9 agency:MO-CIRCUIT16 urgent warrant-check-escalation", "0.9 agency:MO-JCPO urgent warrant-check-escalation",
            "0.9 facility:MO-DOC-WERDCC urgent warrant-check-escalation",
        ])
        #expect(try await resolver.check()?.escalatedDays == 1)
        // A tick read again (a redelivery, an older minute) sends nothing.
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 0.9)).notifications.isEmpty)
        // Released a day late, the warrant still active.
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt.addingTimeInterval(86_400)))
        #expect(released.summary == [
            "agency:MO-CIRCUIT16 urgent released-with-unresolved-warrant", "agency:MO-JCPO urgent released-with-unresolved-warrant",
            "agency:MO-KCPD urgent released-with-unresolved-warrant", "agency:MO-DOC-PP urgent released-with-unresolved-warrant",
        ])
        #expect(released.notifications.first?.summary.contains("released from Western Reception, Diagnostic and Correctional Center with unresolved warrant: warrant W-1 (bench)") == true)
        #expect(released.checkEventTypes == ["bus.warrant-check.resolved"] && released.checkEvents.first?.outcome == .releasedUnresolved)
    }

    @Test func aHoldEscalatesToTheHoldingAgencyAndFacilityAndAReleaseCompletedEarlyWhileOnHoldIsUrgent() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.lodged("D-1"))
        try await resolver.apply(Events.scheduled())
        // Opened late in effect: the first tick within 7 days sends the nearest stage only.
        let escalated = try await resolver.tick(Events.tick(daysBeforeRelease: 5))
        #expect(escalated.summary == ["agency:KS-JOCO-SO high warrant-check-escalation", "facility:MO-DOC-WERDCC high warrant-check-escalation"])
        #expect(escalated.checkEvents.first?.deadlines.map(\.escalated) == [true, true, false])
        // Released two days early.
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt.addingTimeInterval(-2 * 86_400)))
        #expect(released.summary == [
            "agency:KS-JOCO-SO urgent released-with-unresolved-warrant", "agency:MO-KCPD urgent released-with-unresolved-warrant",
            "agency:MO-DOC-PP urgent released-with-unresolved-warrant",
        ])
        #expect(released.notifications.first?.summary.contains("with unresolved detainer: detainer D-1") == true)
        // Closed: the 1-day stage never comes.
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 0.5)).notifications.isEmpty)
    }

    @Test func aReleaseCompletedWhileClearClosesQuietly() async throws {
        let resolver = try await ResolverUnderTest()
        try await resolver.apply(Events.scheduled())
        #expect(try await resolver.tick(Events.tick(daysBeforeRelease: 0.5)).notifications.isEmpty)  // clear: no escalation
        let released = try await resolver.apply(Events.completed("R-1", at: Events.releaseAt))
        #expect(released.notifications.isEmpty)
        #expect(released.checkEvents.first?.outcome == .released && released.checkEvents.first?.status == "clear")
        let check = try #require(try await resolver.check())
        #expect(check.closed)
    }

    // MARK: Bad input

    @Test func badInputIsRefusedWithItsReasonAndTheResolverGoesOn() async throws {
        let resolver = try await ResolverUnderTest()
        do {
            try await resolver.apply(Events.issued("W-X", agency: "MO-NOWHERE"))
            Issue.record("a warrant of an unknown court was applied")
        } catch let error as PoisonMessage {
            #expect(error.reason.hasPrefix("courts.warrant.issued: payload.issuingAgencyId: no agency of that id in the agency directory"))
        }
        do {
            try await resolver.apply(Events.lodged("D-X", holder: "KS-NOWHERE"))
            Issue.record("a detainer without a known holding agency was applied")
        } catch let error as PoisonMessage {
            #expect(error.reason.hasPrefix("courts.detainer.lodged: payload.requestingAgencyId: no holding agency"))
        }
        do {
            try await resolver.apply(Events.changed("R-UNKNOWN"))
            Issue.record("a change of an unknown release was applied")
        } catch let error as PoisonMessage {
            #expect(error.reason.hasPrefix("custody.release.changed: payload.releaseId: no release of that id was scheduled"))
        }
        // Nothing of them was kept; the next events apply as usual.
        try await resolver.apply(Events.issued("W-1"))
        #expect(try await resolver.apply(Events.scheduled()).notifications.count == 3)
        #expect(try await resolver.harness.count("detainers") == 0)
    }

    // MARK: Replay

    @Test func aReplayFromTheBeginningSendsTheSameIdsSoNothingNew() async throws {
        let events: [AdmittedEvent] = [
            try Events.admitted(Events.issued("W-1")), try Events.admitted(Events.scheduled()), try Events.admitted(Events.lodged("D-1")),
            Events.admitted(Events.tick(daysBeforeRelease: 6)), try Events.admitted(Events.lifted("D-1")),
            try Events.admitted(Events.changed(expectedAt: Events.releaseAt.addingTimeInterval(86_400))),
            try Events.admitted(Events.completed("R-1", at: Events.releaseAt)),
        ]
        func run() async throws -> [String] {
            let resolver = try await ResolverUnderTest()
            var ids: [String] = []
            for event in events {
                let output = try await resolver.apply(event)
                ids += output.notifications.map(\.id) + output.checkEvents.map(\.id)
            }
            return ids
        }
        let first = try await run()
        #expect(first.count > 10)
        #expect(try await run() == first)
    }
}

/// The same paths on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct WarrantCheckPathsPostgresTests {
    @Test func aServedWarrantClearsTheCheckAndTellsFacilityAndPolice() async throws { try await WarrantCheckPathsTests().aServedWarrantClearsTheCheckAndTellsFacilityAndPolice() }
    @Test func aRecalledWarrantLeavesTheCheckPendingOnTheOthersAndAQuashedOneClearsIt() async throws { try await WarrantCheckPathsTests().aRecalledWarrantLeavesTheCheckPendingOnTheOthersAndAQuashedOneClearsIt() }
    @Test func aWarrantIssuedAfterTheCheckClearedReopensItAndTellsEveryoneAgain() async throws { try await WarrantCheckPathsTests().aWarrantIssuedAfterTheCheckClearedReopensItAndTellsEveryoneAgain() }
    @Test func aDetainerPutsTheCheckOnHoldTellsTheHoldingAgencyAndItsLiftingTellsHolderAndFacility() async throws { try await WarrantCheckPathsTests().aDetainerPutsTheCheckOnHoldTellsTheHoldingAgencyAndItsLiftingTellsHolderAndFacility() }
    @Test func aDetainerLodgedBeforeTheScheduleHoldsTheCheckFromTheStart() async throws { try await WarrantCheckPathsTests().aDetainerLodgedBeforeTheScheduleHoldsTheCheckFromTheStart() }
    @Test func aNewDateMovesTheDeadlinesAndANewDestinationTellsTheNewPoliceAndReleasesTheOld() async throws { try await WarrantCheckPathsTests().aNewDateMovesTheDeadlinesAndANewDestinationTellsTheNewPoliceAndReleasesTheOld() }
    @Test func aCancelledReleaseResolvesTheCheckQuietlyAndNeverEscalates() async throws { try await WarrantCheckPathsTests().aCancelledReleaseResolvesTheCheckQuietlyAndNeverEscalates() }
    @Test func aReleaseScheduledAgainAfterItsCancellationOpensItsCheckAgain() async throws { try await WarrantCheckPathsTests().aReleaseScheduledAgainAfterItsCancellationOpensItsCheckAgain() }
    @Test func aReleaseCompletedAfterItsCancellationWithAnActiveWarrantIsUrgent() async throws { try await WarrantCheckPathsTests().aReleaseCompletedAfterItsCancellationWithAnActiveWarrantIsUrgent() }
    @Test func aReleaseScheduledLessThan72HoursAheadWithAWarrantIsUrgent() async throws { try await WarrantCheckPathsTests().aReleaseScheduledLessThan72HoursAheadWithAWarrantIsUrgent() }
    @Test func aReleaseMovedToLessThan72HoursAheadWithAWarrantIsUrgent() async throws { try await WarrantCheckPathsTests().aReleaseMovedToLessThan72HoursAheadWithAWarrantIsUrgent() }
    @Test func aReleaseMovedSoonAndElsewhereTellsTheNewPoliceOnceUrgently() async throws { try await WarrantCheckPathsTests().aReleaseMovedSoonAndElsewhereTellsTheNewPoliceOnceUrgently() }
    @Test func aWarrantOrDetainerWithin72HoursOfTheReleaseIsUrgent() async throws { try await WarrantCheckPathsTests().aWarrantOrDetainerWithin72HoursOfTheReleaseIsUrgent() }
    @Test func aPendingCheckEscalatesAt30And7And1DaysOnceEachThenAReleaseCompletedLateIsUrgent() async throws { try await WarrantCheckPathsTests().aPendingCheckEscalatesAt30And7And1DaysOnceEachThenAReleaseCompletedLateIsUrgent() }
    @Test func aHoldEscalatesToTheHoldingAgencyAndFacilityAndAReleaseCompletedEarlyWhileOnHoldIsUrgent() async throws { try await WarrantCheckPathsTests().aHoldEscalatesToTheHoldingAgencyAndFacilityAndAReleaseCompletedEarlyWhileOnHoldIsUrgent() }
    @Test func aReleaseCompletedWhileClearClosesQuietly() async throws { try await WarrantCheckPathsTests().aReleaseCompletedWhileClearClosesQuietly() }
    @Test func badInputIsRefusedWithItsReasonAndTheResolverGoesOn() async throws { try await WarrantCheckPathsTests().badInputIsRefusedWithItsReasonAndTheResolverGoesOn() }
}
