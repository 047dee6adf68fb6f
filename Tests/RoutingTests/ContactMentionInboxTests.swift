import TestSupport
import Contracts
import Foundation
import Kafka
import Notifications
import ServiceKit
import Testing

@testable import Routing

/// The router's contact notification naming the person police met (Marcus, Reyes's household
/// member, with his state ID), read by the inbox; then an order for Marcus applied by both:
/// neither database names him anywhere afterwards, and Reyes's officer keeps the notice.
@Suite struct ContactMentionInboxTests {
    let key = NotificationSigningKey.random()

    static let marcus = InvolvedPerson(stateId: "MO5550001", name: PersonName(given: "Marcus", family: "Reyes"), dateOfBirth: CalendarDate("1999-03-04"))
    static let marcusTexts = ["MO5550001", "Marcus", "1999-03-04", SealingDigest.stateId("MO5550001")]

    private func on(_ topic: String, _ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent {
        try Events.admitted(event, topic: topic)
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
        let sent = try await router.apply(on(PoliceEventRules.contactsTopic,
            Events.contact(.householdMember, met: Self.marcus, atResidence: true, id: "contact-household")))
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
        let late = try await router.apply(on(PoliceEventRules.contactsTopic,
            Events.contact(.householdMember, met: Self.marcus, atResidence: true, id: "contact-household-late")))
        let lateNotification = try #require(try late.map { try BusNotification.decode($0.value) }.first)
        #expect(lateNotification.facts.first { $0.label == "met" }?.value == kept.first?.facts.first { $0.label == "met" }?.value)
        try await inbox.apply(try Self.delivered(late[0]))
        #expect(try await tablesNaming(Self.marcusTexts, inbox).isEmpty)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ContactMentionInboxPostgresTests {
    @Test func personMet() async throws { try await ContactMentionInboxTests().anOrderForThePersonMetTakesThemOutOfTheNotificationInTheInbox() }
}
