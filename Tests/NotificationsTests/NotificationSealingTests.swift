import Foundation
import TestSupport
import Contracts
import Storage
import Kafka
import ServiceKit
import Testing

@testable import Notifications

/// Sealing orders in the inbox (it removes the notifications about the person, or those routed
/// for a listed case), and the subject digest the two tables of notifications carry for them:
/// filled on insert, and by the migration step for rows written before.
@Suite struct NotificationSealingTests {
    let key = NotificationSigningKey.random()

    static func order(_ stateId: String, cases: [String]? = nil) -> SealingOrder {
        SealingOrder(
            kind: .sealed, orderId: "ORDER-1", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-06-16")!,
            scope: cases == nil ? .allRecords : .listedCases, caseNumbers: cases ?? [], stateId: stateId, fbiNumber: nil,
            orderedAtMilliseconds: 1_750_100_000_000, eventId: "0f4a9c1e-2b3d-8e4f-9a0b-1c2d3e4f5a6b")
    }

    /// MO1: arrests routed for cases C-1 and C-2, and a release notice; MO2: an arrest routed
    /// for a case also called C-1.
    static let mo1Case1 = Fixtures.notification(.officer("PO-1"), source: "e-1", subject: "MO1", scope: "C-1")
    static let mo1Case2 = Fixtures.notification(.officer("PO-2"), source: "e-2", subject: "MO1", scope: "C-2")
    static let mo1Release = Fixtures.notification(.agency("MO-KCPD"), source: "e-3", subject: "MO1", scope: "R-1")
    static let mo2Case1 = Fixtures.notification(.officer("PO-1"), source: "e-4", subject: "MO2", scope: "C-1")

    private func inboxWithTwoPeople() async throws -> ProjectionHarness {
        let inbox = try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
        try await deliver([Self.mo1Case1, Self.mo1Case2, Self.mo1Release, Self.mo2Case1], to: inbox)
        #expect(try await inbox.count("inbox") == 4)
        return inbox
    }

    /// `notifications`, signed, read by `inbox`.
    private func deliver(_ notifications: [BusNotification], to inbox: ProjectionHarness) async throws {
        for notification in notifications {
            let headers = NotificationSignature.headers(signing: try notification.encoded(), with: key)
            try await inbox.apply(try Fixtures.admitted(notification, headers: headers))
        }
    }

    /// ``inboxWithTwoPeople()`` and a release of MO1 matched to the case by FBI number: the
    /// officer's notice (filed under MO1, naming the FBI number it matched) and the police's
    /// (naming the FBI number alone); and another person's police notice, known by another FBI
    /// number, returned.
    private func inboxWithAReleaseMatchedByFBINumber() async throws -> (inbox: ProjectionHarness, other: BusNotification) {
        let inbox = try await inboxWithTwoPeople()
        let officer = BusNotification(
            recipient: .officer("PO-1"), priority: .high, summary: "Your supervisee's release is scheduled",
            reason: NotificationReason(rule: "supervisee-release", explanation: "You supervise case C-1.",
                                       matched: [MatchedIdentifier("fbiNumber", "734591KA2"), MatchedIdentifier("releaseId", "R-e-7")]),
            facts: [], occurredAt: Date(timeIntervalSince1970: 1_750_000_000), subjectStateId: "MO1", sourceEventId: "e-7",
            sourceEventType: "custody.release.scheduled", scope: "C-1")
        let other = Self.aboutFBINumber("112233KB4", source: "e-8")
        try await deliver([officer, Self.aboutFBINumber("734591KA2", source: "e-7"), other], to: inbox)
        return (inbox, other)
    }

    private func seal(_ inbox: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = inbox.projection
        return try await inbox.write { _, transaction in try projection.seal(order, in: transaction) }
    }

    private func stored(_ inbox: ProjectionHarness) async throws -> Set<BusNotification> {
        Set(try await inbox.write { db, _ in try InboxStore.all(db) })
    }

    /// The service's own tables that name any of `texts` (TestSupport's search of every column);
    /// the runtime's (`kit_*`) are left out: the runtime removes the outbox's messages about a
    /// sealed person, not the projection (tested in ServiceKit).
    private func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    @Test func theInboxReadsSealingOrders() {
        let inbox = InboxProjection(verifyingKeys: [key], signingKey: key)
        #expect(inbox.topics.contains(InboxProjection.sealingTopic))
        #expect(SealingOrder.eventTypes.allSatisfy(inbox.handles(eventType:)))
    }

    @Test func allRecordsRemovesEveryNotificationAboutThePersonAndNoOneElses() async throws {
        let inbox = try await inboxWithTwoPeople()
        #expect(try await tablesNaming(["MO1"], inbox) == ["inbox"])
        let tally = try await seal(inbox, Self.order("MO1"))
        #expect(tally.rowsByTable == ["inbox": 3])
        #expect(try await tablesNaming(["MO1"], inbox).isEmpty)
        #expect(try await stored(inbox) == [Self.mo2Case1])
    }

    /// Only the person's notifications routed for the listed case go; the other person's,
    /// routed for a case of the same name, stay.
    @Test func listedCasesRemoveWhatWasRoutedForThem() async throws {
        let inbox = try await inboxWithTwoPeople()
        let tally = try await seal(inbox, Self.order("MO1", cases: ["C-1"]))
        #expect(tally.rowsByTable == ["inbox": 1])
        #expect(try await stored(inbox) == [Self.mo1Case2, Self.mo1Release, Self.mo2Case1])
    }

    /// A notice sent again after a retraction (a person link undone, then made again) takes an
    /// id scoped by the one it follows: a listed-case order still finds it as routed for the case.
    @Test func listedCasesRemoveNoticesSentAgainAfterARetraction() async throws {
        let inbox = try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
        var again = Fixtures.notification(.officer("PO-1"), source: "e-9", subject: "MO1", scope: "C-1")
        for _ in 0..<2 {
            again.id = BusNotification.id(
                sourceEventId: again.sourceEventId, rule: again.reason.rule, scope: RoutedScope.reissue(of: "C-1", after: again.id),
                recipient: again.recipient)
        }
        try await deliver([again, Self.mo1Case2], to: inbox)
        let tally = try await seal(inbox, Self.order("MO1", cases: ["C-1"]))
        #expect(tally.rowsByTable == ["inbox": 1])
        #expect(try await stored(inbox) == [Self.mo1Case2])
    }

    /// A notification about a person known by no state ID (an event that named the FBI number
    /// alone): the FBI number among what matched.
    static func aboutFBINumber(_ fbiNumber: String, source: String) -> BusNotification {
        BusNotification(
            recipient: .agency("MO-KCPD"), priority: .routine, summary: "A release into your jurisdiction",
            reason: NotificationReason(rule: "release-into-jurisdiction", explanation: "The person releases into your city.", matched: [MatchedIdentifier("releaseId", "R-\(source)")]),
            facts: [NotificationFact("who", "FBI number \(fbiNumber)")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            subjectStateId: nil, sourceEventId: source, sourceEventType: "custody.release.scheduled", scope: "R-\(source)", subjectFbiNumber: fbiNumber)
    }

    @Test func aNotificationNamesTheFBINumberOnlyWhenItHasNoStateId() throws {
        let byFBI = Self.aboutFBINumber("734591KA2", source: "e-7")
        #expect(byFBI.subjectFbiNumber == "734591KA2")
        #expect(byFBI.reason.matched.filter { $0.name == "fbiNumber" } == [MatchedIdentifier("fbiNumber", "734591KA2")])
        // Decoded again (the inbox reads the bytes), it says the same.
        #expect(try BusNotification.decode(try byFBI.encoded()).subjectFbiNumber == "734591KA2")
        // With a state ID the notification is filed under it, and what matched is left as given.
        let withStateId = BusNotification(
            recipient: .officer("PO-1"), priority: .high, summary: "s", reason: NotificationReason(rule: "r", explanation: "e", matched: []),
            facts: [], occurredAt: Date(timeIntervalSince1970: 0), subjectStateId: "MO1", sourceEventId: "e-8", sourceEventType: "t",
            subjectFbiNumber: "734591KA2")
        #expect(withStateId.subjectFbiNumber == nil)
        #expect(withStateId.reason.matched.isEmpty)
        #expect(NotificationSubject.digest(withStateId) == .text(SealingDigest.stateId("MO1")))
        #expect(NotificationSubject.digest(byFBI) == .text(SealingDigest.fbiNumber("734591KA2")))
    }

    /// An order naming the FBI number removes the notifications filed under it (and the
    /// person's by state ID); another person's, known by another FBI number, stay.
    @Test func aNotificationAboutAPersonKnownByTheFBINumberAloneGoesWithAnOrderNamingIt() async throws {
        let inbox = try await inboxWithTwoPeople()
        let reyes = Self.aboutFBINumber("734591KA2", source: "e-7")
        let other = Self.aboutFBINumber("112233KB4", source: "e-8")
        try await deliver([reyes, other], to: inbox)
        var order = Self.order("MO1")
        order.fbiNumber = "734591KA2"
        let tally = try await seal(inbox, order)
        #expect(tally.rowsByTable == ["inbox": 4])
        #expect(try await stored(inbox) == [Self.mo2Case1, other])
        #expect(try await tablesNaming(["734591KA2"], inbox).isEmpty)
    }

    /// An order naming the state ID alone: the officer's notification about the person (filed
    /// under the state ID) says the release matched the case by FBI number; the police notice of
    /// that release names the FBI number alone. Both go, and the pairing is reported.
    @Test func anOrderNamingTheStateIdFindsTheFBINumberItsNotificationsMatched() async throws {
        let (inbox, other) = try await inboxWithAReleaseMatchedByFBINumber()
        let tally = try await seal(inbox, Self.order("MO1"))
        #expect(tally.rowsByTable == ["inbox": 5])
        #expect(tally.pairedFbiNumbers == ["734591KA2"])
        #expect(try await stored(inbox) == [Self.mo2Case1, other])
    }

    /// An order naming the FBI number alone (`records.sealing` version 2): the notifications
    /// that matched it name the state ID they pair with (the officer's, filed under MO1), so all
    /// of MO1's go, and the FBI-filed ones; the pairing is reported.
    @Test func anOrderNamingTheFBINumberAloneFindsTheStateIdItsNotificationsPairWithIt() async throws {
        let (inbox, other) = try await inboxWithAReleaseMatchedByFBINumber()
        var order = Self.order("MO1")
        order.stateId = nil
        order.fbiNumber = "734591KA2"
        let tally = try await seal(inbox, order)
        #expect(tally.rowsByTable == ["inbox": 5])
        #expect(tally.pairedStateIds == ["MO1"])
        #expect(try await stored(inbox) == [Self.mo2Case1, other])
    }

    @Test func aNotificationIsRoutedForTheScopeItsIdCameFrom() {
        #expect(Self.mo1Case1.isRouted(forScope: "C-1"))
        #expect(!Self.mo1Case1.isRouted(forScope: "C-2"))
        #expect(!Self.mo1Release.isRouted(forScope: "C-1"))
    }

    // MARK: The subject digest column

    @Test func sentRowsWrittenBeforeGetTheirDigestOnSQLite() async throws {
        try await SubjectDigestScenarios.sentRowsWrittenBeforeGetTheirDigest(try SQLiteStorage.inMemory())
    }

    @Test func inboxRowsGetTheirDigestPageByPageOnSQLite() async throws {
        try await SubjectDigestScenarios.inboxRowsGetTheirDigestPageByPage(try SQLiteStorage.inMemory())
    }

    @Test func inboxRowsAboutAnFBINumberGetItsDigestOnSQLite() async throws {
        try await SubjectDigestScenarios.inboxRowsAboutAnFBINumberGetItsDigest(try SQLiteStorage.inMemory())
    }
}

/// The same on PostgreSQL 15 (a fresh database per test in the suite's private cluster);
/// skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct NotificationSealingPostgresTests {
    @Test func allRecordsRemovesEveryNotificationAboutThePersonAndNoOneElses() async throws {
        try await NotificationSealingTests().allRecordsRemovesEveryNotificationAboutThePersonAndNoOneElses()
    }
    @Test func listedCasesRemoveWhatWasRoutedForThem() async throws { try await NotificationSealingTests().listedCasesRemoveWhatWasRoutedForThem() }
    @Test func sentRowsWrittenBeforeGetTheirDigest() async throws { try await onFreshPostgres(SubjectDigestScenarios.sentRowsWrittenBeforeGetTheirDigest) }
    @Test func inboxRowsGetTheirDigestPageByPage() async throws { try await onFreshPostgres(SubjectDigestScenarios.inboxRowsGetTheirDigestPageByPage) }
    @Test func inboxRowsAboutAnFBINumberGetItsDigest() async throws { try await onFreshPostgres(SubjectDigestScenarios.inboxRowsAboutAnFBINumberGetItsDigest) }
    @Test func aNotificationAboutAPersonKnownByTheFBINumberAloneGoesWithAnOrderNamingIt() async throws {
        try await NotificationSealingTests().aNotificationAboutAPersonKnownByTheFBINumberAloneGoesWithAnOrderNamingIt()
    }
    @Test func anOrderNamingTheStateIdFindsTheFBINumberItsNotificationsMatched() async throws {
        try await NotificationSealingTests().anOrderNamingTheStateIdFindsTheFBINumberItsNotificationsMatched()
    }
    @Test func anOrderNamingTheFBINumberAloneFindsTheStateIdItsNotificationsPairWithIt() async throws {
        try await NotificationSealingTests().anOrderNamingTheFBINumberAloneFindsTheStateIdItsNotificationsPairWithIt()
    }
}

/// The digest step on a fresh database of either kind.
enum SubjectDigestScenarios {
    /// Rows of `table` by id: the digest each carries (nil: none).
    static func digests(_ table: String, _ db: any StorageDatabase, column: String = "subject_digest") async throws -> [String: String?] {
        try await db.write { db in
            var digests: [String: String?] = [:]
            for row in try db.fetchAll("SELECT id, \(column) AS digest FROM \(table)") {
                digests[try row.get("id", as: String.self)] = try row.get("digest", as: String?.self)
            }
            return digests
        }
    }

    /// notifications-v5 on rows written before it: a notification's body names its subject;
    /// a JSON body without one, or a body that is not JSON, names nobody.
    static func sentRowsWrittenBeforeGetTheirDigest(_ db: any StorageDatabase) async throws {
        let steps = NotificationOutbox.migrations
        let before = Array(steps.prefix { $0.id != "notifications-v5" })
        #expect(before.count < steps.count)
        let bodies: [(String, [UInt8])] = [
            ("mo1", try Fixtures.notification(subject: "MO1").encoded()), ("mo2", try Fixtures.notification(source: "e-2", subject: "MO2").encoded()),
            ("empty", Array("{}".utf8)), ("not-json", Array("not json".utf8)),
        ]
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            for (id, body) in bodies {
                try db.execute(
                    "INSERT INTO notifications_sent (id, recipient, priority, rule, source_event_id, body) VALUES ($1, 'officer:PO-1', 'high', 'r', 'e', $2)",
                    [.text(id), .bytes(body)])
            }
            try StorageMigrator.migrate(steps, in: db)
        }
        #expect(try await digests("notifications_sent", db) == [
            "mo1": SealingDigest.stateId("MO1"), "mo2": SealingDigest.stateId("MO2"), "empty": nil, "not-json": nil,
        ])
        // The shared removal finds them by it.
        let removed = try await db.write { db in
            try NotificationOutbox.removeSent(covering: NotificationSealingTests.order("MO1"), derivesFromListedCases: { _ in false }, db)
        }
        #expect(removed.rowsByTable == ["notifications_sent": 1])
    }

    /// The inbox's step reads the rows in pages (here of 2): every row is reached, and a row
    /// stored once the column exists carries its digest from the insert.
    static func inboxRowsGetTheirDigestPageByPage(_ db: any StorageDatabase) async throws {
        let steps = InboxStore.migrations
        let before = Array(steps.prefix { $0.id != "inbox-v3" })
        let after = Array(steps.drop { $0.id != "inbox-v4" })
        #expect(before.count + 1 + after.count == steps.count)
        let notifications = (1...5).map { Fixtures.notification(source: "e-\($0)", subject: "MO\($0)") }
        let later = Fixtures.notification(source: "e-6", subject: "MO6")
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            for notification in notifications {
                try db.execute(
                    "INSERT INTO inbox (id, recipient, priority, occurred_at, summary, body) VALUES ($1, 'officer:PO-1', 'high', '2025-06-15T14:06:40Z', 's', $2)",
                    [.text(notification.id), .bytes(try notification.encoded())])
            }
            try NotificationSubject.addDigestColumn(to: "inbox", index: "inbox_by_subject", pageSize: 2, db)
            try StorageMigrator.migrate(before + after, in: db)
            _ = try InboxStore.insert(later, receivedAtMilliseconds: nil, db)
        }
        var expected: [String: String?] = [:]
        for notification in notifications + [later] { expected[notification.id] = notification.subjectStateId.map(SealingDigest.stateId) }
        #expect(try await digests("inbox", db) == expected)
    }

    /// inbox-v5 on rows stored before it (the earlier steps filed a notification naming no
    /// state ID under nothing): such a row gets the digest of the FBI number it matched; a row
    /// with a digest keeps it, a row naming neither number stays without.
    static func inboxRowsAboutAnFBINumberGetItsDigest(_ db: any StorageDatabase) async throws {
        let steps = InboxStore.migrations
        let before = Array(steps.prefix { $0.id != "inbox-v5" })
        #expect(before.count < steps.count)
        let byStateId = Fixtures.notification(source: "e-1", subject: "MO1")
        let byFBI = NotificationSealingTests.aboutFBINumber("734591KA2", source: "e-2")
        let byNeither = {
            var notification = NotificationSealingTests.aboutFBINumber("734591KA2", source: "e-3")
            notification.reason.matched = [MatchedIdentifier("releaseId", "R-e-3")]
            return notification
        }()
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            for (arrival, notification) in [byStateId, byFBI, byNeither].enumerated() {
                try db.execute(
                    """
                    INSERT INTO inbox (id, recipient, priority, occurred_at, summary, body, subject_digest, arrival)
                    VALUES ($1, 'officer:PO-1', 'high', '2025-06-15T14:06:40Z', 's', $2, $3, $4)
                    """,
                    [.text(notification.id), .bytes(try notification.encoded()),
                     notification.subjectStateId.map { .text(SealingDigest.stateId($0)) } ?? .null, .integer(Int64(arrival + 1))])
            }
            try StorageMigrator.migrate(steps, in: db)
        }
        #expect(try await digests("inbox", db) == [
            byStateId.id: SealingDigest.stateId("MO1"), byFBI.id: SealingDigest.fbiNumber("734591KA2"), byNeither.id: nil,
        ])
        // The second digest: of the FBI number each matched (none for the first and the last).
        #expect(try await digests("inbox", db, column: "subject_fbi_digest") == [
            byStateId.id: nil, byFBI.id: SealingDigest.fbiNumber("734591KA2"), byNeither.id: nil,
        ])
    }
}
