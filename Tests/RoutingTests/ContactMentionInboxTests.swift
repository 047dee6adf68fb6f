import TestSupport
import Contracts
import Foundation
import Kafka
import Notifications
import Testing

@testable import Routing
@testable import ServiceKit

/// The router's contact notification naming the person police met (Marcus, Reyes's household
/// member, with his state ID), read by the inbox; then an order for Marcus applied by both:
/// neither database names him anywhere afterwards, and Reyes's officer keeps the notice.
@Suite struct ContactMentionInboxTests {
    let key = NotificationSigningKey.random()

    static let marcusTexts = ["MO5550001", "Marcus", "1999-03-04", SealingDigest.stateId("MO5550001")]

    private func on(_ topic: String, _ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent {
        try Events.admitted(event, topic: topic)
    }

    private func contactWithMarcus(id: String) throws -> AdmittedEvent {
        try on(PoliceEventRules.contactsTopic, Events.contactWithMarcus(id: id))
    }

    /// A message the router queued, as the inbox reads it from `bus.notifications`.
    private static func delivered(_ message: OutgoingMessage) throws -> AdmittedEvent {
        let notification = try BusNotification.decode(message.value)
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: message.topic, partition: 0), offset: KafkaOffset(0), key: message.key,
            eventType: BusNotification.eventType, schemaVersion: 1, eventId: notification.id, value: message.value,
            timestampMilliseconds: Events.nowMilliseconds, headers: message.headers)
    }

    private func seal(_ harness: ProjectionHarness, _ order: SealingOrder) async throws -> SealingTally {
        let projection = harness.projection
        return try await harness.write { storage, transaction in
            let removed = try projection.seal(order, in: transaction)
            try SealingLedger(storage).record(order, removed: removed)
            return removed
        }
    }

    private func tablesNaming(_ texts: [String], _ harness: ProjectionHarness) async throws -> Set<String> {
        try await harness.write { db, _ in Set(try findOccurrences(of: texts, in: db).map(\.table).filter { !$0.hasPrefix("kit_") }) }
    }

    @Test func anOrderForThePersonMetTakesThemOutOfTheNotificationInTheInbox() async throws {
        let router = try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
        let inbox = try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
        try await router.apply(on(RouterProjection.casesTopic, Events.caseWithAddress()))
        let sent = try await router.apply(contactWithMarcus(id: "contact-household"))
        #expect(sent.count == 1)
        let notification = try BusNotification.decode(sent[0].value)
        // The router writes the digest of his state ID among what matched, not in the explanation.
        #expect(notification.reason.matched.contains(NotificationMention.mention(stateId: "MO5550001")))
        #expect(!notification.reason.explanation.contains(NotificationMention.identifier))
        // Least data: the officer is told whom police met, not that person's state ID.
        #expect(!String(decoding: try notification.encoded(), as: UTF8.self).contains("MO5550001"))
        #expect(notification.summary.contains("Marcus Reyes, household member of Darnell Reyes"))
        try await inbox.apply(try Self.delivered(sent[0]))
        #expect(try await tablesNaming(Self.marcusTexts, inbox) == ["inbox", "inbox_mentions"])

        let order = try Events.sealingOrder(SubjectIdentifiers(stateId: "MO5550001"), id: "order-met")
        #expect(try await seal(router, order).rowsByTable["police_facts.person_contacted"] == 1)
        let tally = try await seal(inbox, order)
        #expect(tally.rowsByTable == ["inbox.person_mentioned": 1, "inbox_mentions": 1])
        #expect(try await tablesNaming(Self.marcusTexts, router).isEmpty)
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)

        // Reyes's officer keeps the notice of the contact, under its id, without Marcus.
        let kept = try await inbox.write { db, _ in try InboxStore.all(db) }
        #expect(kept.map(\.id) == [notification.id])
        #expect(kept.first?.summary.hasPrefix("Police contact (domestic disturbance) with a household member (removed under a court order) of Darnell Reyes") == true)
        #expect(kept.first?.facts.first { $0.label == "met" }?.value == ContactMention.withdrawn(relation: .householdMember, subject: "Darnell Reyes (MO1234567)"))

        // A late copy of the contact, routed by the router without him (`PoliceEventRules`),
        // reads as the inbox's rewrite does.
        let late = try await router.apply(contactWithMarcus(id: "contact-household-late"))
        let lateNotification = try #require(try late.map { try BusNotification.decode($0.value) }.first)
        #expect(lateNotification.facts.first { $0.label == "met" }?.value == kept.first?.facts.first { $0.label == "met" }?.value)
        try await inbox.apply(try Self.delivered(late[0]))
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
    }

    /// Reyes's contact notifications naming Marcus still in the router's outbox when Marcus's
    /// order is applied, one waiting, one refused by the broker and kept aside: the runtime has
    /// the router rewrite both without him, in their places, signed again. Reyes's officer is
    /// still sent the notice, byte for byte what the inbox would have stored; neither the
    /// outbox nor `bus.notifications` names Marcus.
    @Test func aContactNotificationWaitingInTheOutboxGoesOutWithoutThePersonMet() async throws {
        let router = try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
        // (The case's start sends a notice of its own, which names Reyes alone and stays.)
        let others = try await router.apply(on(RouterProjection.casesTopic, Events.caseWithAddress()))
        var queued: [OutgoingMessage] = []
        for id in ["contact-household", "contact-household-refused"] {
            queued += try await router.apply(contactWithMarcus(id: id))
        }
        #expect(queued.count == 2)
        let mention = NotificationMention.mention(stateId: "MO5550001")
        let filed = try await router.write { db, _ in
            try db.fetchAll("SELECT mention_digests FROM kit_outbox ORDER BY seq").map { try $0.get("mention_digests", as: String?.self) }
        }
        #expect(filed == others.map { _ in nil } + [mention.value, mention.value])
        let waiting = try await router.database.read { try ServiceDatabase.outbox($0) }.suffix(2)
        #expect(waiting.map(\.message.value) == queued.map(\.value))
        try await router.database.moveToFailedOutbox([(waiting[waiting.endIndex - 1], "message too large")])

        let order = try Events.sealingOrder(SubjectIdentifiers(stateId: "MO5550001"), id: "order-met")
        let projection = router.projection
        let tally = try await router.write { storage, transaction in try SealingLedger(storage).apply(order, by: projection, in: transaction) }
        #expect(tally.rowsByTable["kit_outbox.person_mentioned"] == 1)
        #expect(tally.rowsByTable["kit_outbox_failed.person_mentioned"] == 1)
        #expect(tally.rowsByTable["kit_outbox"] == nil && tally.rowsByTable["kit_outbox_failed"] == nil)
        let naming = try await router.write { db, _ in try findOccurrences(of: Self.marcusTexts, in: db).map(\.table) }
        #expect(!naming.contains { $0.hasPrefix("kit_outbox") }, "\(naming)")

        let left = try await router.database.read { try ServiceDatabase.outbox($0) }
        let refused = try await router.database.failedOutbox()
        #expect(left.dropLast().map(\.message) == others)
        #expect(left.last?.seq == waiting.first?.seq)
        #expect(refused.map(\.seq) == [waiting[waiting.endIndex - 1].seq])
        let inbox = try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
        for (before, after) in zip(queued, left.suffix(1).map(\.message) + refused.map(\.message)) {
            let original = try BusNotification.decode(before.value)
            // What the inbox keeps of the original once the order reaches it, byte for byte.
            let expected = try #require(ContactMention.withdrawing([mention], from: original))
            #expect(after.value == (try expected.encoded()))
            #expect(after.topic == before.topic && after.key == before.key)
            #expect(after.headers.filter { $0.key != NotificationSignature.signatureHeader }
                == before.headers.filter { $0.key != NotificationSignature.signatureHeader })
            let text = String(decoding: after.value, as: UTF8.self)
            #expect(!Self.marcusTexts.contains { text.contains($0) })
            // Still Reyes's notification for his officer, signed: the inbox stores it as sent.
            let notification = try BusNotification.decode(after.value)
            #expect(notification.id == original.id && notification.recipient == original.recipient)
            #expect(notification.summary.hasPrefix("Police contact (domestic disturbance) with a household member (removed under a court order) of Darnell Reyes"))
            try await inbox.apply(try Self.delivered(after))
        }
        let stored = try await inbox.write { db, _ in
            try db.fetchAll("SELECT body FROM inbox ORDER BY id").map { try $0.get("body", as: [UInt8].self) }
        }
        #expect(Set(stored) == Set(try queued.map { try ContactMention.withdrawing([mention], from: BusNotification.decode($0.value))!.encoded() }))
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ContactMentionInboxPostgresTests {
    @Test func personMet() async throws { try await ContactMentionInboxTests().anOrderForThePersonMetTakesThemOutOfTheNotificationInTheInbox() }
    @Test func waitingInTheOutbox() async throws { try await ContactMentionInboxTests().aContactNotificationWaitingInTheOutboxGoesOutWithoutThePersonMet() }
}
