import Contracts
import Foundation
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
public struct InboxProjection: EventProjection {
    /// Court orders sealing or expunging a person's records.
    public static let sealingTopic = SealingOrder.topic

    public let name = "inbox"
    public let topics: [String]
    let verifyingKeys: [NotificationSigningKey]
    let onStored: @Sendable (BusNotification) -> Void

    /// - Parameters:
    ///   - verifyingKeys: the keys the producing services sign with (more than one while a
    ///     key is being replaced). With none, every notification is rejected.
    public init(
        topic: String = NotificationOutbox.topic, verifyingKeys: [NotificationSigningKey],
        onStored: @escaping @Sendable (BusNotification) -> Void = { _ in }
    ) {
        topics = [topic, Self.sealingTopic]
        self.verifyingKeys = verifyingKeys
        self.onStored = onStored
    }

    public var migrations: [StorageMigration] {
        InboxStore.migrations
    }

    /// Sealing orders are read in full by every instance: an instance holds the notifications
    /// of its recipients' partitions, whichever partition an order is on.
    public var referenceTopics: [String] { [Self.sealingTopic] }

    public func handles(eventType: String) -> Bool {
        eventType == BusNotification.eventType || SealingOrder.eventTypes.contains(eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        // Sealing orders go to `seal(_:in:)`; nothing else of records.sealing is a notification.
        guard event.eventType == BusNotification.eventType else { return }
        try store(event, headers: event.headers, in: transaction)
    }

    /// Removes the notifications about the order's person (see `InboxStore.remove(covering:_:)`).
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        try InboxStore.remove(covering: order, transaction.storage)
    }

    /// Verifies and stores one notification.
    func store(_ event: AdmittedEvent, headers: [KafkaHeader], in transaction: ProjectionTransaction) throws {
        let notification = try admit(event.value, eventId: event.eventId, headers: headers)
        // The key is not signed: checked here too, whether or not admission checked it.
        guard event.key == notification.recipient.description else {
            throw PoisonMessage(reason: "the message key differs from the notification's recipient")
        }
        if try InboxStore.insert(notification, body: event.value, receivedAtMilliseconds: event.timestampMilliseconds, transaction.storage) {
            let onStored = self.onStored
            transaction.afterCommit { onStored(notification) }
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
