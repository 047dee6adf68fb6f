import TestSupport
import Contracts
import Foundation
import GRDB
import Notifications
import ServiceKit
import Testing

@testable import Warrants

/// The warrant resolver as the runtime drives it: events applied one transaction each on a
/// service database, notifications read back from the outbox (signed).
@Suite struct WarrantResolverProjectionTests {
    let key = NotificationSigningKey.random()

    /// A resolver that has read the tests' agency directory (unless `directory` is false).
    private func resolver(
        retention: RetentionWindow = WarrantResolverProjection.defaultNotificationRetention, directory: Bool = true
    ) async throws -> ProjectionHarness {
        let resolver = try await ProjectionHarness.onCurrentDatabase(WarrantResolverProjection(signingKey: key, notificationRetention: retention))
        if directory {
            for entry in Events.directory { #expect(try await apply(resolver, Events.described(entry)).isEmpty) }
        }
        return resolver
    }

    /// Applies `event`; returns the notifications it sent, each checked to be signed.
    @discardableResult
    private func apply(_ resolver: ProjectionHarness, _ event: EventEnvelope<some EventPayload>, kafkaTime: Int64 = Events.nowMilliseconds) async throws -> [BusNotification] {
        try await resolver.notifications(Events.admitted(event, kafkaTime: kafkaTime)).map { message in
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
            return try BusNotification.decode(message.value)
        }
    }

    private func check(_ resolver: ProjectionHarness, _ releaseId: String = "R-1") async throws -> WarrantCheck? {
        try await resolver.write { db, _ in try WarrantResolverProjection.check(releaseId, db) }
    }

    private func summary(_ notifications: [BusNotification]) -> [String] {
        notifications.map { "\($0.recipient) \($0.priority.rawValue) \($0.reason.rule)" }
    }

    @Test func aScheduledReleaseWithAnActiveWarrantIsPendingAndTellsCourtAndPolice() async throws {
        let resolver = try await resolver()
        #expect(try await apply(resolver, Events.issued()).isEmpty)
        let sent = try await apply(resolver, Events.scheduled())
        #expect(summary(sent) == ["agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-KCPD high release-warrant-pending"])
        #expect(sent.allSatisfy { $0.sourceEventId == Events.id("scheduled-R-1").uuidString.lowercased() })
        #expect(try await check(resolver)?.status == "pending")
        // A re-sent schedule changes nothing.
        #expect(try await apply(resolver, Events.scheduled(id: "scheduled-again")).isEmpty)
    }

    /// A court's system and a prison's both write "NONE" where they have no FBI number: that is
    /// no number, so a warrant for one person does not hold another's release (it did, matched
    /// on the FBI number "NONE"), while the warrant's own person is still held by the state ID.
    @Test func aPlaceholderFBINumberHoldsNobodysRelease() async throws {
        let resolver = try await resolver()
        let none = { (stateId: String, given: String, family: String) in
            SubjectIdentifiers(stateId: stateId, fbiNumber: "NONE", name: PersonName(given: given, family: family))
        }
        #expect(try await apply(resolver, Events.issued(subject: none("MO7654321", "Marcus", "Hill"))).isEmpty)
        #expect(try await apply(resolver, Events.scheduled("R-2", subject: none("MO1234567", "Darnell", "Reyes"))).isEmpty)
        #expect(try await check(resolver, "R-2")?.status == "clear")
        let held = try await apply(resolver, Events.scheduled(subject: none("MO7654321", "Marcus", "Hill")))
        #expect(summary(held) == ["agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-KCPD high release-warrant-pending"])
        #expect(try await check(resolver)?.status == "pending")
    }

    @Test func aScheduledReleaseWithoutWarrantIsClearAndSilent() async throws {
        let resolver = try await resolver()
        #expect(try await apply(resolver, Events.scheduled()).isEmpty)
        #expect(try await check(resolver)?.status == "clear")
    }

    @Test func theCheckClearsWhenTheLastWarrantIsRecalledOrServed() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.issued("W-1"))
        try await apply(resolver, Events.issued("W-2", agency: "MO-CIRCUIT7"))
        #expect(try await apply(resolver, Events.scheduled()).count == 3)
        #expect(try await apply(resolver, Events.recalled("W-1")).isEmpty)  // W-2 is still active
        #expect(try await check(resolver)?.status == "pending")
        let sent = try await apply(resolver, Events.served("W-2"))
        #expect(summary(sent) == ["facility:MO-DOC-WERDCC routine warrant-check-clear", "agency:MO-KCPD routine warrant-check-clear"])
        #expect(sent.first?.summary.hasSuffix("warrant W-2 served") == true)
        #expect(try await check(resolver)?.status == "clear")
        // A second resolution of the same warrant changes nothing.
        #expect(try await apply(resolver, Events.recalled("W-2", by: "MO-CIRCUIT7")).isEmpty)
    }

    @Test func aWarrantIssuedWhileACheckIsOpenJoinsIt() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.scheduled())
        let sent = try await apply(resolver, Events.issued())
        #expect(summary(sent) == ["agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-KCPD high release-warrant-pending"])
        #expect(try await check(resolver)?.status == "pending")
        // Re-sent, it does not notify again.
        #expect(try await apply(resolver, Events.issued(id: "issued-again")).isEmpty)
    }

    @Test func aWarrantRecalledBeforeTheReleaseIsScheduledLeavesAClearCheck() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.issued())
        try await apply(resolver, Events.recalled())
        #expect(try await apply(resolver, Events.scheduled()).isEmpty)
        #expect(try await check(resolver)?.status == "clear")
    }

    @Test func aResolutionReadBeforeTheIssueKeepsTheWarrantResolved() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.recalled())
        #expect(try await apply(resolver, Events.issued()).isEmpty)
        #expect(try await apply(resolver, Events.scheduled()).isEmpty)
        #expect(try await check(resolver)?.status == "clear")
    }

    /// Any police department may write `courts.warrants` and any jail `custody.releases`, so the
    /// resolver itself refuses one agency ending another's record (`RecordAuthority`): a recall
    /// sent by the wrong agency turned the check clear with the warrant still standing. Each
    /// refusal names the field and changes nothing; the record's own agency then ends it.
    @Test func anotherAgencyCannotEndAWarrantADetainerOrARelease() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.issued())  // by MO-CIRCUIT16
        try await apply(resolver, Events.lodged())  // by KS-JOCO-SO
        try await apply(resolver, Events.scheduled())  // by MO-DOC
        #expect(try await check(resolver)?.status == "hold")
        var servedForAnother = Events.served()  // sent by MO-KCPD
        servedForAnother.payload.servingAgencyId = "MO-IPD"
        var cancelledByAJail = Events.cancelled()
        cancelledByAJail.source = SourceAgency(agencyId: "MO-JCSO", agencyKind: .jail)
        let refused: [(event: AdmittedEvent, reason: String)] = [
            (try Events.admitted(Events.recalled(by: "MO-CIRCUIT7")), "source.agencyId: MO-CIRCUIT7 did not issue warrant W-1"),
            (try Events.admitted(servedForAnother), "payload.servingAgencyId: MO-IPD is not the agency that sent the event"),
            (try Events.admitted(Events.lifted(holder: "MO-KCPD")), "source.agencyId: MO-KCPD did not lodge detainer D-1"),
            (try Events.admitted(cancelledByAJail), "source.agencyId: MO-JCSO did not schedule release R-1"),
            (try Events.admitted(Events.completed("R-1")), "source.agencyId: MO-JCSO did not schedule release R-1"),
        ]
        for (event, reason) in refused {
            let error = await #expect(throws: PoisonMessage.self) { try await resolver.notifications(event) }
            #expect(error?.reason.contains(reason) == true, "\(event.eventType): \(error?.reason ?? "accepted")")
        }
        // Nor may an agency issue W-1 or lodge D-1 again under its own name, to recall or lift
        // it as its own.
        let takeovers: [(event: AdmittedEvent, reason: String)] = [
            (try Events.admitted(Events.issued(agency: "MO-CIRCUIT7", id: "issued-again")),
             "payload.issuingAgencyId: warrant W-1 was issued by MO-CIRCUIT16; another agency cannot issue it again"),
            (try Events.admitted(Events.lodged(holder: "MO-KCPD", id: "lodged-again")),
             "payload.requestingAgencyId: detainer D-1 was lodged by KS-JOCO-SO; another agency cannot lodge it again"),
        ]
        for (event, reason) in takeovers {
            let error = await #expect(throws: PoisonMessage.self) { try await resolver.notifications(event) }
            #expect(error?.reason.contains(reason) == true, "\(event.eventType): \(error?.reason ?? "accepted")")
        }
        let standing = try #require(try await check(resolver))
        #expect(standing.status == "hold" && !standing.closed)
        #expect(try await apply(resolver, Events.recalled()).isEmpty)  // the court's own recall: D-1 still holds
        #expect(try await check(resolver)?.status == "hold")
        #expect(!(try await apply(resolver, Events.lifted())).isEmpty)
        #expect(try await check(resolver)?.status == "clear")
    }

    /// A recall naming another state ID (or a version 2 event) travels on another partition, so
    /// a rebuild may read it before the warrant's issue: kept as first seen, it is refused once
    /// the issue shows another court issued the warrant, as it was when read after it. The
    /// warrant is active and holds the release; the issuing court's own recall clears it.
    @Test func aRecallReadBeforeTheIssueByAnotherCourtIsRefusedOnceTheIssueIsRead() async throws {
        let resolver = try await resolver()
        #expect(try await apply(resolver, Events.recalled(id: "recalled-first", by: "MO-CIRCUIT7")).isEmpty)
        try await apply(resolver, Events.issued())
        #expect(try summary(try await apply(resolver, Events.scheduled())) == ["agency:MO-CIRCUIT16 high warrant-check-pending", "agency:MO-KCPD high release-warrant-pending"])
        #expect(try await check(resolver)?.status == "pending")
        #expect(try await apply(resolver, Events.recalled()).map(\.reason.rule).contains("warrant-check-clear"))
        #expect(try await check(resolver)?.status == "clear")

        // An appellate court's quash read before the issue stands (any court may quash).
        let appealed = try await self.resolver()
        try await apply(appealed, Events.quashedByAppeal())
        try await apply(appealed, Events.issued())
        try await apply(appealed, Events.scheduled())
        #expect(try await check(appealed)?.status == "clear")
    }

    @Test func anUnscheduledReleaseWithAnActiveWarrantIsUrgent() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.issued("W-9", agency: "MO-CIRCUIT7"))
        let sent = try await apply(resolver, Events.completed("JAIL-1"))
        #expect(summary(sent) == ["agency:MO-IPD urgent unscheduled-release-active-warrant", "agency:MO-CIRCUIT7 urgent unscheduled-release-active-warrant"])
        let check = try #require(try await check(resolver, "JAIL-1"))
        #expect(check.status == "pending" && !check.scheduled && check.closed)
    }

    @Test func anUnscheduledReleaseWithoutWarrantIsSilent() async throws {
        let resolver = try await resolver()
        #expect(try await apply(resolver, Events.completed()).isEmpty)
        #expect(try await check(resolver)?.status == "clear")
    }

    @Test func aScheduledReleaseThatHappensOrIsCancelledClosesItsCheck() async throws {
        let resolver = try await resolver()
        try await apply(resolver, Events.scheduled("R-1"))
        try await apply(resolver, Events.scheduled("R-2"))
        #expect(try await apply(resolver, Events.completed("R-1", at: Events.releaseAt)).isEmpty)  // scheduled: not urgent
        try await apply(resolver, Events.cancelled("R-2"))
        #expect(try await check(resolver, "R-1")?.closed == true)
        #expect(try await check(resolver, "R-2")?.closed == true)
        // A closed check takes no new warrant.
        #expect(try await apply(resolver, Events.issued()).isEmpty)
        #expect(try await check(resolver, "R-1")?.status == "clear")
    }

    // MARK: Bounded state

    @Test func sentNotificationsStayFlatOverThreeRetentionWindowsWhileChecksStay() async throws {
        let window: Int64 = 10_000
        let step: Int64 = 1_000
        let resolver = try await resolver(retention: RetentionWindow(milliseconds: window))
        var sentCounts: [Int] = []
        for index in 0..<Int(3 * window / step) {
            let time = Events.nowMilliseconds + Int64(index) * step
            let person = SubjectIdentifiers(stateId: "MO9\(index)")
            try await apply(resolver, Events.issued("W-\(index)", subject: person), kafkaTime: time)
            var scheduled = Events.scheduled("R-\(index)")
            scheduled.subject = person
            #expect(try await apply(resolver, scheduled, kafkaTime: time).count == 2)
            sentCounts.append(try await resolver.count("notifications_sent"))
        }
        let full = 2 * (Int(window / step) + 1)
        #expect(sentCounts.dropFirst(Int(window / step) + 1).allSatisfy { $0 == full })
        // Warrants and checks are reference state: they stay.
        #expect(try await resolver.count("warrant_checks") == Int(3 * window / step))
    }

    @Test func theDefaultWindowIsTheReleasesTopicsRetention() throws {
        let topics = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)
        let contract = try #require(try TopicCatalog.load(from: topics).topic(named: WarrantResolverProjection.releasesTopic))
        #expect(RetentionWindow(contract.retention) == WarrantResolverProjection.defaultNotificationRetention)
    }
}

/// The same rules on PostgreSQL 15 (a fresh database per test in the suite's private cluster);
/// skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct WarrantResolverProjectionPostgresTests {
    @Test func aScheduledReleaseWithAnActiveWarrantIsPendingAndTellsCourtAndPolice() async throws { try await WarrantResolverProjectionTests().aScheduledReleaseWithAnActiveWarrantIsPendingAndTellsCourtAndPolice() }
    @Test func aScheduledReleaseWithoutWarrantIsClearAndSilent() async throws { try await WarrantResolverProjectionTests().aScheduledReleaseWithoutWarrantIsClearAndSilent() }
    @Test func aPlaceholderFBINumberHoldsNobodysRelease() async throws { try await WarrantResolverProjectionTests().aPlaceholderFBINumberHoldsNobodysRelease() }
    @Test func theCheckClearsWhenTheLastWarrantIsRecalledOrServed() async throws { try await WarrantResolverProjectionTests().theCheckClearsWhenTheLastWarrantIsRecalledOrServed() }
    @Test func aWarrantIssuedWhileACheckIsOpenJoinsIt() async throws { try await WarrantResolverProjectionTests().aWarrantIssuedWhileACheckIsOpenJoinsIt() }
    @Test func aWarrantRecalledBeforeTheReleaseIsScheduledLeavesAClearCheck() async throws { try await WarrantResolverProjectionTests().aWarrantRecalledBeforeTheReleaseIsScheduledLeavesAClearCheck() }
    @Test func aResolutionReadBeforeTheIssueKeepsTheWarrantResolved() async throws { try await WarrantResolverProjectionTests().aResolutionReadBeforeTheIssueKeepsTheWarrantResolved() }
    @Test func anUnscheduledReleaseWithAnActiveWarrantIsUrgent() async throws { try await WarrantResolverProjectionTests().anUnscheduledReleaseWithAnActiveWarrantIsUrgent() }
    @Test func anUnscheduledReleaseWithoutWarrantIsSilent() async throws { try await WarrantResolverProjectionTests().anUnscheduledReleaseWithoutWarrantIsSilent() }
    @Test func aScheduledReleaseThatHappensOrIsCancelledClosesItsCheck() async throws { try await WarrantResolverProjectionTests().aScheduledReleaseThatHappensOrIsCancelledClosesItsCheck() }
    @Test func sentNotificationsStayFlatOverThreeRetentionWindowsWhileChecksStay() async throws { try await WarrantResolverProjectionTests().sentNotificationsStayFlatOverThreeRetentionWindowsWhileChecksStay() }
}
