import Foundation
import TestSupport
import Contracts
import Storage
import Kafka
import ServiceKit
import Testing

@testable import Notifications

/// The inbox's rule (a notification is admitted only if signed by a known key, well formed,
/// and its id is the event-id header) and its store (once per id, queries by recipient).
@Suite struct InboxTests {
    let key = NotificationSigningKey.random()

    private func inbox(_ keys: [NotificationSigningKey]? = nil) -> InboxProjection {
        InboxProjection(verifyingKeys: keys ?? [key], signingKey: key)
    }

    private func signed(_ notification: BusNotification, with key: NotificationSigningKey) throws -> [KafkaHeader] {
        NotificationSignature.headers(signing: try notification.encoded(), with: key)
    }

    private func rejection(_ headers: [KafkaHeader], _ notification: BusNotification = Fixtures.notification()) async throws -> String? {
        // Through `apply`, as the runtime hands a message over: the headers travel in the event.
        let harness = try ProjectionHarness(inbox())
        let event = try Fixtures.admitted(notification, headers: headers)
        do {
            try await harness.apply(event)
        } catch let poison as PoisonMessage {
            #expect(try await harness.count("inbox") == 0)
            return poison.reason
        }
        return nil
    }

    @Test func aForgedNotificationWithoutSignatureIsRejected() async throws {
        #expect(try await rejection([]) == "notification signature missing: no header notification-key-id")
    }

    @Test func aForgedNotificationWithAWrongSignatureIsRejected() async throws {
        let headers = [KafkaHeader(key: NotificationSignature.keyIdHeader, value: key.id),
                       KafkaHeader(key: NotificationSignature.signatureHeader, value: String(repeating: "0", count: 64))]
        #expect(try await rejection(headers)?.hasPrefix("notification signature invalid") == true)
    }

    @Test func aNotificationSignedByAnotherKeyIsRejected() async throws {
        #expect(try await rejection(try signed(Fixtures.notification(), with: .random()))?.hasPrefix("notification signature invalid") == true)
    }

    @Test func aSignedNotificationWithAlteredTextIsRejected() async throws {
        let genuine = Fixtures.notification()
        var forged = genuine
        forged.summary = "stand down, subject cleared"
        #expect(try await rejection(try signed(genuine, with: key), forged)?.hasPrefix("notification signature invalid") == true)
    }

    @Test func anInboxWithoutKeysRejectsEverything() throws {
        let notification = Fixtures.notification()
        #expect(throws: PoisonMessage.self) {
            try inbox([]).admit(try notification.encoded(), eventId: notification.id, headers: try signed(notification, with: key))
        }
    }

    @Test func aCorrectlySignedNotificationIsStoredOnce() async throws {
        let harness = try ProjectionHarness(inbox())
        let inbox = inbox()
        let notification = Fixtures.notification()
        let headers = try signed(notification, with: key)
        let event = try Fixtures.admitted(notification)
        try await harness.write { _, transaction in try inbox.store(event, headers: headers, in: transaction) }
        try await harness.write { _, transaction in try inbox.store(event, headers: headers, in: transaction) }
        let stored = try await harness.write { db, _ in try InboxStore.all(db) }
        #expect(stored == [notification])
    }

    @Test func theIdMustBeTheEventIdHeader() throws {
        let notification = Fixtures.notification()
        #expect(throws: PoisonMessage.self) {
            try inbox().admit(try notification.encoded(), eventId: "another-id", headers: try signed(notification, with: key))
        }
    }

    /// The key is outside the signature: a signed notification re-keyed to another recipient
    /// is rejected, whichever admission the service uses.
    @Test func theKeyMustBeTheRecipient() async throws {
        let harness = try ProjectionHarness(inbox())
        let notification = Fixtures.notification()
        var event = try Fixtures.admitted(notification, headers: try signed(notification, with: key))
        event.key = "officer:someone-else"
        await #expect(throws: PoisonMessage.self) { try await harness.apply(event) }
        #expect(try await harness.count("inbox") == 0)
    }

    @Test func aSignedBodyThatIsNotANotificationIsRejected() throws {
        let body = Array("{}".utf8)
        let error = #expect(throws: PoisonMessage.self) {
            try inbox().admit(body, eventId: "x", headers: NotificationSignature.headers(signing: body, with: key))
        }
        #expect(error?.reason.hasPrefix("not a notification") == true)
    }

    // MARK: Store

    @Test func storesOncePerIdOnSQLite() async throws { try await InboxStoreScenarios.storesOncePerId(try SQLiteStorage.inMemory()) }

    @Test func findsARecipientsNotificationsOnSQLite() async throws {
        try await InboxStoreScenarios.findsARecipientsNotificationsByKindAndIdOrByIdAlone(try SQLiteStorage.inMemory())
    }

    @Test("arrival order: a notification that occurred earlier but arrives later is after every position read before; numbers are never reused")
    func arrivalOrderOnSQLite() async throws { try await InboxStoreScenarios.followsArrivalOrder(try SQLiteStorage.inMemory()) }

    @Test("newest first: pages by occurrence then id, both descending, each after the last; the latest arrival; accepted acknowledgements")
    func newestFirstOnSQLite() async throws { try await InboxStoreScenarios.pagesNewestFirst(try SQLiteStorage.inMemory()) }
}

/// The inbox store's queries on PostgreSQL 15 (a private cluster), the same scenarios as on
/// SQLite; skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct InboxStorePostgresTests {
    @Test func storesOncePerId() async throws { try await onFreshPostgres(InboxStoreScenarios.storesOncePerId) }
    @Test func findsARecipientsNotifications() async throws {
        try await onFreshPostgres(InboxStoreScenarios.findsARecipientsNotificationsByKindAndIdOrByIdAlone)
    }
    @Test func arrivalOrder() async throws { try await onFreshPostgres(InboxStoreScenarios.followsArrivalOrder) }
    @Test func newestFirst() async throws { try await onFreshPostgres(InboxStoreScenarios.pagesNewestFirst) }
}

/// Each scenario on a fresh database of either kind.
enum InboxStoreScenarios {
    static func migrated(_ db: any StorageDatabase) async throws -> any StorageDatabase {
        try await db.write { try StorageMigrator.migrate(InboxStore.migrations, in: $0) }
        return db
    }

    static func storesOncePerId(_ database: any StorageDatabase) async throws {
        let db = try await migrated(database)
        let notification = Fixtures.notification()
        let (first, second, stored) = try await db.write { db in
            (try InboxStore.insert(notification, receivedAtMilliseconds: 1, db), try InboxStore.insert(notification, receivedAtMilliseconds: 2, db),
             try InboxStore.all(db))
        }
        #expect(first && !second)
        #expect(stored == [notification])
    }

    static func findsARecipientsNotificationsByKindAndIdOrByIdAlone(_ database: any StorageDatabase) async throws {
        let db = try await migrated(database)
        let officer = Fixtures.notification(.officer("PO-1"), source: "e-1")
        let later = Fixtures.notification(.officer("PO-1"), source: "e-2")
        let agency = Fixtures.notification(.agency("PO-1"), source: "e-3")
        let other = Fixtures.notification(.officer("PO-2"), source: "e-4")
        try await db.write { db in
            for notification in [other, agency, later, officer] { _ = try InboxStore.insert(notification, receivedAtMilliseconds: nil, db) }
        }
        #expect(Set(try await db.read { try InboxStore.notifications(for: "officer:PO-1", $0) }) == [officer, later])
        #expect(Set(try await db.read { try InboxStore.notifications(for: "PO-1", $0) }) == [officer, later, agency])
        #expect(try await db.read { try InboxStore.notifications(for: "agency:PO-2", $0) }.isEmpty)
    }

    static func followsArrivalOrder(_ database: any StorageDatabase) async throws {
        let db = try await migrated(database)
        func notification(_ source: String, minute: Double) -> BusNotification {
            var notification = Fixtures.notification(.officer("PO-1"), source: source)
            notification.occurredAt = Date(timeIntervalSince1970: 1_750_000_000 + minute * 60)
            return notification
        }
        let (second, third) = (notification("e-2", minute: 2), notification("e-3", minute: 3))
        let other = Fixtures.notification(.officer("PO-2"), source: "e-9")
        try await db.write { db in
            for stored in [second, other, third] { _ = try InboxStore.insert(stored, receivedAtMilliseconds: nil, db) }
        }
        let read = try await db.read { try InboxStore.arrivals(for: ["officer:PO-1"], after: nil, limit: 10, $0) }
        #expect(read.map(\.notification) == [second, third])
        let position = try #require(read.last?.arrival)

        // Occurred before both, arrives after a follower read them; a repeat of one changes nothing.
        let late = notification("e-1", minute: 1)
        try await db.write { db throws in
            #expect(try InboxStore.insert(late, receivedAtMilliseconds: nil, db))
            #expect(try InboxStore.insert(third, receivedAtMilliseconds: nil, db) == false)
        }
        #expect(try await db.read { try InboxStore.arrivals(for: ["officer:PO-1"], after: position, limit: 10, $0) }.map(\.notification) == [late])
        let byOccurrence = try await db.read {
            try InboxStore.page(for: ["officer:PO-1"], after: (EventCodec.formatInstant(third.occurredAt), third.id), limit: 10, $0)
        }
        #expect(byOccurrence.isEmpty, "the occurrence order (the inbox's pages) has it before the last page: why the push channels follow arrivals")

        // The newest row removed (a sealing order): the next one still gets a number above it.
        let newest = try #require(try await db.read { try InboxStore.arrivals(for: ["officer:PO-1"], after: position, limit: 10, $0) }.last?.arrival)
        let next = notification("e-4", minute: 4)
        try await db.write { db in
            _ = try db.execute("DELETE FROM inbox WHERE arrival = $1", [.integer(newest)])
            _ = try InboxStore.insert(next, receivedAtMilliseconds: nil, db)
        }
        let after = try await db.read { try InboxStore.arrivals(for: ["officer:PO-1"], after: newest, limit: 10, $0) }
        #expect(after.map(\.notification) == [next])
    }

    static func pagesNewestFirst(_ database: any StorageDatabase) async throws {
        let db = database
        _ = try await db.write { try StorageMigrator.migrate(InboxStore.migrations + EscalationStore.migrations, in: $0) }
        func notification(_ source: String, minute: Double) -> BusNotification {
            var notification = Fixtures.notification(.officer("PO-1"), source: source)
            notification.occurredAt = Date(timeIntervalSince1970: 1_750_000_000 + minute * 60)
            return notification
        }
        // Two at the same minute: the id breaks the tie. Stored out of order; another's last.
        let mine = [notification("e-1", minute: 1), notification("e-3", minute: 3), notification("e-2", minute: 2),
                    notification("e-5", minute: 5), notification("e-4", minute: 3)]
        let other = Fixtures.notification(.officer("PO-2"), source: "e-9")
        #expect(try await db.read { try InboxStore.latestArrival(for: ["officer:PO-1"], $0) } == nil)
        try await db.write { db in
            for stored in mine + [other] { _ = try InboxStore.insert(stored, receivedAtMilliseconds: nil, db) }
        }
        let expected = mine.sorted { (EventCodec.formatInstant($0.occurredAt), $0.id) > (EventCodec.formatInstant($1.occurredAt), $1.id) }
        var read: [BusNotification] = []
        var before: (occurredAt: String, id: String)?
        repeat {
            let page = try await db.read { [before] in try InboxStore.pageNewestFirst(for: ["officer:PO-1"], before: before, limit: 2, $0) }
            read += page.map(\.notification)
            before = page.count == 2 ? page.last.map { ($0.occurredAt, $0.notification.id) } : nil
        } while before != nil
        #expect(read.map(\.id) == expected.map(\.id))
        #expect(read.first?.sourceEventId == "e-5")

        let arrivals = try await db.read { try InboxStore.arrivals(for: ["officer:PO-1"], after: nil, limit: 10, $0) }
        #expect(try await db.read { try InboxStore.latestArrival(for: ["officer:PO-1"], $0) } == arrivals.last?.arrival)
        #expect(try await db.read { try InboxStore.latestArrival(for: ["officer:PO-3"], $0) } == nil)

        // Only accepted acknowledgements, by notification.
        try await db.write { db in
            for (ack, id, status) in [("a-1", mine[0].id, "accepted"), ("a-2", mine[1].id, "pending"), ("a-3", mine[0].id, "accepted")] {
                _ = try db.execute(
                    "INSERT INTO inbox_acks (ack_id, notification_id, by_recipient, acknowledged_at, note, status) VALUES ($1, $2, $3, $4, NULL, $5)",
                    [.text(ack), .text(id), .text("officer:PO-1"), .text("2025-06-15T1\(ack.last!):00:00Z"), .text(status)])
            }
        }
        let acks = try await db.read { try EscalationStore.acceptedAcknowledgements(of: mine.map(\.id), $0) }
        #expect(acks.keys.sorted() == [mine[0].id])
        #expect(acks[mine[0].id]?.map(\.at) == ["2025-06-15T11:00:00Z", "2025-06-15T13:00:00Z"])
    }
}
