import Contracts
import Foundation
import Kafka
import ServiceKit
import Storage
import TestSupport
import Testing
import Timers

@testable import Notifications

/// Acknowledgements under a sealing order: a note may name the person ("called Darnell Reyes"),
/// so an acknowledgement of a notification the order removed goes with it, and one the inbox
/// cannot tie to a notification it holds (it was removed before the acknowledgement arrived, or
/// another instance holds it) is forgotten once its notification can no longer arrive.
@Suite struct AcknowledgementSealingTests {
    static let note = "called Darnell Reyes"
    static let day: Int64 = 86_400_000

    static func order() -> SealingOrder {
        SealingOrder(
            kind: .expunged, orderId: "ORDER-7", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-06-16")!,
            scope: .allRecords, caseNumbers: [], stateId: "MO1234567", fbiNumber: nil,
            orderedAtMilliseconds: EscalationTests.routedAt + 40 * 60_000, eventId: "5b1f0c2e-7a3d-8e4f-9a0b-1c2d3e4f5a6c")
    }

    /// An acknowledgement with the note, `milliseconds` after the original was routed.
    static func ack(_ notificationId: String, by: Recipient, afterRouting milliseconds: Int64) -> AdmittedEvent {
        let at = EscalationTests.routedAt + milliseconds
        let ack = NotificationAcknowledgement(
            notificationId: notificationId, by: by, at: Date(timeIntervalSince1970: Double(at) / 1000), note: note)
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: NotificationAcknowledgement.topic, partition: 0), offset: KafkaOffset(0),
            key: ack.notificationId, eventType: NotificationAcknowledgement.eventType, schemaVersion: 1, eventId: ack.id,
            value: ack.encoded(), timestampMilliseconds: at)
    }

    /// A tick `milliseconds` after the original was routed (the event clock moves with it).
    static func tick(afterRouting milliseconds: Int64) -> AdmittedEvent {
        let tick = TimerTick(minuteOf: Date(timeIntervalSince1970: Double(EscalationTests.routedAt + milliseconds) / 1000))
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(milliseconds / 60_000),
            key: TimerTick.minuteClock, eventType: TimerTick.eventType, schemaVersion: 1, eventId: tick.id, value: tick.encoded(),
            timestampMilliseconds: tick.atMilliseconds)
    }

    /// A notification like `EscalationTests.urgent()` about another person.
    static func aboutSomeoneElse(priority: NotificationPriority, source: String) -> BusNotification {
        var notification = EscalationTests.urgent(priority: priority, source: source)
        notification.subjectStateId = "MO7654321"
        return notification
    }

    func harness() async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [EscalationTests.key], signingKey: EscalationTests.key))
    }

    private func seal(_ inbox: ProjectionHarness) async throws -> SealingTally {
        let projection = inbox.projection
        return try await inbox.write { _, transaction in try projection.seal(Self.order(), in: transaction) }
    }

    /// The tables (the runtime's aside) that hold the note.
    private func tablesWithTheNote(_ inbox: ProjectionHarness) async throws -> Set<String> {
        try await inbox.write { db, _ in Set(try findOccurrences(of: [Self.note], in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    /// The scenario: N about the person, the order removes it, then the acknowledgement
    /// of N arrives. The inbox no longer holds N, so it keeps the acknowledgement pending (N
    /// might be on its way), but not past the retention of `bus.notifications`: then N can no
    /// longer arrive, and the note is forgotten (counted).
    @Test func anAcknowledgementArrivingAfterTheOrderIsForgottenOnceItsNotificationCanNoLongerArrive() async throws {
        let inbox = try await harness()
        let original = EscalationTests.urgent()
        try await inbox.apply(try EscalationTests.notificationEvent(original))
        #expect(try await seal(inbox).rowsByTable["inbox"] == 1)
        try await inbox.apply(Self.ack(original.id, by: original.recipient, afterRouting: 45 * 60_000))
        // What the window must not break: another notification's acknowledgement, read before
        // the notification (another partition, or a replay's order), is judged when it arrives.
        let later = Self.aboutSomeoneElse(priority: .high, source: "e-later")
        try await inbox.apply(Self.ack(later.id, by: later.recipient, afterRouting: 46 * 60_000))
        #expect(try await tablesWithTheNote(inbox) == ["inbox_acks"], "pending: the notification could still be redelivered")
        let window = InboxProjection.pendingAcknowledgementMemory.milliseconds
        #expect(window == 30 * Self.day, "bus.notifications' retention")
        try await inbox.apply(Self.tick(afterRouting: 45 * 60_000 + window - 60_000))
        #expect(try await inbox.count("inbox_acks") == 2, "not before the window has passed")
        try await inbox.apply(try EscalationTests.notificationEvent(later, at: EscalationTests.routedAt + window, offset: 1))
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: later.id, db).map(\.status) } == ["accepted"])

        let forgotten = try await inbox.applyCounting(Self.tick(afterRouting: 45 * 60_000 + window + 60_000))
        #expect(forgotten.counted == [InboxProjection.forgottenAcknowledgementsMetric])
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: original.id, db) }.isEmpty)
        // The accepted one is part of its notification's entry: not forgotten with time.
        try await inbox.apply(Self.tick(afterRouting: 90 * Self.day))
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: later.id, db).map(\.status) } == ["accepted"])
    }

    /// Acknowledgements stored pending before the order that the inbox ties to a notification
    /// the order removes: the supervisors' of the original, read before it (pending until the
    /// escalation reaches them), and another duty officer's of the escalation this instance
    /// sent (another instance judges it). Both go with the order, counted; another person's
    /// acknowledgement stays.
    @Test func pendingAcknowledgementsOfTheRemovedNotificationsGoWithTheOrder() async throws {
        let inbox = try await harness()
        let original = EscalationTests.urgent()
        try await inbox.apply(Self.ack(original.id, by: .role("supervisor", of: EscalationTests.agency), afterRouting: -60_000))
        try await inbox.apply(try EscalationTests.notificationEvent(original))
        let escalation = try #require(try await inbox.apply(EscalationTests.tick(minutesAfterRouting: 16)).first)
        let escalationId = try BusNotification.decode(escalation.value).id
        try await inbox.apply(Self.ack(escalationId, by: .officer("PP-KC-200"), afterRouting: 20 * 60_000))
        // Another person's urgent notification, acknowledged by its recipient.
        let other = Self.aboutSomeoneElse(priority: .urgent, source: "e-other")
        try await inbox.apply(try EscalationTests.notificationEvent(other, offset: 1))
        try await inbox.apply(EscalationTests.ack(other.id, by: other.recipient))
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: original.id, db).map(\.status) } == ["pending"])
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: escalationId, db).map(\.status) } == ["pending"])

        let tally = try await seal(inbox)
        #expect(tally.rowsByTable["inbox_acks"] == 2)
        #expect(try await tablesWithTheNote(inbox).isEmpty)
        #expect(try await inbox.write { db, _ in try EscalationStore.acknowledgements(of: other.id, db).map(\.status) } == ["accepted"])
    }

    /// escalation-v2 on acknowledgements stored before it: a pending one gets the time it is
    /// forgotten from when it was acknowledged (the retention of `bus.notifications` after it);
    /// a judged one gets none and stays with its notification. The forgetting pass then removes
    /// the pending one, with its note, once that time has passed, and nothing before.
    static func acknowledgementsStoredBeforeGetTheirForgetTime(_ db: any StorageDatabase) async throws {
        let steps = InboxProjection(verifyingKeys: [EscalationTests.key], signingKey: EscalationTests.key).migrations
        let before = Array(steps.prefix { $0.id != "escalation-v2" })
        #expect(before.count < steps.count)
        let acknowledgedAt = EscalationTests.routedAt + 45 * 60_000
        let rows: [(id: String, status: String, at: String)] = [
            ("ack-pending", "pending", EventCodec.formatInstant(Date(timeIntervalSince1970: Double(acknowledgedAt) / 1000))),
            ("ack-accepted", "accepted", EventCodec.formatInstant(Date(timeIntervalSince1970: Double(acknowledgedAt) / 1000))),
            ("ack-refused", "refused", EventCodec.formatInstant(Date(timeIntervalSince1970: Double(acknowledgedAt) / 1000))),
        ]
        try await db.write { db in
            try StorageMigrator.migrate(before, in: db)
            for row in rows {
                try db.execute(
                    """
                    INSERT INTO inbox_acks (ack_id, notification_id, by_recipient, acknowledged_at, note, status)
                    VALUES ($1, $2, 'officer:PP-KC-118', $3, $4, $5)
                    """,
                    [.text(row.id), .text("n-\(row.id)"), .text(row.at), .text(note), .text(row.status)])
            }
            try StorageMigrator.migrate(steps, in: db)
        }
        let window = InboxProjection.pendingAcknowledgementMemory.milliseconds
        let forgetTimes = try await db.read { db in
            Dictionary(uniqueKeysWithValues: try db.fetchAll("SELECT ack_id, forget_after_ms FROM inbox_acks").map { row in
                (try row.get("ack_id") as String, try row.get("forget_after_ms") as Int64?)
            })
        }
        #expect(forgetTimes == ["ack-pending": acknowledgedAt + window, "ack-accepted": nil, "ack-refused": nil])
        #expect(try await db.write { try EscalationStore.forgetPending(before: acknowledgedAt + window, limit: 100, $0) } == 0)
        #expect(try await db.write { try EscalationStore.forgetPending(before: acknowledgedAt + window + 1, limit: 100, $0) } == 1)
        let left = try await db.read { db in try db.fetchAll("SELECT ack_id FROM inbox_acks ORDER BY ack_id").map { try $0.get("ack_id") as String } }
        #expect(left == ["ack-accepted", "ack-refused"])
    }

    @Test func acknowledgementsStoredBeforeGetTheirForgetTimeOnSQLite() async throws {
        try await Self.acknowledgementsStoredBeforeGetTheirForgetTime(try SQLiteStorage.inMemory())
    }
}

/// The same on PostgreSQL (a fresh database per test in the shared cluster); skipped, saying
/// why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct AcknowledgementSealingPostgresTests {
    @Test func anAcknowledgementArrivingAfterTheOrderIsForgottenOnceItsNotificationCanNoLongerArrive() async throws {
        try await AcknowledgementSealingTests().anAcknowledgementArrivingAfterTheOrderIsForgottenOnceItsNotificationCanNoLongerArrive()
    }
    @Test func pendingAcknowledgementsOfTheRemovedNotificationsGoWithTheOrder() async throws {
        try await AcknowledgementSealingTests().pendingAcknowledgementsOfTheRemovedNotificationsGoWithTheOrder()
    }
    @Test func acknowledgementsStoredBeforeGetTheirForgetTime() async throws {
        try await onFreshPostgres(AcknowledgementSealingTests.acknowledgementsStoredBeforeGetTheirForgetTime)
    }
}
