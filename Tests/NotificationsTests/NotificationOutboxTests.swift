import TestSupport
import Contracts
import Foundation
import GRDB
import Storage
import Kafka
import Testing

@testable import Notifications
@testable import ServiceKit

/// A service that only sends notifications (no tables of its own).
private struct SenderProjection: EventProjection {
    let name = "sender"
    let topics: [String] = []
    var migrations: [StorageMigration] { NotificationOutbox.migrations }
    func handles(eventType: String) -> Bool { false }
    func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {}
}

@Suite struct NotificationOutboxTests {
    let key = NotificationSigningKey.random()

    @Test func emitsTheUnchangedBodySignedInHeadersOncePerId() async throws {
        let harness = try ProjectionHarness(SenderProjection())
        let notification = Fixtures.notification()
        let key = self.key
        let first = try await harness.write { _, transaction in
            try NotificationOutbox.emit(notification, signedWith: key, forgetAfterMilliseconds: 10, in: transaction)
        }
        let second = try await harness.write { _, transaction in
            try NotificationOutbox.emit(notification, signedWith: key, forgetAfterMilliseconds: 10, in: transaction)
        }
        #expect(first && !second)
        let outbox = try await harness.write { db, _ in try ServiceDatabase.outbox(db).map(\.message) }
        #expect(outbox.count == 1)
        let message = try #require(outbox.first)
        let body = try notification.encoded()
        #expect(message.value == body)
        #expect(message.key == "officer:PO-1")
        #expect(message.headers.first { $0.key == EventHeaders.eventId }?.stringValue == notification.id)
        try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
    }

    /// A list is queued in its order, each id once: an id sent by an earlier transaction, or
    /// met earlier in the list, is neither queued nor counted again; more notifications than one
    /// statement's rows (PostgreSQL writes them a chunk at a time) keep their order too.
    @Test func aListIsQueuedInItsOrderEachIdOnce() async throws {
        let harness = try await ProjectionHarness.onCurrentDatabase(SenderProjection())
        let key = self.key
        let officer: @Sendable (Int) -> BusNotification = { Fixtures.notification(.officer("PO-\($0)")) }
        let earlier = try await harness.write { _, transaction in
            try NotificationOutbox.emit([officer(1)], signedWith: key, forgetAfterMilliseconds: 10, in: transaction).map(\.id)
        }
        #expect(earlier == [officer(1).id])
        let list = [officer(2), officer(1), officer(3), officer(2), officer(4)] + (5..<605).map(officer) + [officer(3), officer(605)]
        let (queued, counted) = try await harness.write { _, transaction in
            let queued = try NotificationOutbox.emit(list, signedWith: key, forgetAfterMilliseconds: 10, in: transaction).map(\.id)
            return (queued, transaction.countedLabels.count)
        }
        let expected = ([2, 3, 4] + Array(5..<606)).map { officer($0).id }
        #expect(queued == expected)
        #expect(counted == expected.count)
        let outbox = try await harness.write { storage, _ in try ServiceDatabase.outbox(storage).map(\.message) }
        #expect(outbox.map { $0.headers.first { $0.key == EventHeaders.eventId }?.stringValue } == [officer(1).id] + expected)
        #expect(try await harness.count("notifications_sent") == 605)
        // The one-notification form says whether it queued.
        let again = try await harness.write { _, transaction in
            try NotificationOutbox.emit(officer(7), signedWith: key, forgetAfterMilliseconds: 10, in: transaction)
        }
        #expect(!again)
    }

    @Test func forgetsInBoundedStepsOnlyWhatIsDue() throws {
        let db = try DatabaseQueue()
        try db.migrate(NotificationOutbox.migrations)
        try db.write { db in
            for index in 0..<10 {
                try db.execute(sql: """
                    INSERT INTO notifications_sent (id, recipient, priority, rule, source_event_id, forget_after_ms)
                    VALUES (?, 'officer:PO-1', 'high', 'r', 'e', ?)
                    """, arguments: ["n-\(index)", index * 100])
            }
            // A row written before expiry times existed is kept.
            try db.execute(sql: "INSERT INTO notifications_sent (id, recipient, priority, rule, source_event_id) VALUES ('old', 'officer:PO-1', 'high', 'r', 'e')")
        }
        let steps = try db.write { db in (0..<3).map { _ in (try? NotificationOutbox.forget(before: 550, limit: 4, db.storage)) ?? -1 } }
        #expect(steps == [4, 2, 0])
        #expect(try db.read { try String.fetchAll($0, sql: "SELECT id FROM notifications_sent ORDER BY id") } == ["n-6", "n-7", "n-8", "n-9", "old"])
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM notifications_sent WHERE forget_after_ms IS NOT NULL") } == 4)
    }

    /// A database that kept the times in the side table of notifications-v3 keeps them, on
    /// the rows themselves, after notifications-v4; rows without a time stay without one.
    @Test func theTimesOfTheSideTableMoveOntoTheRows() throws {
        let db = try DatabaseQueue()
        try db.migrate(Array(NotificationOutbox.migrations.prefix { $0.id != "notifications-v4" }))
        try db.write { db in
            for id in ["a", "b", "old"] {
                try db.execute(sql: "INSERT INTO notifications_sent (id, recipient, priority, rule, source_event_id, body) VALUES (?, 'officer:PO-1', 'high', 'r', 'e', x'7b7d')",
                               arguments: [id])
            }
            try db.execute(sql: "INSERT INTO notifications_sent_expiry (id, forget_after_ms) VALUES ('a', 100), ('b', 900)")
        }
        try db.migrate(NotificationOutbox.migrations)
        let rows = try db.read { try Row.fetchAll($0, sql: "SELECT id, forget_after_ms FROM notifications_sent ORDER BY id") }
        #expect(rows.map { [$0["id"] as String, ($0["forget_after_ms"] as Int64?).map(String.init) ?? "nil"] } == [["a", "100"], ["b", "900"], ["old", "nil"]])
        #expect(try db.write { try NotificationOutbox.forget(before: 500, limit: 10, $0.storage) } == 1)
        #expect(try db.read { try String.fetchAll($0, sql: "SELECT id FROM notifications_sent ORDER BY id") } == ["b", "old"])
    }

    /// notifications-v6 on rows written before it: the records each notification derives from
    /// are read from its body, then the body is gone; a body that is not a notification leaves
    /// none. A listed-cases order then judges the rows by what was kept.
    @Test func sentRowsKeepWhatTheyDeriveFromAndLoseTheirBodies() throws {
        let db = try DatabaseQueue()
        try db.migrate(Array(NotificationOutbox.migrations.prefix { $0.id != "notifications-v6" }))
        var check = Fixtures.notification(.agency("MO-CIRCUIT7"), source: "e-2", summary: "Warrant W-1 blocks release R-1", scope: "R-1")
        check.reason.matched += [MatchedIdentifier("warrantId", "W-1"), MatchedIdentifier("detainerId", "D-1")]
        check.facts.append(NotificationFact("release", "R-1 from Jackson County Detention Center"))
        let arrest = Fixtures.notification()
        try db.write { db in
            for (id, body) in [(check.id, try check.encoded()), (arrest.id, try arrest.encoded()), ("garbled", Array("{}".utf8))] {
                try db.execute(
                    sql: "INSERT INTO notifications_sent (id, recipient, priority, rule, source_event_id, body, subject_digest) VALUES (?, 'agency:MO-CIRCUIT7', 'high', 'r', 'e-2', ?, ?)",
                    arguments: [id, Data(body), SealingDigest.stateId("MO1")])
            }
        }
        try db.migrate(NotificationOutbox.migrations)
        let columns = try db.read { try Row.fetchAll($0, sql: "PRAGMA table_info(notifications_sent)").map { $0["name"] as String } }
        #expect(!columns.contains("body") && columns.contains("derives_from"), "\(columns)")
        let sent = try db.read { try NotificationOutbox.sent($0.storage) }
        let derivations = Dictionary(uniqueKeysWithValues: sent.map { ($0.id, $0.derivesFrom) })
        #expect(derivations[check.id] == [
            MatchedIdentifier("warrantId", "W-1"), MatchedIdentifier("detainerId", "D-1"), MatchedIdentifier("release", "R-1"),
        ])
        #expect(derivations[arrest.id] == [], "a state ID is the person's, not a record the notice derives from")
        #expect(derivations["garbled"] == [])
        // An emitted notification keeps the same, and its text nowhere.
        #expect(SentNotification(check).derivesFrom == derivations[check.id])
        let removed = try db.write { db in
            try NotificationOutbox.removeSent(
                covering: NotificationSealingTests.order("MO1", cases: ["CR-1"]), derivesFromListedCases: { $0.derives(from: "warrantId", "W-1") }, db.storage)
        }
        #expect(removed.rowsByTable == ["notifications_sent": 1])
        #expect(try db.read { try String.fetchAll($0, sql: "SELECT id FROM notifications_sent ORDER BY id") } == [arrest.id, "garbled"].sorted())
    }

    @Test func retentionWindowsFollowTheContract() {
        #expect(RetentionWindow(.milliseconds(365 * 86_400_000)) == .days(365))
        #expect(RetentionWindow(TopicContract.Retention.milliseconds(86_400_000)) == .days(1))
        #expect(RetentionWindow(TopicContract.Retention.forever) == nil)
        #expect(RetentionWindow.days(2).forgetAfter(1_000) == Int64(172_801_000))
        #expect(RetentionWindow.days(2).forgetAfter(nil) == nil)
        #expect(RetentionWindow(.seconds(-5)).milliseconds == 0)
        #expect(RetentionWindow.days(365).description == "365d")
    }
}

/// The list form on PostgreSQL 15, where it writes a chunk a statement (a fresh database in the
/// suite's private cluster); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct NotificationOutboxPostgresTests {
    @Test func aListIsQueuedInItsOrderEachIdOnce() async throws { try await NotificationOutboxTests().aListIsQueuedInItsOrderEachIdOnce() }
}
