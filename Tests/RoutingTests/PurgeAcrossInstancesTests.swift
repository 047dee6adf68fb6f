import Contracts
import Foundation
import Kafka
import Notifications
import ServiceKit
import TestSupport
import Testing

@testable import Routing

/// `investigation-closed-purge` with more than one router instance. Investigations are a
/// reference topic (every instance reads them in full) while the cases are partitioned by the
/// person's state ID: an investigation naming two supervisees of one officer whose cases sit on
/// different partitions is sent to that officer by two instances, each keeping the receipt of its
/// own notice. At the closure each instance asks the officer to purge what it sent; the inbox
/// keeps one notification per id, so those requests must not share an id unless they list the
/// same notifications (as a subscriber's do: every instance sends a subscriber the same notice).
@Suite struct PurgeAcrossInstancesTests {
    let key = NotificationSigningKey.random()

    private func router() async throws -> ProjectionHarness {
        try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
    }

    private func on(_ topic: String, _ event: EventEnvelope<some EventPayload>) throws -> AdmittedEvent {
        try Events.admitted(event, topic: topic)
    }

    /// `messages` delivered to `inbox` as `bus.notifications` carries them (signed, keyed by
    /// recipient), in order.
    private func deliver(_ messages: [OutgoingMessage], to inbox: ProjectionHarness) async throws {
        for (offset, message) in messages.enumerated() {
            let notification = try BusNotification.decode(message.value)
            try await inbox.apply(AdmittedEvent(
                topicPartition: TopicPartition(topic: NotificationOutbox.topic, partition: 0), offset: KafkaOffset(Int64(offset)),
                key: message.key, eventType: BusNotification.eventType, schemaVersion: 1, eventId: notification.id, value: message.value,
                timestampMilliseconds: Events.nowMilliseconds, headers: message.headers))
        }
    }

    private static let brooks = "officer:PP-KC-118"
    private static let taskForce = "unit:MO-KCPD-VCU"
    private static let purgeRule = "investigation-closed-purge"

    /// The ids the purge requests `recipient` holds ask it to purge.
    private static func purged(by held: [BusNotification], for recipient: String) -> Set<String> {
        Set(held.filter { $0.recipient.description == recipient && $0.reason.rule == purgeRule }.flatMap { purge in
            purge.facts.first { $0.label == "purge" }?.value.components(separatedBy: ", ") ?? []
        })
    }

    /// Instance A holds Reyes's case, instance B Hill's, both supervised by Brooks; the task
    /// force subscribes to Reyes on a Part 23 basis (every instance reads subscriptions). One
    /// routine investigation names both, then closes. Whichever instance's messages the inbox
    /// reads first, Brooks's inbox asks to purge both notices, and the task force's one.
    @Test(arguments: [false, true])
    func everyNoticeOfAnInvestigationIsAskedToBePurgedWhicheverInstanceSentIt(_ instanceBFirst: Bool) async throws {
        let a = try await router(), b = try await router()
        try await a.apply(on(RouterProjection.casesTopic, Events.caseStarted()))
        try await b.apply(on(RouterProjection.casesTopic, Events.caseStarted(Events.hill, caseId: "CASE-2", officer: Events.brooks, id: "case-hill")))
        let opened = try on(PoliceEventRules.investigationsTopic, Events.investigationOpened(.routine, persons: [Events.reyesInvolved, Events.hillInvolved]))
        let closed = try on(PoliceEventRules.investigationsTopic, Events.investigationClosed())
        let subscription = try on(RouterProjection.subscriptionsTopic, Events.subscription(kinds: [.investigations]))
        var sentBy: [[OutgoingMessage]] = [[], []]
        for (index, instance) in [a, b].enumerated() {
            sentBy[index] += try await instance.apply(subscription)
            sentBy[index] += try await instance.apply(opened)
            sentBy[index] += try await instance.apply(closed)
        }
        let inbox = try await ProjectionHarness.onCurrentDatabase(InboxProjection(verifyingKeys: [key], signingKey: key))
        try await deliver(instanceBFirst ? sentBy[1] + sentBy[0] : sentBy[0] + sentBy[1], to: inbox)
        let held = try await inbox.write { db, _ in try InboxStore.all(db) }

        let told = held.filter { $0.reason.rule != Self.purgeRule }
        #expect(Set(told.map { "\($0.recipient) \($0.reason.rule)" }) == [
            "\(Self.brooks) investigation-named-supervisee", "\(Self.taskForce) subscription-investigations",
        ])
        let toBrooks = Set(told.filter { $0.recipient.description == Self.brooks }.map(\.id))
        #expect(toBrooks.count == 2, "one notice a case, from each instance")
        #expect(Self.purged(by: held, for: Self.brooks) == toBrooks)
        let toTaskForce = Set(told.filter { $0.recipient.description == Self.taskForce }.map(\.id))
        #expect(toTaskForce.count == 1, "the same notice from each instance")
        #expect(Self.purged(by: held, for: Self.taskForce) == toTaskForce)
        // The task force's two requests list the same notice: one request, as before.
        #expect(held.filter { $0.recipient.description == Self.taskForce && $0.reason.rule == Self.purgeRule }.count == 1)
    }

    /// One instance alone: one request a recipient, as the rule says, and the same id when the
    /// closure is read again by a replay of the same events.
    @Test func oneInstanceSendsOneRequestARecipientWithTheSameIdInAReplay() async throws {
        var ids: [[String]] = []
        for _ in 0..<2 {
            let router = try await router()
            try await router.apply(on(RouterProjection.casesTopic, Events.caseStarted()))
            try await router.apply(on(RouterProjection.casesTopic, Events.caseStarted(Events.hill, caseId: "CASE-2", officer: Events.brooks, id: "case-hill")))
            try await router.apply(on(PoliceEventRules.investigationsTopic, Events.investigationOpened(.routine, persons: [Events.reyesInvolved, Events.hillInvolved])))
            let purges = try await router.apply(on(PoliceEventRules.investigationsTopic, Events.investigationClosed())).map { try BusNotification.decode($0.value) }
            #expect(purges.map(\.recipient.description) == [Self.brooks])
            #expect(purges.first?.facts.first { $0.label == "purge" }?.value.components(separatedBy: ", ").count == 2)
            ids.append(purges.map(\.id))
        }
        #expect(ids[0] == ids[1])
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct PurgeAcrossInstancesPostgresTests {
    @Test func everyNoticeOfAnInvestigationIsAskedToBePurgedWhicheverInstanceSentIt() async throws {
        try await PurgeAcrossInstancesTests().everyNoticeOfAnInvestigationIsAskedToBePurgedWhicheverInstanceSentIt(false)
    }
}
