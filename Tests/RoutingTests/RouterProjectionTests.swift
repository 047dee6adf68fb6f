import TestSupport
import Contracts
import Foundation
import GRDB
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// The router as the runtime drives it: events applied one transaction each on a service
/// database, notifications read back from the outbox (signed).
@Suite struct RouterProjectionTests {
    let key = NotificationSigningKey.random()

    private func router(retention: RetentionWindow = RouterProjection.defaultArrestRetention) async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key, arrestRetention: retention))
    }

    /// The notifications in `messages`, each checked to be signed with the router's key.
    private func notifications(_ messages: [OutgoingMessage]) throws -> [BusNotification] {
        try messages.map { message in
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
            return try BusNotification.decode(message.value)
        }
    }

    private func cases(_ event: EventEnvelope<some EventPayload>, kafkaTime: Int64? = Events.nowMilliseconds) throws -> AdmittedEvent {
        try Events.admitted(event, topic: RouterProjection.casesTopic, kafkaTime: kafkaTime)
    }

    private func arrests(_ event: EventEnvelope<ArrestMade>, kafkaTime: Int64? = Events.nowMilliseconds) throws -> AdmittedEvent {
        try Events.admitted(event, topic: RouterProjection.arrestsTopic, kafkaTime: kafkaTime)
    }

    @Test func anArrestDuringACaseNotifiesTheOfficerOnce() async throws {
        let router = try await router()
        #expect(try await router.apply(cases(Events.caseStarted())).isEmpty)
        let sent = try notifications(try await router.apply(arrests(Events.arrest())))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
        #expect(sent.first?.reason.rule == "supervisee-arrested")
        // The same case re-sent (another event) matches the kept arrest again: same id, not sent twice.
        #expect(try await router.apply(cases(Events.caseStarted(id: "case-again"))).isEmpty)
    }

    @Test func anArrestBeforeTheCaseStartsNeverNotifiesInEitherOrder() async throws {
        let early = Events.arrest(at: Events.now.addingTimeInterval(-40 * 86_400))
        let caseFirst = try await router()
        try await caseFirst.apply(cases(Events.caseStarted()))
        #expect(try await caseFirst.apply(arrests(early)).isEmpty)
        let arrestFirst = try await router()
        #expect(try await arrestFirst.apply(arrests(early)).isEmpty)
        #expect(try await arrestFirst.apply(cases(Events.caseStarted())).isEmpty)
    }

    @Test func anArrestReadBeforeItsCaseNotifiesWhenTheCaseArrives() async throws {
        let router = try await router()
        #expect(try await router.apply(arrests(Events.arrest())).isEmpty)
        let sent = try notifications(try await router.apply(cases(Events.caseStarted())))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
    }

    @Test func aCaseEndedBeforeTheArrestNotifiesNobody() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted()))
        try await router.apply(cases(Events.caseEnded(on: Events.day(-3))))
        #expect(try await router.apply(arrests(Events.arrest())).isEmpty)
    }

    @Test func aReassignedCaseNotifiesTheNewOfficer() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted()))
        try await router.apply(cases(Events.officerAssigned(Events.lee)))
        // Arrested after the reassignment: the new officer only.
        let arrest = Events.arrest(at: Events.now.addingTimeInterval(600))
        #expect(try notifications(try await router.apply(arrests(arrest))).map(\.recipient) == [.officer("PP-KC-200")])
    }

    @Test func anArrestReadAfterAReassignmentReachesTheOfficerInChargeThenAndTheNewOne() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted()))
        try await router.apply(cases(Events.officerAssigned(Events.lee)))  // at `now`, after the arrest
        let sent = try notifications(try await router.apply(arrests(Events.arrest(at: Events.now.addingTimeInterval(-3_600)))))
        #expect(Set(sent.map(\.recipient)) == [.officer("PP-KC-118"), .officer("PP-KC-200")])
    }

    @Test func aReassignmentHandsOverTheArrestsOfTheMonthBefore() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted(start: Events.day(-90))))
        let recent = try notifications(try await router.apply(arrests(Events.arrest(at: Events.now.addingTimeInterval(-2 * 86_400), id: "recent"))))
        let old = try notifications(try await router.apply(arrests(Events.arrest(at: Events.now.addingTimeInterval(-40 * 86_400), id: "old"))))
        #expect(recent.map(\.recipient) == [.officer("PP-KC-118")])
        #expect(old.map(\.recipient) == [.officer("PP-KC-118")])
        let handedOver = try notifications(try await router.apply(cases(Events.officerAssigned(Events.lee))))
        // The arrest two days before the reassignment, not the one forty days before.
        #expect(handedOver.map(\.recipient) == [.officer("PP-KC-200")])
        #expect(handedOver.map(\.sourceEventId) == [Events.id("recent").uuidString.lowercased()])
    }

    @Test func aCaseWithoutOfficerNotifiesTheAgency() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted(officer: nil)))
        #expect(try notifications(try await router.apply(arrests(Events.arrest()))).map(\.recipient) == [.agency("MO-DOC-PP")])
    }

    @Test func anArrestKnownOnlyByFBINumberIsMatched() async throws {
        let router = try await router()
        try await router.apply(cases(Events.caseStarted()))
        let arrest = Events.arrest(SubjectIdentifiers(fbiNumber: "734591KA2"))
        let sent = try notifications(try await router.apply(arrests(arrest)))
        #expect(sent.map(\.recipient) == [.officer("PP-KC-118")])
        #expect(sent.first?.reason.matched == [MatchedIdentifier("fbiNumber", "734591KA2")])
        // The arrest names nobody: the case's subject does.
        #expect(sent.first?.summary.hasPrefix("Your supervisee Darnell Reyes (MO1234567)") == true)
    }

    // MARK: Bounded state

    @Test func keptArrestsAndSentNotificationsStayFlatOverThreeRetentionWindows() async throws {
        let window: Int64 = 10_000
        let step: Int64 = 1_000
        let router = try await router(retention: RetentionWindow(milliseconds: window))
        try await router.apply(cases(Events.caseStarted(), kafkaTime: Events.nowMilliseconds))
        var counts: [(arrests: Int, sent: Int)] = []
        for index in 0..<Int(3 * window / step) {
            let time = Events.nowMilliseconds + Int64(index) * step
            let sent = try await router.apply(arrests(Events.arrest(id: "arrest-\(index)"), kafkaTime: time))
            #expect(sent.count == 1)
            counts.append((try await router.count("router_arrests"), try await router.count("notifications_sent")))
        }
        // Rows of the last window (its events and the one at its start) stay; older ones go.
        let full = Int(window / step) + 1
        #expect(counts.prefix(full).map(\.arrests) == Array(1...full))
        #expect(counts.dropFirst(full).allSatisfy { $0.arrests == full && $0.sent == full })
        #expect(try await router.count("router_arrests WHERE forget_after_ms IS NOT NULL") == full)
        #expect(try await router.count("notifications_sent WHERE forget_after_ms IS NOT NULL") == full)
    }

    @Test func anArrestOlderThanTheWindowNoLongerMatchesACaseReadLater() async throws {
        let router = try await router(retention: RetentionWindow(milliseconds: 10_000))
        try await router.apply(arrests(Events.arrest(), kafkaTime: Events.nowMilliseconds))
        #expect(try await router.apply(cases(Events.caseStarted(), kafkaTime: Events.nowMilliseconds + 10_001)).isEmpty)
        #expect(try await router.count("router_arrests") == 0)
    }

    @Test func theDefaultWindowIsTheArrestsTopicsRetention() throws {
        let topics = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)
        let contract = try #require(try TopicCatalog.load(from: topics).topic(named: RouterProjection.arrestsTopic))
        #expect(RetentionWindow(contract.retention) == RouterProjection.defaultArrestRetention)
    }
}

/// The same rules on PostgreSQL 15 (a fresh database per test in the suite's private cluster);
/// skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct RouterProjectionPostgresTests {
    @Test func anArrestDuringACaseNotifiesTheOfficerOnce() async throws { try await RouterProjectionTests().anArrestDuringACaseNotifiesTheOfficerOnce() }
    @Test func anArrestBeforeTheCaseStartsNeverNotifiesInEitherOrder() async throws { try await RouterProjectionTests().anArrestBeforeTheCaseStartsNeverNotifiesInEitherOrder() }
    @Test func anArrestReadBeforeItsCaseNotifiesWhenTheCaseArrives() async throws { try await RouterProjectionTests().anArrestReadBeforeItsCaseNotifiesWhenTheCaseArrives() }
    @Test func aCaseEndedBeforeTheArrestNotifiesNobody() async throws { try await RouterProjectionTests().aCaseEndedBeforeTheArrestNotifiesNobody() }
    @Test func aReassignedCaseNotifiesTheNewOfficer() async throws { try await RouterProjectionTests().aReassignedCaseNotifiesTheNewOfficer() }
    @Test func aCaseWithoutOfficerNotifiesTheAgency() async throws { try await RouterProjectionTests().aCaseWithoutOfficerNotifiesTheAgency() }
    @Test func anArrestReadAfterAReassignmentReachesTheOfficerInChargeThenAndTheNewOne() async throws {
        try await RouterProjectionTests().anArrestReadAfterAReassignmentReachesTheOfficerInChargeThenAndTheNewOne()
    }
    @Test func aReassignmentHandsOverTheArrestsOfTheMonthBefore() async throws { try await RouterProjectionTests().aReassignmentHandsOverTheArrestsOfTheMonthBefore() }
    @Test func anArrestKnownOnlyByFBINumberIsMatched() async throws { try await RouterProjectionTests().anArrestKnownOnlyByFBINumberIsMatched() }
    @Test func keptArrestsAndSentNotificationsStayFlatOverThreeRetentionWindows() async throws { try await RouterProjectionTests().keptArrestsAndSentNotificationsStayFlatOverThreeRetentionWindows() }
    @Test func anArrestOlderThanTheWindowNoLongerMatchesACaseReadLater() async throws { try await RouterProjectionTests().anArrestOlderThanTheWindowNoLongerMatchesACaseReadLater() }
}
