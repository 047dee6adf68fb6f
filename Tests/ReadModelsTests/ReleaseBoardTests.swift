import Contracts
import Foundation
import Kafka
import Notifications
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// The release board's scenarios, each written once and run on SQLite (here) and PostgreSQL
/// (`ReleaseViewsOnPostgresTests`). Notifications are built, encoded and signed by the
/// Notifications module, as the warrant resolver and the router send them.
enum ReleaseBoardScenario: String, CaseIterable, Sendable {
    case boardListsTheFacilityReleasesInTheWindow
    case eachReleaseAsItStoodAtAsOf
    case anEmptyNumberMatchesNobody
    case warrantCheckFollowsWarrantsAndDetainers
    case whoWasToldAboutTheReleaseOrItsPerson
    case notificationsAreTrustedOnlyWhenVerified
    case sameEventsTwiceChangeNothing
    case anotherAgencysEventsAreNotTaken

    typealias E = ReleaseTestEvents
    typealias View = ReleaseViewHarness<ReleaseBoardStore>

    /// The key the tests' services sign with.
    static let signingKey: NotificationSigningKey = {
        do { return try NotificationSigningKey(bytes: Array(repeating: 7, count: 32)) } catch { preconditionFailure("\(error)") }
    }()

    /// The board as the lead's wiring would build it: notifications verified with the
    /// services' keys.
    static let verifyingStore = ReleaseBoardStore(verifyNotification: { (event: AdmittedEvent) throws(PoisonMessage) -> Void in
        try NotificationSignature.verify(event.value, headers: event.headers, keys: [signingKey])
    })

    func run(on database: any StorageDatabase) async throws {
        let view = try await ReleaseViewHarness(Self.verifyingStore, tables: Self.verifyingStore.tables, on: database)
        switch self {
        case .boardListsTheFacilityReleasesInTheWindow: try await Self.boardListsTheFacilityReleasesInTheWindow(view)
        case .eachReleaseAsItStoodAtAsOf: try await Self.eachReleaseAsItStoodAtAsOf(view)
        case .anEmptyNumberMatchesNobody: try await Self.anEmptyNumberMatchesNobody(view)
        case .warrantCheckFollowsWarrantsAndDetainers: try await Self.warrantCheckFollowsWarrantsAndDetainers(view)
        case .whoWasToldAboutTheReleaseOrItsPerson: try await Self.whoWasToldAboutTheReleaseOrItsPerson(view)
        case .notificationsAreTrustedOnlyWhenVerified: try await Self.notificationsAreTrustedOnlyWhenVerified(view, database)
        case .sameEventsTwiceChangeNothing: try await Self.sameEventsTwiceChangeNothing(view)
        case .anotherAgencysEventsAreNotTaken: try await Self.anotherAgencysEventsAreNotTaken(view)
        }
    }

    static func board(_ view: View, _ facility: Facility = E.werdcc, asOf: Date = E.asOf) async throws -> [ReleaseBoardRow] {
        try await view.read { try $0.board(facilityId: facility.facilityId, asOf: asOf, in: $1) }
    }

    /// Any jail may write `custody.releases` and any court `courts.warrants`: a jail's
    /// cancellation of the prison's release, read before the schedule or after it, is left out
    /// of the release (the resolver and the router dead-letter it), and another court's recall
    /// of a warrant is refused naming whose it is; the board keeps the release scheduled and
    /// its check pending until the court that issued the warrant recalls it.
    static func anotherAgencysEventsAreNotTaken(_ view: View) async throws {
        let a = E.person("MO2000001")
        let jail = SourceAgency(agencyId: "MO-JCSO", agencyKind: .jail)
        try await view.apply(try E.cancelled("R-1", a, occurredAt: E.instant("2026-02-05T10:00:00Z"), by: jail, id: "cancelled-early"))
        try await view.apply(try E.scheduled("R-1", a, expectedAt: E.later(days: 10)), try E.warrantIssued("W-1", a))
        try await view.apply(try E.cancelled("R-1", a, by: jail))
        var row = try #require(try await board(view).first { $0.releaseId == "R-1" })
        #expect(row.status == .scheduled && row.warrantCheck == .pending)

        let otherCourt = SourceAgency(agencyId: "MO-CIRCUIT7", agencyKind: .court)
        let refused = try await view.applyExpectingPoison(try E.warrantRecalled("W-1", a, on: "2026-02-25", by: otherCourt, id: "recalled-by-another"))
        #expect(refused?.reason.contains("source.agencyId: MO-CIRCUIT7 did not issue warrant W-1") == true, "\(refused?.reason ?? "accepted")")
        row = try #require(try await board(view).first { $0.releaseId == "R-1" })
        #expect(row.warrantCheck == .pending)
        try await view.apply(try E.warrantRecalled("W-1", a, on: "2026-02-26"))
        #expect(try await board(view).first { $0.releaseId == "R-1" }?.warrantCheck == .clear)
    }

    /// A facility's releases within 60 days (day 60 in, day 61 out) in every status, by day;
    /// another facility's are on its own board; a release completed with no schedule is on
    /// the board of the day it happened.
    static func boardListsTheFacilityReleasesInTheWindow(_ view: View) async throws {
        let p = (1...9).map { E.person("MO200000\($0)") }
        try await view.apply(
            try E.scheduled("R-10", p[0], expectedAt: E.later(days: 10)),
            try E.scheduled("R-20", p[1], expectedAt: E.later(days: 20)),
            try E.changed("R-20", p[1], expectedAt: E.later(days: 25)),
            try E.scheduled("R-30", p[2], expectedAt: E.later(days: 30)),
            try E.cancelled("R-30", p[2]),
            try E.scheduled("R-02", p[3], expectedAt: E.later(days: 2)),
            try E.completed("R-02", p[3], releasedAt: E.later(days: 0, hours: -2)),
            try E.scheduled("R-JAIL", p[4], expectedAt: E.later(days: 5), facility: E.jail),
            try E.scheduled("R-60", p[5], expectedAt: E.later(days: 60, hours: 8)),
            try E.scheduled("R-61", p[6], expectedAt: E.later(days: 60, hours: 9.5)),
            try E.completed("R-BAIL", p[7], releasedAt: E.later(days: 0, hours: -3), facility: E.jail, to: E.address()))

        let rows = try await board(view)
        #expect(rows.map(\.releaseId) == ["R-02", "R-10", "R-20", "R-30", "R-60"])
        #expect(rows.map(\.status) == [.completed, .scheduled, .changed, .cancelled, .scheduled])
        #expect(rows[0].releasedAt == E.later(days: 0, hours: -2))
        #expect(rows[2].expectedAt == E.later(days: 25))
        #expect(rows.allSatisfy { $0.facility == E.werdcc && $0.warrantCheck == .clear && $0.told.isEmpty })
        #expect(try await board(view, asOf: E.later(days: 1)).map(\.releaseId) == ["R-02", "R-10", "R-20", "R-30", "R-60", "R-61"])
        #expect(try await board(view, asOf: E.later(days: 3)).map(\.releaseId) == ["R-10", "R-20", "R-30", "R-60", "R-61"])

        let jail = try await board(view, E.jail)
        #expect(jail.map(\.releaseId) == ["R-BAIL", "R-JAIL"])
        #expect(jail.first?.expectedAt == nil)
        #expect(jail.first?.status == .completed)
        #expect(try await board(view, E.jail, asOf: E.later(days: 1)).map(\.releaseId) == ["R-JAIL"])
    }

    /// Each release as it stood at the moment asked about: its status and date then, not as
    /// they are now; a release not scheduled yet is not on the board; a schedule made after
    /// a cancellation reopens the release from then on.
    static func eachReleaseAsItStoodAtAsOf(_ view: View) async throws {
        let (a, b, c) = (E.person("MO2000001"), E.person("MO2000002"), E.person("MO2000003"))
        try await view.apply(
            try E.scheduled("R-1", a, expectedAt: E.later(days: 10)),
            try E.cancelled("R-1", a, occurredAt: E.instant("2026-02-20T10:00:00Z")),
            try E.scheduled("R-2", b, expectedAt: E.later(days: 12)),
            try E.changed("R-2", b, expectedAt: E.later(days: 20), occurredAt: E.instant("2026-02-10T10:00:00Z")),
            try E.scheduled("R-3", c, expectedAt: E.later(days: 15)),
            try E.cancelled("R-3", c, occurredAt: E.instant("2026-02-20T10:00:00Z")),
            try E.scheduled("R-3", c, expectedAt: E.later(days: 18), occurredAt: E.instant("2026-02-25T10:00:00Z"), id: "rescheduled-R-3"))
        func statuses(_ asOf: Date) async throws -> [String] {
            try await board(view, asOf: asOf).map { "\($0.releaseId) \($0.status.rawValue)" }
        }
        #expect(try await statuses(E.instant("2026-02-01T09:59:59Z")) == [])
        #expect(try await statuses(E.instant("2026-02-05T12:00:00Z")) == ["R-1 scheduled", "R-2 scheduled", "R-3 scheduled"])
        #expect(try await board(view, asOf: E.instant("2026-02-05T12:00:00Z")).map(\.expectedAt) == [
            E.later(days: 10), E.later(days: 12), E.later(days: 15),
        ])
        #expect(try await statuses(E.instant("2026-02-22T12:00:00Z")) == ["R-1 cancelled", "R-3 cancelled", "R-2 changed"])
        let now = try await board(view)
        #expect(now.map { "\($0.releaseId) \($0.status.rawValue)" } == ["R-1 cancelled", "R-3 scheduled", "R-2 changed"])
        #expect(now.map(\.expectedAt) == [E.later(days: 10), E.later(days: 18), E.later(days: 20)])
    }

    /// An empty state ID (or FBI number) is no number: two people with an empty state ID are
    /// not matched, and the row says the state ID is unknown.
    static func anEmptyNumberMatchesNobody(_ view: View) async throws {
        try await view.apply(
            try E.scheduled("R-1", SubjectIdentifiers(stateId: "", fbiNumber: "FBI-1"), expectedAt: E.later(days: 10)),
            try E.warrantIssued("W-1", SubjectIdentifiers(stateId: "", fbiNumber: "FBI-2")),
            try E.detainerLodged("D-1", SubjectIdentifiers(stateId: "MO2000009", fbiNumber: "")))
        let rows = try await board(view)
        #expect(rows.map(\.warrantCheck) == [.clear])
        #expect(rows.first?.person == PersonOnRecord(personKey: "fbi:FBI-1", fbiNumber: "FBI-1"))
        #expect(try await view.read { try $1.fetchAll("SELECT person_key FROM views_warrants ORDER BY person_key") }
            .map { try $0.get("person_key", as: String.self) } == ["fbi:FBI-2", "sid:MO2000009"])
    }

    /// `pending` while a warrant of the person is active, `hold` while a detainer is, `clear`
    /// otherwise, at the moment asked about; matched on state ID or FBI number.
    static func warrantCheckFollowsWarrantsAndDetainers(_ view: View) async throws {
        let a = E.person("MO2000001")
        let fbiOnly = SubjectIdentifiers(fbiNumber: "FBI-77", name: PersonName(family: "Hill"))
        let fbiAndState = SubjectIdentifiers(stateId: "MO2000002", fbiNumber: "FBI-77")
        let scheduledAt = E.instant("2026-01-10T10:00:00Z")  // before every warrant, so the board shows the check change
        try await view.apply(
            try E.scheduled("R-1", a, expectedAt: E.later(days: 10), occurredAt: scheduledAt),
            try E.scheduled("R-2", fbiOnly, expectedAt: E.later(days: 12), occurredAt: scheduledAt))
        func checks(_ asOf: Date = E.asOf) async throws -> [WarrantCheckStatus] { try await board(view, asOf: asOf).map(\.warrantCheck) }
        #expect(try await checks() == [.clear, .clear])

        try await view.apply(try E.warrantIssued("W-1", a, issuedOn: "2026-01-15"), try E.warrantIssued("W-2", fbiAndState, issuedOn: "2026-01-16"))
        #expect(try await checks() == [.pending, .pending])
        #expect(try await checks(E.instant("2026-01-14T12:00:00Z")) == [.clear, .clear])
        let pending = try await board(view)
        #expect(pending.map { $0.activeWarrants.map(\.warrantId) } == [["W-1"], ["W-2"]])

        try await view.apply(try E.detainerLifted("D-0", a, liftedOn: "2026-01-10"), try E.detainerLodged("D-0", a, lodgedOn: "2026-01-05"))
        #expect(try await checks() == [.pending, .pending])  // lifted before asOf, read before it was lodged
        try await view.apply(try E.detainerLodged("D-1", a, lodgedOn: "2026-02-01"))
        #expect(try await checks() == [.hold, .pending])
        #expect(try await board(view).first?.activeDetainers.map(\.detainerId) == ["D-1"])
        try await view.apply(try E.detainerLifted("D-1", a, liftedOn: "2026-02-20"))
        #expect(try await checks() == [.pending, .pending])
        #expect(try await checks(E.instant("2026-02-10T12:00:00Z")) == [.hold, .pending])

        try await view.apply(try E.warrantRecalled("W-1", a, on: "2026-02-25"), try E.warrantServed("W-2", fbiAndState, at: E.later(days: 3)))
        #expect(try await checks() == [.clear, .pending])
        #expect(try await checks(E.later(days: 3)) == [.clear, .clear])
        #expect(try await checks(E.instant("2026-02-24T12:00:00Z")) == [.pending, .pending])
    }

    static func notification(
        to recipient: Recipient, rule: String, about stateId: String?, source: UUID, sourceType: String, at occurredAt: Date,
        matched: [MatchedIdentifier] = []
    ) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .high, summary: "Someone is releasing", reason: NotificationReason(
                rule: rule, explanation: "Because.", matched: matched),
            facts: [NotificationFact("who", "someone")], occurredAt: occurredAt, subjectStateId: stateId,
            sourceEventId: source.uuidString.lowercased(), sourceEventType: sourceType)
    }

    static func admitted(
        _ notification: BusNotification, signedWith key: NotificationSigningKey = signingKey, messageKey: String? = nil,
        eventId: String? = nil
    ) throws -> AdmittedEvent {
        let value = try notification.encoded()
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: BusTopic.notifications, partition: 0), offset: KafkaOffset(0),
            key: messageKey ?? notification.recipient.description, eventType: BusNotification.eventType, schemaVersion: 1,
            eventId: eventId ?? notification.id, value: value, timestampMilliseconds: nil,
            headers: NotificationSignature.headers(signing: value, with: key))
    }

    /// Notifications whose source is one of the release's events, or naming its release id,
    /// are about the release; others with the person's state ID about the person; each only
    /// once what it reports has happened by `asOf`. One read before the release still links.
    static func whoWasToldAboutTheReleaseOrItsPerson(_ view: View) async throws {
        let (a, b) = (E.person("MO2000001"), E.person("MO2000002"))
        let scheduledId = E.eventId("scheduled-R-1")
        let policePending = notification(
            to: .agency("MO-KCPD"), rule: "release-warrant-pending", about: "MO2000001", source: scheduledId,
            sourceType: ReleaseScheduled.eventType, at: E.instant("2026-02-01T10:00:00Z"))
        try await view.apply(try admitted(policePending))  // before the release itself
        try await view.apply(
            try E.scheduled("R-1", a, expectedAt: E.later(days: 10)),
            try E.scheduled("R-2", b, expectedAt: E.later(days: 11)),
            try admitted(notification(
                to: .agency("MO-JACKSON-CC"), rule: "warrant-check-pending", about: "MO2000001", source: E.eventId("issued-W-1"),
                sourceType: WarrantIssued.eventType, at: E.instant("2026-02-03T10:00:00Z"))),
            try admitted(notification(
                to: .facility("MO-WERDCC"), rule: "warrant-check-clear", about: nil, source: E.eventId("recalled-W-1"),
                sourceType: WarrantRecalled.eventType, at: E.instant("2026-02-05T10:00:00Z"),
                matched: [MatchedIdentifier("releaseId", "R-1"), MatchedIdentifier("warrantId", "W-1")])),
            try admitted(notification(
                to: .officer("PP-KC-118"), rule: "supervisee-arrested", about: "MO2000001", source: E.eventId("arrest-1"),
                sourceType: ArrestMade.eventType, at: E.later(days: 2))),
            try admitted(notification(
                to: .agency("MO-KCPD"), rule: "release-warrant-pending", about: "MO2000002", source: E.eventId("other"),
                sourceType: WarrantIssued.eventType, at: E.instant("2026-02-04T10:00:00Z"))),
            // About the person too, but health and intelligence: never on a facility's board.
            try admitted(notification(
                to: .agency("MO-KCPD"), rule: "mental-health-bulletin", about: "MO2000001", source: E.eventId("bulletin-1"),
                sourceType: "supervision.mental-health-bulletin.published", at: E.later(days: 1))),
            try admitted(notification(
                to: .officer("PP-KC-118"), rule: "investigation-named-supervisee", about: "MO2000001", source: E.eventId("investigation-1"),
                sourceType: "police.investigation.opened", at: E.later(days: 1))))

        let rows = try await board(view)
        let told = try #require(rows.first { $0.releaseId == "R-1" }).told
        #expect(told.map(\.recipient) == ["agency:MO-KCPD", "agency:MO-JACKSON-CC", "facility:MO-WERDCC"])
        #expect(told.map(\.rule) == ["release-warrant-pending", "warrant-check-pending", "warrant-check-clear"])
        #expect(told.map(\.about) == [.release, .person, .release])
        #expect(told.first?.notificationId == policePending.id)
        #expect(told.first?.sourceEventType == ReleaseScheduled.eventType)
        #expect(rows.first { $0.releaseId == "R-2" }?.told.map(\.recipient) == ["agency:MO-KCPD"])
        let later = try await board(view, asOf: E.later(days: 3))
        #expect(later.first { $0.releaseId == "R-1" }?.told.map(\.rule)
            == ["release-warrant-pending", "warrant-check-pending", "warrant-check-clear", "supervisee-arrested"])
    }

    /// A notification is kept only when its signature verifies, its id is the event id and
    /// its recipient the message key; a refused one changes no table.
    static func notificationsAreTrustedOnlyWhenVerified(_ view: View, _ database: any StorageDatabase) async throws {
        let notice = notification(
            to: .agency("MO-KCPD"), rule: "release-warrant-pending", about: "MO2000001", source: E.eventId("scheduled-R-1"),
            sourceType: ReleaseScheduled.eventType, at: E.instant("2026-02-01T10:00:00Z"))
        let before = try await view.snapshot()

        let otherKey = try NotificationSigningKey(bytes: Array(repeating: 9, count: 32))
        #expect(try await view.applyExpectingPoison(try admitted(notice, signedWith: otherKey))?.reason.hasPrefix("notification signature invalid") == true)
        #expect(try await view.applyExpectingPoison(try admitted(notice, messageKey: "agency:MO-SLMPD"))?.reason
            == "the message key differs from the notification's recipient")
        #expect(try await view.applyExpectingPoison(try admitted(notice, eventId: E.eventId("elsewhere").uuidString.lowercased()))?.reason
            == "event-id header differs from the notification id")
        var unsigned = try admitted(notice)
        unsigned.headers = []
        #expect(try await view.applyExpectingPoison(unsigned)?.reason.hasPrefix("notification signature missing") == true)
        #expect(try await view.snapshot() == before)

        // The board as the catalog lists it has no keys: it trusts no notification.
        let unwired = try await ReleaseViewHarness(ReleaseBoardStore(), tables: [], on: database)
        #expect(try await unwired.applyExpectingPoison(try admitted(notice))?.reason.hasPrefix("notification signature not checked") == true)
        #expect(try await view.snapshot() == before)

        try await view.apply(try admitted(notice))
        #expect(try await view.count("releases_notices") == 1)
    }

    /// Every event a second time (a redelivery) changes no row and no answer.
    static func sameEventsTwiceChangeNothing(_ view: View) async throws {
        let a = E.person("MO2000001")
        let events = [
            try E.scheduled("R-1", a, expectedAt: E.later(days: 10)), try E.changed("R-1", a, expectedAt: E.later(days: 12)),
            try E.warrantIssued("W-1", a), try E.detainerLodged("D-1", a), try E.detainerLifted("D-1", a, liftedOn: "2026-04-01"),
            try admitted(notification(
                to: .agency("MO-KCPD"), rule: "release-warrant-pending", about: "MO2000001", source: E.eventId("scheduled-R-1"),
                sourceType: ReleaseScheduled.eventType, at: E.instant("2026-02-01T10:00:00Z"))),
        ]
        for event in events { try await view.apply(event) }
        let once = try await view.snapshot()
        let answer = try await board(view)
        for event in events { try await view.apply(event) }
        #expect(try await view.snapshot() == once)
        #expect(try await board(view) == answer)
        #expect(answer.first?.warrantCheck == .hold)
        #expect(answer.first?.told.count == 1)
    }
}

@Suite struct ReleaseBoardOnSQLiteTests {
    @Test(arguments: ReleaseBoardScenario.allCases)
    func scenario(_ scenario: ReleaseBoardScenario) async throws {
        try await scenario.run(on: try ReleaseViewDatabases.sqlite())
    }
}
