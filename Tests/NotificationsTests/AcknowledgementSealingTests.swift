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
}
