import Contracts
import Directory
import Foundation
import Timers
import Storage
import Kafka
import ServiceKit

/// The inbox read model: every notification from `bus.notifications` whose signature verifies,
/// once per id, queryable by recipient (`InboxStore`). `onStored` sees each newly stored
/// notification after its commit (`dev` prints them).
///
/// A notification is admitted only if its `notification-key-id` and `notification-signature`
/// headers sign its exact bytes with one of `verifyingKeys` (`NotificationSignature`), its JSON
/// decodes, its id equals the `event-id` header and its recipient the message key. Anything else is a `PoisonMessage`: it
/// goes to the dead-letter topic, never into an inbox, so whoever can write to the topic
/// without a service's key cannot write into anyone's inbox.
///
/// It reads `records.sealing` too: a sealing order removes the notifications about its person
/// (`InboxStore.remove(covering:_:)`, which says what a listed-case order removes); the runtime
/// then keeps out notifications about the person that occurred before the order and arrive
/// later.
///
/// Acknowledgement and escalation (`EscalationStore`): it reads `bus.notification-acks`,
/// `bus.timers` and `reference.agencies` as reference topics (in full on every instance). It
/// records who acknowledged what; at each tick, an URGENT notification unacknowledged for its
/// agency's delays after it was routed (its Kafka timestamp) is escalated to the agency's duty
/// desk, then its supervisors: a new notification signed with `signingKey` and sent through
/// the outbox, which comes back to the inbox like any other. No clock is read.
public struct InboxProjection: EventProjection {
    /// Court orders sealing or expunging a person's records.
    public static let sealingTopic = SealingOrder.topic
    /// How long an acknowledgement of a notification this inbox does not hold is kept pending
    /// (`EscalationStore`): the retention of `bus.notifications` (30 days), after which its
    /// notification, sent before it, can no longer arrive.
    public static let pendingAcknowledgementMemory = RetentionWindow.days(30)
    /// The counter of pending acknowledgements forgotten (their notification never came, or a
    /// sealing order had removed it).
    public static let forgottenAcknowledgementsMetric = "reentrybus_acknowledgements_forgotten_total"

    /// The counter of notifications that arrived naming, besides their subject, a person an
    /// order had sealed (`outcome`: `rewritten` without them, or `not-stored`).
    public static let withdrawnMentionsMetric = "reentrybus_inbox_mentions_withdrawn_total"

    public let name = "inbox"
    public let topics: [String]
    let verifyingKeys: [NotificationSigningKey]
    let signingKey: NotificationSigningKey
    let validator: EventValidator?
    let onStored: @Sendable (BusNotification) -> Void

    /// - Parameters:
    ///   - verifyingKeys: the keys the producing services sign with (more than one while a
    ///     key is being replaced). With none, every notification is rejected.
    ///   - signingKey: what the inbox signs its escalations with (the services' key).
    ///   - validator: checks the values of ticks, acknowledgements and directory entries
    ///     against their contracts (the runtime admits the inbox's messages by envelope only).
    public init(
        topic: String = NotificationOutbox.topic, verifyingKeys: [NotificationSigningKey], signingKey: NotificationSigningKey,
        validator: EventValidator? = nil, onStored: @escaping @Sendable (BusNotification) -> Void = { _ in }
    ) {
        topics = [topic, Self.sealingTopic, TimerTick.topic, NotificationAcknowledgement.topic, DirectoryStore.topic]
        self.verifyingKeys = verifyingKeys
        self.signingKey = signingKey
        self.validator = validator
        self.onStored = onStored
    }

    public var migrations: [StorageMigration] {
        InboxStore.migrations + DirectoryStore.migrations + NotificationOutbox.migrations + EscalationStore.migrations
    }

    /// Sealing orders, acknowledgements, ticks and the directory are read in full by every
    /// instance: an instance holds the notifications of its recipients' partitions, whichever
    /// partition an order or an acknowledgement is on, and escalates them at every tick.
    public var referenceTopics: [String] {
        [Self.sealingTopic, TimerTick.topic, NotificationAcknowledgement.topic, DirectoryStore.topic]
    }

    public func handles(eventType: String) -> Bool {
        eventType == BusNotification.eventType || SealingOrder.eventTypes.contains(eventType)
            || eventType == TimerTick.eventType || eventType == NotificationAcknowledgement.eventType
            || DirectoryStore.handles(eventType: eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        // Sealing orders go to `seal(_:in:)`.
        switch event.eventType {
        case BusNotification.eventType:
            try store(event, headers: event.headers, in: transaction)
        case TimerTick.eventType:
            try validate(event)
            try EscalationStore.escalate(at: try TimerTick.decode(event), signedWith: signingKey, in: transaction)
        case NotificationAcknowledgement.eventType:
            try validate(event)
            try EscalationStore.acknowledge(
                try NotificationAcknowledgement.decode(event), receivedAtMilliseconds: event.timestampMilliseconds, signedWith: signingKey,
                in: transaction)
        case _ where DirectoryStore.handles(eventType: event.eventType):
            try validate(event)
            try DirectoryStore(transaction.storage).apply(event)
        default:
            return
        }
    }

    /// The whole message against its topic's contract (a `PoisonMessage` naming the problem).
    private func validate(_ event: AdmittedEvent) throws(PoisonMessage) {
        guard let validator else { return }
        var headers: [String: String] = [:]
        for header in event.headers where headers[header.key] == nil { headers[header.key] = header.stringValue }
        do {
            _ = try validator.validateMessage(
                topic: event.topicPartition.topic, key: Array(event.key.utf8), value: event.value, headers: headers)
        } catch {
            throw PoisonMessage(reason: "invalid event: \(error.description)")
        }
    }

    /// Forgets the pending acknowledgements whose notification can no longer arrive, each counted.
    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        let forgotten = try EscalationStore.forgetPending(before: now, limit: limit, transaction.storage)
        for _ in 0..<forgotten { transaction.countOnCommit(Self.forgottenAcknowledgementsMetric, dimensions: []) }
    }

    /// Keeps each notification's arrival number across a replay (`InboxStore.carryArrivals`).
    public func carryAcrossReplay(from old: String, into new: String, _ transaction: any StorageTransaction) throws {
        try InboxStore.carryArrivals(from: old, into: new, transaction)
    }

    /// Removes the notifications about the order's person (see `InboxStore.remove(covering:_:)`),
    /// the escalations it sent about them, and their chains and acknowledgements.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        var tally = try InboxStore.remove(covering: order, transaction.storage)
        tally.merge(try NotificationOutbox.removeSent(covering: order, derivesFromListedCases: { escalation in
            order.caseNumbers.contains { escalation.isRouted(forScope: $0) }
        }, transaction.storage))
        tally.merge(try EscalationStore.removeOrphans(transaction.storage))
        return tally
    }

    /// Verifies and stores one notification.
    ///
    /// A notification naming, besides its subject, a person an order applied here covers (one
    /// that occurred before the order and arrives after it: it was still in its service's
    /// outbox, or a replay reads it late) is stored without them, as the order would have left
    /// it (`InboxStore.withdrawMentions`), or not at all when it cannot be rewritten safely
    /// (counted in ``withdrawnMentionsMetric``).
    func store(_ event: AdmittedEvent, headers: [KafkaHeader], in transaction: ProjectionTransaction) throws {
        var notification = try admit(event.value, eventId: event.eventId, headers: headers)
        // The key is not signed: checked here too, whether or not admission checked it.
        guard event.key == notification.recipient.description else {
            throw PoisonMessage(reason: "the message key differs from the notification's recipient")
        }
        var body = event.value
        let mentions = NotificationMention.mentions(in: notification.reason.matched)
        if !mentions.isEmpty, try SealingLedger(transaction.storage).hasOrders() {
            let ledger = SealingLedger(transaction.storage)
            let occurredAt = SealingOrder.milliseconds(notification.occurredAt)
            let covered = try mentions.filter { mention in
                try ledger.covers(personDigest: NotificationMention.digest(mention), occurredAtMilliseconds: occurredAt)
            }
            if !covered.isEmpty {
                guard let rewritten = ContactMention.withdrawing(covered, from: notification) else {
                    transaction.countOnCommit(Self.withdrawnMentionsMetric, dimensions: [(name: "outcome", value: "not-stored")])
                    return
                }
                transaction.countOnCommit(Self.withdrawnMentionsMetric, dimensions: [(name: "outcome", value: "rewritten")])
                notification = rewritten
                body = try rewritten.encoded()
            }
        }
        if try InboxStore.insert(notification, body: body, receivedAtMilliseconds: event.timestampMilliseconds, transaction.storage) {
            // Routed at its Kafka timestamp; a message without one (none on this broker) at
            // the time it occurred.
            let routedAt = event.timestampMilliseconds ?? Int64((notification.occurredAt.timeIntervalSince1970 * 1000).rounded())
            try EscalationStore.stored(notification, routedAtMilliseconds: routedAt, signedWith: signingKey, in: transaction)
            let onStored = self.onStored, stored = notification
            transaction.afterCommit { onStored(stored) }
        }
    }

    /// The inbox's rule: the notification in `value` if it is signed, well formed and carries
    /// the id of its `event-id` header; a `PoisonMessage` naming the problem otherwise.
    func admit(_ value: [UInt8], eventId: String, headers: [KafkaHeader]) throws(PoisonMessage) -> BusNotification {
        try NotificationSignature.verify(value, headers: headers, keys: verifyingKeys)
        let notification: BusNotification
        do { notification = try BusNotification.decode(value) } catch {
            throw PoisonMessage(reason: "not a notification: \(String(describing: type(of: error)))")
        }
        guard notification.id == eventId else { throw PoisonMessage(reason: "event-id header differs from the notification id") }
        return notification
    }
}
