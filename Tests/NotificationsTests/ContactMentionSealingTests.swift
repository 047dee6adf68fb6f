import Foundation
import TestSupport
import Contracts
import Storage
import Kafka
import ServiceKit
import Testing

@testable import Notifications

/// A sealing order for the person police met in a contact with someone else's household
/// (`personContacted`): the inbox finds the notification about the other person that names
/// them (`inbox_mentions`, by the digest of the state ID the router wrote among what matched),
/// and keeps it without them; one it cannot rewrite it removes. Afterwards no table names them.
@Suite struct ContactMentionSealingTests {
    let key = NotificationSigningKey.random()

    static let marcusStateId = "MO5550001"
    /// What must not remain anywhere: his state ID, the digest he is filed under, his name.
    static let marcusTexts = [marcusStateId, SealingDigest.stateId(marcusStateId), "Marcus"]

    /// Darnell Reyes's officer told of a domestic disturbance with Marcus Reyes, a household
    /// member the case lists, as the router writes it (`ContactNotification`); the police's own
    /// summary names Marcus too. `mentions`: whether the router wrote his state ID (it does
    /// since `NotificationMention`; before, the notification named him by name only).
    static func contactNamingMarcus(source: String = "e-contact", mentions: Bool = true) -> BusNotification {
        contact(
            source: source, met: ContactMention.met(name: "Marcus Reyes", relation: .householdMember, subject: darnell),
            householdMember: "Marcus A. Reyes (brother)", mentions: mentions ? [NotificationMention.mention(stateId: marcusStateId)] : [],
            policeSummary: "Argument between Darnell and MARCUS REYES; no arrest.")
    }

    /// ``contactNamingMarcus(source:mentions:)`` as the inbox keeps it once Marcus is sealed
    /// (written out, not derived: what `ContactMention.withdrawing` must make of it).
    static let withoutMarcus = contact(
        met: "a household member (removed under a court order) of Darnell Reyes (MO1234567)", householdMember: "removed under a court order",
        mentions: [], policeSummary: "Argument between Darnell and removed under a court order; no arrest.")

    /// How Darnell Reyes is written in the contact.
    static let darnell = "Darnell Reyes (MO1234567)"

    /// The contact notification both forms above are: the `met` fact (and the summary built
    /// from it), the household member the case lists, the mentions among what matched, and the
    /// police's own summary differ; the rest is the same.
    private static func contact(
        source: String = "e-contact", met: String, householdMember: String, mentions: [MatchedIdentifier], policeSummary: String
    ) -> BusNotification {
        BusNotification(
            recipient: .officer("PP-KC-118"), priority: .routine,
            summary: "Police contact (domestic disturbance) with \(met) at 4410 Troost Ave Apt 2, Kansas City, MO 64110",
            reason: NotificationReason(
                rule: "supervisee-police-contact",
                explanation: "You supervise this person (case CASE-1); police met a member of the household listed with the case's registered address; matched on stateId and householdMember.",
                matched: [MatchedIdentifier("stateId", "MO1234567"), MatchedIdentifier("householdMember", householdMember)] + mentions),
            facts: [
                NotificationFact("who", "Darnell Reyes, state ID MO1234567"), NotificationFact("met", met),
                NotificationFact("what", "domestic disturbance"), NotificationFact("summary", policeSummary),
                NotificationFact("reason", "household-member"),
            ],
            occurredAt: Date(timeIntervalSince1970: 1_750_000_000), subjectStateId: "MO1234567", sourceEventId: source,
            sourceEventType: "police.contact.recorded", scope: "CASE-1")
    }

    static func order(stateId: String?, fbiNumber: String? = nil, scope: RecordOrderScope = .allRecords) -> SealingOrder {
        SealingOrder(
            kind: .expunged, orderId: "ORDER-MARCUS", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-06-16")!,
            scope: scope, caseNumbers: scope == .allRecords ? [] : ["CASE-8"], stateId: stateId, fbiNumber: fbiNumber,
            orderedAtMilliseconds: 1_750_100_000_000, eventId: "1f4a9c1e-2b3d-8e4f-9a0b-1c2d3e4f5a6b")
    }

    /// A notification about Marcus himself, and one about someone else.
    static let aboutMarcus = Fixtures.notification(.officer("PO-7"), source: "e-marcus", subject: marcusStateId, scope: "CASE-9")
    static let aboutHill = Fixtures.notification(.officer("PO-2"), source: "e-hill", subject: "MO7654321", scope: "CASE-2")

    private func deliver(_ notifications: [BusNotification], to inbox: ProjectionHarness) async throws {
        for notification in notifications {
            let headers = NotificationSignature.headers(signing: try notification.encoded(), with: key)
            try await inbox.apply(try Fixtures.admitted(notification, headers: headers))
        }
    }

    private func inbox() async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
    }

    /// Applies `order` as the runtime does: the projection's removals, then the order recorded.
    private func seal(_ inbox: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = inbox.projection
        return try await inbox.write { storage, transaction in
            let removed = try projection.seal(order, in: transaction)
            try SealingLedger(storage).record(order, removed: removed)
            return removed
        }
    }

    private func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    private func stored(_ inbox: ProjectionHarness) async throws -> Set<BusNotification> {
        Set(try await inbox.write { db, _ in try InboxStore.all(db) })
    }

    @Test func anOrderForThePersonMetKeepsTheContactNotificationWithoutThem() async throws {
        let inbox = try await inbox()
        try await deliver([Self.contactNamingMarcus(), Self.aboutMarcus, Self.aboutHill], to: inbox)
        #expect(try await tablesNaming(Self.marcusTexts, inbox) == ["inbox", "inbox_mentions"])

        let tally = try await seal(inbox, Self.order(stateId: Self.marcusStateId))
        // His own notification goes; Darnell's stays, rewritten; its filing under him goes.
        #expect(tally.rowsByTable == ["inbox": 1, "inbox.person_mentioned": 1, "inbox_mentions": 1])
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
        #expect(try await stored(inbox) == [Self.withoutMarcus, Self.aboutHill])
        // The summary column the pages list says the same.
        let summary = try await inbox.write { db, _ in
            try db.fetchOne("SELECT summary FROM inbox WHERE id = $1", [.text(Self.withoutMarcus.id)])?.get("summary", as: String.self)
        }
        #expect(summary == Self.withoutMarcus.summary)
        // Still Darnell's: an order for him removes it.
        #expect(try await seal(inbox, Self.order(stateId: "MO1234567")).rowsByTable == ["inbox": 1])
        #expect(try await stored(inbox) == [Self.aboutHill])
    }

    /// A contact notification that was still in the router's outbox, or that a replay reads
    /// after the order: stored as the order would have left it, byte for byte.
    @Test func aContactNotificationArrivingAfterTheOrderIsStoredWithoutThePersonMet() async throws {
        let inbox = try await inbox()
        #expect(try await seal(inbox, Self.order(stateId: Self.marcusStateId)).total == 0)
        let notification = Self.contactNamingMarcus()
        let headers = NotificationSignature.headers(signing: try notification.encoded(), with: key)
        let applied = try await inbox.applyCounting(try Fixtures.admitted(notification, headers: headers))
        #expect(applied.counted.contains(InboxProjection.withdrawnMentionsMetric))
        #expect(try await stored(inbox) == [Self.withoutMarcus])
        let body = try await inbox.write { db, _ in
            try db.fetchOne("SELECT body FROM inbox WHERE id = $1", [.text(notification.id)])?.get("body", as: [UInt8].self)
        }
        #expect(body == (try Self.withoutMarcus.encoded()))
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
        // A contact that occurred after the order is a new record: kept as sent.
        var later = Self.contactNamingMarcus(source: "e-later")
        later.occurredAt = Date(timeIntervalSince1970: 1_750_200_000)
        try await deliver([later], to: inbox)
        #expect(try await stored(inbox).contains(later))
    }

    /// A notification filed under the person that is not written as a contact with them (no
    /// `met` fact of that shape) cannot be rewritten safely: it is removed, and counted so.
    @Test func aNotificationThatCannotBeRewrittenIsRemoved() async throws {
        let inbox = try await inbox()
        var odd = Self.contactNamingMarcus(source: "e-odd")
        odd.facts.removeAll { $0.label == "met" }
        try await deliver([odd, Self.aboutHill], to: inbox)
        let tally = try await seal(inbox, Self.order(stateId: Self.marcusStateId))
        #expect(tally.rowsByTable == ["inbox": 1, "inbox_mentions": 1])
        #expect(try await stored(inbox) == [Self.aboutHill])
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
    }

    /// An order naming his FBI number alone finds the contact through the state ID the inbox's
    /// own notifications pair with it (his release matched by FBI number); a listed-cases order
    /// leaves the contact (a record of no case).
    @Test func anOrderNamingTheFBINumberAloneFindsTheMentionThroughThePairedStateId() async throws {
        let inbox = try await inbox()
        let release = BusNotification(
            recipient: .officer("PO-7"), priority: .high, summary: "Your supervisee's release is scheduled",
            reason: NotificationReason(rule: "supervisee-release", explanation: "You supervise case CASE-9.",
                                       matched: [MatchedIdentifier("fbiNumber", "556677KC1")]),
            facts: [], occurredAt: Date(timeIntervalSince1970: 1_750_000_000), subjectStateId: Self.marcusStateId, sourceEventId: "e-release",
            sourceEventType: "custody.release.scheduled", scope: "CASE-9")
        try await deliver([Self.contactNamingMarcus(), release], to: inbox)
        #expect(try await seal(inbox, Self.order(stateId: Self.marcusStateId, scope: .listedCases)).rowsByTable["inbox.person_mentioned"] == nil)
        let tally = try await seal(inbox, Self.order(stateId: nil, fbiNumber: "556677KC1"))
        #expect(tally.rowsByTable == ["inbox": 1, "inbox.person_mentioned": 1, "inbox_mentions": 1])
        #expect(try await stored(inbox) == [Self.withoutMarcus])
    }

    @Test func inboxRowsStoredBeforeAreFiledUnderTheMentionsTheirBodiesCarryOnSQLite() async throws {
        try await Self.inboxRowsStoredBeforeAreFiledUnderTheMentionsTheirBodiesCarry(try SQLiteStorage.inMemory())
    }

    /// inbox-v6 on rows stored before it (in pages of 2): a body carrying his state ID among
    /// what matched (routed by an upgraded router, stored by an inbox not yet upgraded) is filed
    /// under it; one naming him by name only (routed before) is not, and no order can find it.
    static func inboxRowsStoredBeforeAreFiledUnderTheMentionsTheirBodiesCarry(_ db: any StorageDatabase) async throws {
        let steps = InboxStore.migrations
        let before = Array(steps.prefix { $0.id != "inbox-v6" })
        #expect(before.count + 1 == steps.count)
        let withNumber = contactNamingMarcus(source: "e-1")
        let nameOnly = contactNamingMarcus(source: "e-2", mentions: false)
        let others = (3...5).map { Fixtures.notification(source: "e-\($0)", subject: "MO\($0)") }
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            for (arrival, notification) in ([withNumber, nameOnly] + others).enumerated() {
                try db.execute(
                    """
                    INSERT INTO inbox (id, recipient, priority, occurred_at, summary, body, subject_digest, arrival)
                    VALUES ($1, 'officer:PP-KC-118', 'routine', '2025-06-15T14:06:40Z', $2, $3, $4, $5)
                    """,
                    [.text(notification.id), .text(notification.summary), .bytes(try notification.encoded()),
                     .text(SealingDigest.stateId(notification.subjectStateId ?? "")), .integer(Int64(arrival + 1))])
            }
            try NotificationMention.createTable(pageSize: 2, db)
            try StorageMigrator.migrate(before + [StorageMigration("inbox-v6") { _ in }], in: db)
        }
        let filed = try await db.write { db in
            try db.fetchAll("SELECT notification_id, mention_digest FROM inbox_mentions").map {
                [try $0.get("notification_id", as: String.self), try $0.get("mention_digest", as: String.self)]
            }
        }
        #expect(filed == [[withNumber.id, SealingDigest.stateId(marcusStateId)]])
        let tally = try await db.write { db in
            try InboxStore.remove(covering: order(stateId: marcusStateId), db)
        }
        #expect(tally.rowsByTable == ["inbox.person_mentioned": 1, "inbox_mentions": 1])
        // The name-only row still names him (the README's known gap).
        let naming = try await db.write { db in try findOccurrences(of: ["Marcus"], in: db).map(\.table) }
        #expect(Set(naming) == ["inbox"])
        #expect(try await db.write { db in try InboxStore.notification(nameOnly.id, db) } == nameOnly)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ContactMentionSealingPostgresTests {
    @Test func rewritten() async throws { try await ContactMentionSealingTests().anOrderForThePersonMetKeepsTheContactNotificationWithoutThem() }
    @Test func late() async throws { try await ContactMentionSealingTests().aContactNotificationArrivingAfterTheOrderIsStoredWithoutThePersonMet() }
    @Test func removed() async throws { try await ContactMentionSealingTests().aNotificationThatCannotBeRewrittenIsRemoved() }
    @Test func byFBINumber() async throws { try await ContactMentionSealingTests().anOrderNamingTheFBINumberAloneFindsTheMentionThroughThePairedStateId() }
    @Test func migration() async throws {
        try await onFreshPostgres(ContactMentionSealingTests.inboxRowsStoredBeforeAreFiledUnderTheMentionsTheirBodiesCarry)
    }
}
