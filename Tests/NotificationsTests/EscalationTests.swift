import Contracts
import Directory
import Foundation
import Kafka
import ServiceKit
import Storage
import TestSupport
import Testing
import Timers

@testable import Notifications

/// Acknowledgement and escalation in the inbox, at the projection's level: what each tick,
/// acknowledgement and directory entry leads the inbox to send (its outbox), on SQLite here and
/// on PostgreSQL below.
@Suite struct EscalationTests {
    static let key = NotificationSigningKey.random()
    /// When the original notification was routed (its Kafka timestamp).
    static let routedAt: Int64 = 1_749_999_960_000  // the start of a minute
    static let agency = "MO-DOC-PP"

    static func urgent(agency: String? = EscalationTests.agency, priority: NotificationPriority = .urgent, source: String = "e-urgent") -> BusNotification {
        BusNotification(
            recipient: .officer("PP-KC-118"), priority: priority, summary: "Darnell Reyes (MO1234567) was released without notice",
            reason: NotificationReason(rule: "unscheduled-release", explanation: "You supervise this person.", matched: [MatchedIdentifier("stateId", "MO1234567")]),
            facts: [], occurredAt: Date(timeIntervalSince1970: 1_750_000_000), subjectStateId: "MO1234567", sourceEventId: source,
            sourceEventType: "custody.release.completed", recipientAgencyId: agency)
    }

    static func notificationEvent(_ notification: BusNotification, at milliseconds: Int64 = routedAt, offset: Int64 = 0) throws -> AdmittedEvent {
        let value = try notification.encoded()
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: NotificationOutbox.topic, partition: 0), offset: KafkaOffset(offset),
            key: notification.recipient.description, eventType: BusNotification.eventType, schemaVersion: 1,
            eventId: notification.id, value: value, timestampMilliseconds: milliseconds,
            headers: NotificationSignature.headers(signing: value, with: key))
    }

    static func tick(minutesAfterRouting minutes: Int) -> AdmittedEvent {
        let tick = TimerTick(minuteOf: Date(timeIntervalSince1970: Double(routedAt) / 1000 + Double(minutes) * 60))
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: TimerTick.topic, partition: 0), offset: KafkaOffset(Int64(minutes)),
            key: TimerTick.minuteClock, eventType: TimerTick.eventType, schemaVersion: 1, eventId: tick.id, value: tick.encoded(),
            timestampMilliseconds: tick.atMilliseconds)
    }

    static func ack(_ notificationId: String, by: Recipient, minutesAfterRouting minutes: Int = 5) -> AdmittedEvent {
        let ack = NotificationAcknowledgement(
            notificationId: notificationId, by: by, at: Date(timeIntervalSince1970: Double(routedAt) / 1000 + Double(minutes) * 60),
            note: "On it")
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: NotificationAcknowledgement.topic, partition: 0), offset: KafkaOffset(0),
            key: ack.notificationId, eventType: NotificationAcknowledgement.eventType, schemaVersion: 1, eventId: ack.id,
            value: ack.encoded(), timestampMilliseconds: routedAt + Int64(minutes) * 60_000)
    }

    static func described(_ agencyId: String, escalation: AgencyEscalation?) throws -> AdmittedEvent {
        let entry = AgencyDescribed(
            agencyId: agencyId, kind: .communitySupervision, name: "Probation and Parole",
            jurisdiction: AgencyJurisdiction(state: "MO", statewide: true), dutyContact: DutyContact(phone: "+1 573 555 0199"),
            escalation: escalation)
        let event = EventEnvelope(
            occurredAt: Date(timeIntervalSince1970: 1_749_000_000), recordedAt: Date(timeIntervalSince1970: 1_749_000_000),
            source: SourceAgency(agencyId: agencyId, agencyKind: .communitySupervision), subject: nil, payload: entry)
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: DirectoryStore.topic, partition: 0), offset: KafkaOffset(0), key: agencyId,
            eventType: AgencyDescribed.eventType, schemaVersion: 1, eventId: event.eventId.uuidString.lowercased(),
            value: try EventCodec.encode(event), timestampMilliseconds: routedAt - 3_600_000)
    }

    func harness() async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [Self.key], signingKey: Self.key))
    }

    static let validator = Result { EventValidator(catalog: try TopicCatalog.embedded()) }

    /// The notifications among `messages`, each checked to be signed, addressed as the inbox
    /// expects and valid under the bus.notifications contract.
    func escalations(_ messages: [OutgoingMessage]) throws -> [BusNotification] {
        try messages.map { message in
            #expect(message.topic == NotificationOutbox.topic)
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [Self.key])
            var headers: [String: String] = [:]
            for header in message.headers { headers[header.key] = header.stringValue }
            _ = try Self.validator.get().validateMessage(
                topic: message.topic, key: Array(message.key.utf8), value: message.value, headers: headers)
            let notification = try BusNotification.decode(message.value)
            #expect(message.key == notification.recipient.description)
            return notification
        }
    }

    func expectedId(_ original: BusNotification, _ step: Escalation.Step, agency: String = EscalationTests.agency) -> String {
        BusNotification.id(sourceEventId: original.id, rule: Escalation.rule, scope: "escalation-step-\(step.rawValue)",
                           recipient: step.recipient(agencyId: agency))
    }

    @Test func anUnacknowledgedUrgentNotificationGoesToTheDutyDeskAtFifteenMinutesThenToTheSupervisorsAtThirty() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 14)).isEmpty)
        let first = try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 15)))
        #expect(first.map(\.recipient) == [.duty(Self.agency)])
        #expect(first.map(\.id) == [expectedId(original, .dutyDesk)])
        #expect(first.first?.priority == .urgent && first.first?.reason.rule == "urgent-unacknowledged")
        #expect(first.first?.sourceEventId == original.id)
        #expect(first.first?.facts.contains(NotificationFact("Unacknowledged for", "15 minutes")) == true)
        #expect(first.first?.facts.contains(NotificationFact("Duty desk phone", "+1 573 555 0199")) == false,
                "no directory entry was read: no contact")
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 29)).isEmpty)
        let second = try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 31)))
        #expect(second.map(\.recipient) == [.role("supervisor", of: Self.agency)])
        #expect(second.map(\.id) == [expectedId(original, .supervisor)])
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 60)).isEmpty, "the chain ends with the supervisors")
        #expect(try await inbox.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "done")
    }

    /// What the warrant resolver sends when the person index undoes the link a notice rested on.
    static func retraction(of original: BusNotification, to recipient: Recipient) -> BusNotification {
        BusNotification(
            recipient: recipient, priority: .high, summary: "Retraction: the earlier notice concerned a different person",
            reason: NotificationReason(
                rule: "warrant-check-retracted", explanation: "Disregard notification \(original.id).",
                matched: [MatchedIdentifier("notification", original.id)]),
            facts: [NotificationFact("retracts", original.id)], occurredAt: Date(timeIntervalSince1970: 1_750_000_100),
            subjectStateId: "MO1234567", sourceEventId: "e-unlinked", sourceEventType: "bus.identity.unlinked", recipientAgencyId: Self.agency)
    }

    /// A notice already escalated to the duty desk, then retracted to its recipient: the duty
    /// desk is told too (it was asked to act on it), and the supervisors are never asked.
    @Test func aRetractionOfAnEscalatedNoticeReachesTheDutyDeskToo() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let first = try #require(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 16))).first)
        try await inbox.apply(try Self.notificationEvent(first, at: Self.routedAt + 16 * 60_000, offset: 1))
        let retraction = Self.retraction(of: original, to: original.recipient)
        let forwarded = try escalations(try await inbox.apply(try Self.notificationEvent(retraction, at: Self.routedAt + 20 * 60_000, offset: 2)))
        #expect(forwarded.map(\.recipient) == [.duty(Self.agency)])
        #expect(forwarded.first?.reason.rule == Escalation.retractionForwardedRule)
        #expect(Escalation.retracted(by: try #require(forwarded.first)) == [first.id])
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty, "the supervisors are not asked")
    }

    @Test func eachAgencysDelaysAndDutyContactAreUsed() async throws {
        let inbox = try await harness()
        try await inbox.apply(try Self.described(Self.agency, escalation: AgencyEscalation(dutyDeskAfterMinutes: 5, supervisorAfterMinutes: 10)))
        try await inbox.apply(try Self.described("MO-OTHER", escalation: nil))
        let fast = Self.urgent()
        let standard = Self.urgent(agency: "MO-OTHER", source: "e-other")
        try await inbox.apply(try Self.notificationEvent(fast))
        try await inbox.apply(try Self.notificationEvent(standard, offset: 1))
        let atFive = try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 5)))
        #expect(atFive.map(\.recipient) == [.duty(Self.agency)])
        #expect(atFive.first?.facts.contains(NotificationFact("Duty desk phone", "+1 573 555 0199")) == true)
        #expect(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 10))).map(\.recipient) == [.role("supervisor", of: Self.agency)])
        #expect(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 15))).map(\.recipient) == [.duty("MO-OTHER")],
                "an entry without escalation settings takes the standard 15 minutes")
    }

    @Test func aTickAfterBothDelaysSendsBothStepsAtOnce() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let both = try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 45)))
        #expect(both.map(\.id) == [expectedId(original, .dutyDesk), expectedId(original, .supervisor)])
    }

    @Test func anAcknowledgementBeforeTheTickStopsTheEscalation() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        try await inbox.apply(Self.ack(original.id, by: original.recipient))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty)
        let entries = try await inbox.write { storage, _ in try InboxEntry.entries(for: original.recipient.description, storage) }
        #expect(entries.first?.acknowledgements.map(\.by) == ["officer:PP-KC-118"])
        #expect(entries.first?.statusLines.first?.hasPrefix("    acknowledged by officer:PP-KC-118 at ") == true)
    }

    @Test func anAcknowledgementThatArrivesBeforeItsNotificationCountsWhenTheNotificationArrives() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(Self.ack(original.id, by: original.recipient))
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty)
    }

    @Test func anAcknowledgementOfTheEscalationStopsTheNextStep() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let first = try #require(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 16))).first)
        // The escalation comes back on bus.notifications, and the duty desk acknowledges it.
        try await inbox.apply(try Self.notificationEvent(first, at: Self.routedAt + 16 * 60_000, offset: 1))
        try await inbox.apply(Self.ack(first.id, by: .duty(Self.agency), minutesAfterRouting: 20))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 31)).isEmpty)
        let entries = try await inbox.write { storage, _ in try InboxEntry.entries(for: original.recipient.description, storage) }
        #expect(entries.first?.escalatedTo == ["duty:\(Self.agency)"])
        #expect(try await inbox.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "acknowledged")
    }

    @Test func theDutyDeskMayAcknowledgeTheOriginalOnceEscalatedToIt() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        _ = try await inbox.apply(Self.tick(minutesAfterRouting: 16))
        try await inbox.apply(Self.ack(original.id, by: .duty(Self.agency), minutesAfterRouting: 20))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 31)).isEmpty)
    }

    @Test func duplicateTicksAndAcknowledgementsChangeNothing() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 15)).count == 1)
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 15)).isEmpty, "the same tick again")
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 16)).isEmpty, "a later tick before the next step")
        #expect(try await inbox.count("notifications_sent") == 1)
        try await inbox.apply(Self.ack(original.id, by: original.recipient, minutesAfterRouting: 17))
        try await inbox.apply(Self.ack(original.id, by: original.recipient, minutesAfterRouting: 17))
        #expect(try await inbox.count("inbox_acks") == 1)
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 31)).isEmpty)
        #expect(try await inbox.count("notifications_sent") == 1)
    }

    /// Ticks and acknowledgements travel on separate topics: an acknowledgement made at minute
    /// 5 may be read after the tick of minute 31. The escalations it would have prevented went
    /// out; each recipient is then told no one needs to act, so the outcome does not hang on the
    /// order the topics were read in. One made between the steps stands down only the later.
    @Test func anAcknowledgementMadeBeforeAnEscalationButReadAfterItStandsTheEscalationDown() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 31))).count == 2)
        let standDowns = try escalations(try await inbox.apply(Self.ack(original.id, by: original.recipient, minutesAfterRouting: 5)))
        #expect(standDowns.map(\.recipient) == [.duty(Self.agency), .role("supervisor", of: Self.agency)])
        #expect(standDowns.allSatisfy { $0.reason.rule == Escalation.standDownRule && $0.priority == .routine })
        #expect(standDowns.map(\.sourceEventId) == [expectedId(original, .dutyDesk), expectedId(original, .supervisor)])
        #expect(standDowns.first?.summary.hasPrefix("No action needed") == true)
        #expect(try await inbox.apply(Self.ack(original.id, by: original.recipient, minutesAfterRouting: 5)).isEmpty, "the same again: nothing")

        let between = try await harness()
        let second = Self.urgent(source: "e-between")
        try await between.apply(try Self.notificationEvent(second))
        _ = try await between.apply(Self.tick(minutesAfterRouting: 16))
        _ = try await between.apply(Self.tick(minutesAfterRouting: 31))
        let later = try escalations(try await between.apply(Self.ack(second.id, by: second.recipient, minutesAfterRouting: 20)))
        #expect(later.map(\.recipient) == [.role("supervisor", of: Self.agency)], "the duty desk's escalation (minute 16) came before it")
    }

    /// The duty desk's escalation of `original`, as the inbox sends it at minute 16.
    func dutyEscalation(of original: BusNotification) -> BusNotification {
        Escalation.notification(
            for: original, agencyId: Self.agency, step: .dutyDesk, routedAtMilliseconds: Self.routedAt,
            tickAt: Date(timeIntervalSince1970: Double(Self.routedAt) / 1000 + 16 * 60), dutyContact: nil)
    }

    /// A replay reads `bus.notification-acks` (a reference topic) first: the duty desk's
    /// acknowledgement of its escalation waits for the escalation. Live, it stopped the chain;
    /// in the replay the supervisors were told anyway, whether the escalation came back before
    /// its original or a tick came first.
    @Test func anAcknowledgementOfTheEscalationReadFirstStopsTheChainInAReplayToo() async throws {
        let original = Self.urgent()
        let escalation = dutyEscalation(of: original)
        let returned = try await harness()
        try await returned.apply(Self.ack(escalation.id, by: .duty(Self.agency), minutesAfterRouting: 20))
        try await returned.apply(try Self.notificationEvent(escalation, at: Self.routedAt + 16 * 60_000, offset: 1))
        try await returned.apply(try Self.notificationEvent(original))
        #expect(try await returned.apply(Self.tick(minutesAfterRouting: 31)).isEmpty)
        #expect(try await returned.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "acknowledged")

        let tickedFirst = try await harness()
        try await tickedFirst.apply(Self.ack(escalation.id, by: .duty(Self.agency), minutesAfterRouting: 20))
        try await tickedFirst.apply(try Self.notificationEvent(original))
        let sent = try escalations(try await tickedFirst.apply(Self.tick(minutesAfterRouting: 31)))
        #expect(sent.map(\.id) == [escalation.id], "the duty desk's step again (the same id), and not the supervisors'")
        #expect(try await tickedFirst.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "acknowledged")
    }

    /// The duty desk acknowledged its escalation at minute 20, but the inbox read it after the
    /// tick of minute 31 had sent the supervisors theirs: they are told no one needs to act, as
    /// when the original's own acknowledgement is read late.
    @Test func anAcknowledgementOfTheEscalationReadLateStandsTheSupervisorsDown() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let first = try #require(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 16))).first)
        try await inbox.apply(try Self.notificationEvent(first, at: Self.routedAt + 16 * 60_000, offset: 1))
        #expect(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 31))).map(\.recipient) == [.role("supervisor", of: Self.agency)])
        let standDowns = try escalations(try await inbox.apply(Self.ack(first.id, by: .duty(Self.agency), minutesAfterRouting: 20)))
        #expect(standDowns.map(\.recipient) == [.role("supervisor", of: Self.agency)])
        #expect(standDowns.map(\.sourceEventId) == [expectedId(original, .supervisor)])
        #expect(standDowns.first?.reason.rule == Escalation.standDownRule)
    }

    /// A retraction (the person index undid the link the notice rested on) tells its recipient
    /// to disregard the notice: nobody is escalated to about it any more. Another recipient's
    /// retraction naming it does not stop it.
    @Test func aRetractedUrgentNoticeEscalatesNoFurther() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        func retraction(to recipient: Recipient) -> BusNotification { Self.retraction(of: original, to: recipient) }
        try await inbox.apply(try Self.notificationEvent(original))
        try await inbox.apply(try Self.notificationEvent(retraction(to: .officer("PP-KC-999")), offset: 1))
        #expect(try await inbox.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "open")
        try await inbox.apply(try Self.notificationEvent(retraction(to: original.recipient), offset: 2))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty)
        #expect(try await inbox.write { storage, _ in try EscalationStore.chain(original.id, storage)?.state } == "done")
    }

    /// An agency entry may set the supervisors' delay below the duty desk's (the contract
    /// bounds each, not their order): the chain ended at its last step, so the duty desk was
    /// never asked. The supervisors are asked with it instead.
    @Test func theDutyDeskIsAskedEvenWhenTheSupervisorsDelayIsShorter() async throws {
        let inbox = try await harness()
        try await inbox.apply(try Self.described(Self.agency, escalation: AgencyEscalation(dutyDeskAfterMinutes: 20, supervisorAfterMinutes: 10)))
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 10)).isEmpty)
        #expect(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 20))).map(\.recipient)
            == [.duty(Self.agency), .role("supervisor", of: Self.agency)])
    }

    @Test func anAcknowledgementBySomeoneElseIsRefusedWithTheReason() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let refused = await #expect(throws: PoisonMessage.self) {
            try await inbox.apply(Self.ack(original.id, by: .officer("PP-KC-999")))
        }
        #expect(refused?.reason == "bus.notification.acknowledged: $.by is neither the notification's recipient nor a recipient of one of its escalations")
        #expect(try await inbox.count("inbox_acks") == 0)
        // Before the escalation, the duty desk is not entitled either.
        await #expect(throws: PoisonMessage.self) { try await inbox.apply(Self.ack(original.id, by: .duty(Self.agency))) }
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 15)).count == 1, "a refused acknowledgement stops nothing")
    }

    @Test func aLongSummaryIsCutSoThatTheEscalationKeepsToItsContract() async throws {
        let inbox = try await harness()
        var original = Self.urgent()
        original.summary = String(repeating: "é", count: 8_000)
        try await inbox.apply(try Self.notificationEvent(original))
        let escalation = try #require(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 15))).first)
        #expect(escalation.summary.unicodeScalars.count == 8_000)
        #expect(escalation.summary.hasPrefix("Unacknowledged for 15 minutes: ééé"))
    }

    @Test func anUrgentNotificationWithoutAnAgencyEscalatesToNobody() async throws {
        let inbox = try await harness()
        let original = Self.urgent(agency: nil)
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty)
        #expect(try await inbox.count("inbox_escalations") == 0)
    }

    @Test func highNotificationsAskForAnAcknowledgementButDoNotEscalate() async throws {
        let inbox = try await harness()
        let original = Self.urgent(priority: .high)
        try await inbox.apply(try Self.notificationEvent(original))
        #expect(try await inbox.apply(Self.tick(minutesAfterRouting: 45)).isEmpty)
        let entries = try await inbox.write { storage, _ in try InboxEntry.entries(for: original.recipient.description, storage) }
        #expect(entries.first?.asksForAcknowledgement == true)
        #expect(entries.first?.statusLines == ["    awaiting acknowledgement (reentrybus ack \(original.id) --by officer:PP-KC-118)"])
    }

    @Test func theEscalationsThemselvesDoNotEscalate() async throws {
        let inbox = try await harness()
        let original = Self.urgent()
        try await inbox.apply(try Self.notificationEvent(original))
        let first = try #require(try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 15))).first)
        try await inbox.apply(try Self.notificationEvent(first, at: Self.routedAt + 15 * 60_000, offset: 1))
        let later = try escalations(try await inbox.apply(Self.tick(minutesAfterRouting: 60)))
        #expect(later.map(\.id) == [expectedId(original, .supervisor)], "only the original's chain goes on")
    }
}

/// The same on PostgreSQL (a fresh database per test in the shared cluster); skipped, saying
/// why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct EscalationPostgresTests {
    @Test func anUnacknowledgedUrgentNotificationGoesToTheDutyDeskAtFifteenMinutesThenToTheSupervisorsAtThirty() async throws {
        try await EscalationTests().anUnacknowledgedUrgentNotificationGoesToTheDutyDeskAtFifteenMinutesThenToTheSupervisorsAtThirty()
    }
    @Test func eachAgencysDelaysAndDutyContactAreUsed() async throws { try await EscalationTests().eachAgencysDelaysAndDutyContactAreUsed() }
    @Test func anAcknowledgementMadeBeforeAnEscalationButReadAfterItStandsTheEscalationDown() async throws {
        try await EscalationTests().anAcknowledgementMadeBeforeAnEscalationButReadAfterItStandsTheEscalationDown()
    }
    @Test func aTickAfterBothDelaysSendsBothStepsAtOnce() async throws { try await EscalationTests().aTickAfterBothDelaysSendsBothStepsAtOnce() }
    @Test func anAcknowledgementBeforeTheTickStopsTheEscalation() async throws {
        try await EscalationTests().anAcknowledgementBeforeTheTickStopsTheEscalation()
    }
    @Test func anAcknowledgementThatArrivesBeforeItsNotificationCountsWhenTheNotificationArrives() async throws {
        try await EscalationTests().anAcknowledgementThatArrivesBeforeItsNotificationCountsWhenTheNotificationArrives()
    }
    @Test func anAcknowledgementOfTheEscalationStopsTheNextStep() async throws {
        try await EscalationTests().anAcknowledgementOfTheEscalationStopsTheNextStep()
    }
    @Test func theDutyDeskMayAcknowledgeTheOriginalOnceEscalatedToIt() async throws {
        try await EscalationTests().theDutyDeskMayAcknowledgeTheOriginalOnceEscalatedToIt()
    }
    @Test func duplicateTicksAndAcknowledgementsChangeNothing() async throws {
        try await EscalationTests().duplicateTicksAndAcknowledgementsChangeNothing()
    }
    @Test func anAcknowledgementBySomeoneElseIsRefusedWithTheReason() async throws {
        try await EscalationTests().anAcknowledgementBySomeoneElseIsRefusedWithTheReason()
    }
    @Test func aLongSummaryIsCutSoThatTheEscalationKeepsToItsContract() async throws {
        try await EscalationTests().aLongSummaryIsCutSoThatTheEscalationKeepsToItsContract()
    }
    @Test func anUrgentNotificationWithoutAnAgencyEscalatesToNobody() async throws {
        try await EscalationTests().anUrgentNotificationWithoutAnAgencyEscalatesToNobody()
    }
    @Test func theEscalationsThemselvesDoNotEscalate() async throws { try await EscalationTests().theEscalationsThemselvesDoNotEscalate() }
    @Test func anAcknowledgementOfTheEscalationReadFirstStopsTheChainInAReplayToo() async throws {
        try await EscalationTests().anAcknowledgementOfTheEscalationReadFirstStopsTheChainInAReplayToo()
    }
    @Test func anAcknowledgementOfTheEscalationReadLateStandsTheSupervisorsDown() async throws {
        try await EscalationTests().anAcknowledgementOfTheEscalationReadLateStandsTheSupervisorsDown()
    }
    @Test func aRetractedUrgentNoticeEscalatesNoFurther() async throws { try await EscalationTests().aRetractedUrgentNoticeEscalatesNoFurther() }
    @Test func aRetractionOfAnEscalatedNoticeReachesTheDutyDeskToo() async throws {
        try await EscalationTests().aRetractionOfAnEscalatedNoticeReachesTheDutyDeskToo()
    }
    @Test func theDutyDeskIsAskedEvenWhenTheSupervisorsDelayIsShorter() async throws {
        try await EscalationTests().theDutyDeskIsAskedEvenWhenTheSupervisorsDelayIsShorter()
    }
}
