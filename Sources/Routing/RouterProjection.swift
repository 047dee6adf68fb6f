import Contracts
import Foundation
import Storage
import Notifications
import ServiceKit
import Subscriptions

/// The router: keeps the supervision cases (reference state from `supervision.cases`) and
/// sends notifications that follow from other agencies' events. It ties together its store
/// (`RouterStore`, the only SQL), its rule (`SuperviseeArrested`, a plain function) and the
/// rule's wording (`ArrestNotification`), and signs what it sends.
///
/// Rule `supervisee-arrested`: an arrest (from `police.arrests`) goes to the supervising
/// officer of every case of the arrested person — matched on state ID or FBI number — that
/// covers the day of the arrest: the case's start date ≤ the arrest's day (UTC) ≤ its end date,
/// if it has ended. (A case without an officer sends it to the supervising agency.)
///
/// The outcome does not depend on the order in which the two topics are read: arrests are
/// kept, and a case that arrives after an arrest it covers sends the notification then. An
/// arrest *before* a case's start date never notifies — not when it arrives, not when the case
/// arrives later. Ids are derived from the arrest event, rule and officer, so each arrest
/// notifies each officer at most once, whichever event completed the match.
///
/// Kept arrests and sent notifications are forgotten once the arrests topic can no longer
/// redeliver their arrest (`arrestRetention`, measured by the events' Kafka timestamps), once
/// per batch (`forget(before:limit:in:)`); a read never returns an arrest already due.
///
/// Sealing orders (`records.sealing`, `seal(_:in:)`) remove the person's cases, kept arrests
/// and the notifications sent about them (all records), or the listed supervision cases and
/// the notifications routed for them (listed cases).
public struct RouterProjection: EventProjection {
    public static let rule = SuperviseeArrested.rule
    public static let casesTopic = "supervision.cases"
    public static let arrestsTopic = "police.arrests"
    /// Court orders sealing or expunging a person's records.
    public static let sealingTopic = SealingOrder.topic
    /// The retention of `police.arrests` in its contract (`Topics/police.arrests.yaml`).
    public static let defaultArrestRetention = RetentionWindow.days(365)

    public let name = "router"
    /// Explicit subscriptions (`bus.subscriptions`): kept in the router's database for the rules
    /// that route by them (issue 14); no rule reads them yet.
    public static let subscriptionsTopic = SubscriptionStore.topic
    public let topics = [Self.casesTopic, Self.arrestsTopic, Self.sealingTopic, Self.subscriptionsTopic]
    /// Sealing orders and subscriptions are read in full by every instance (each keeps the cases
    /// and arrests of its own partitions, which need not be the order's; a subscription may
    /// concern any of them).
    public let referenceTopics = [Self.sealingTopic, Self.subscriptionsTopic]
    /// How long arrests and the notifications about them are remembered.
    public let arrestRetention: RetentionWindow
    let signingKey: NotificationSigningKey

    /// - Parameters:
    ///   - signingKey: signs every notification sent (from configuration).
    ///   - arrestRetention: the arrests topic's retention.
    public init(signingKey: NotificationSigningKey, arrestRetention: RetentionWindow = Self.defaultArrestRetention) {
        self.signingKey = signingKey
        self.arrestRetention = arrestRetention
    }

    public var migrations: [StorageMigration] { RouterStore.migrations + SubscriptionStore.migrations }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, ArrestMade.eventType: true
        default: SealingOrder.eventTypes.contains(eventType) || SubscriptionStore.handles(eventType: eventType)
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let store = RouterStore(transaction.storage)
        let now = event.timestampMilliseconds
        if SubscriptionStore.handles(eventType: event.eventType) {
            return try SubscriptionStore(transaction.storage).apply(event)
        }
        switch event.eventType {
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            try store.saveCase(started)
            // Arrests already known that this case covers (each against every case of its person).
            for arrest in try store.arrests(matching: started.subject, nowMilliseconds: now) {
                try send(SuperviseeArrested.notifications(for: arrest.event, cases: try store.cases(matching: arrest.event.subject)),
                         forgetAfterMilliseconds: arrest.forgetAfterMilliseconds, transaction)
            }

        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            try store.endCase(ended.payload.caseId, on: ended.payload.endDate)

        case OfficerAssigned.eventType:
            let assigned = try event.decode(OfficerAssigned.self)
            try store.assignOfficer(assigned.payload.officer, to: assigned.payload.caseId)

        case ArrestMade.eventType:
            let arrest = try event.decode(ArrestMade.self)
            let forgetAfter = arrestRetention.forgetAfter(now)
            try store.recordArrest(arrest, eventId: event.eventId, value: event.value, forgetAfterMilliseconds: forgetAfter)
            try send(SuperviseeArrested.notifications(for: arrest, cases: try store.cases(matching: arrest.subject)),
                     forgetAfterMilliseconds: forgetAfter, transaction)

        default:
            return
        }
    }

    /// Removes what a sealing order covers (both kinds alike), whatever its time: what the
    /// router holds when it reads the order.
    ///
    /// - `all_records`: every supervision case (`router_cases`) and kept arrest
    ///   (`router_arrests`) of the person, matched on state ID or FBI number, and every
    ///   notification sent about the person (`notifications_sent`, by the digest of the state
    ///   IDs of the order and of the removed rows).
    /// - `listed_cases`: the person's cases whose id is listed, and the notifications routed for
    ///   them (``BusNotification/isRouted(forScope:)``: an arrest notification is routed for the
    ///   case it matched). Arrests belong to no case and stay; so do the notifications the same
    ///   arrests caused for the person's other cases.
    ///
    /// An arrest or case event about the person that occurred before the order and is read
    /// after it is not applied (the runtime checks its subject, and the case id of case events):
    /// no removed case comes back to match an arrest, nor an arrest to match a case.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = RouterStore(transaction.storage)
        let stateIds = try store.stateIds(of: order)
        var tally = switch order.scope {
        case .allRecords: try store.removePerson(order)
        case .listedCases: try store.removeListedCases(order)
        }
        tally.merge(try NotificationOutbox.removeSent(
            covering: order, personStateIds: stateIds,
            derivesFromListedCases: { notification in order.caseNumbers.contains(where: notification.isRouted(forScope:)) },
            transaction.storage))
        tally.merge(try SubscriptionStore(transaction.storage).seal(order))
        for stateId in stateIds where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        return tally
    }

    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        try RouterStore(transaction.storage).forgetArrests(before: now, limit: limit)
        try NotificationOutbox.forget(before: now, limit: limit, transaction.storage)
    }

    /// Signs and queues `notifications` (each id at most once).
    private func send(_ notifications: [BusNotification], forgetAfterMilliseconds: Int64?, _ transaction: ProjectionTransaction) throws {
        guard !notifications.isEmpty else { return }
        for notification in notifications {
            try NotificationOutbox.emit(notification, signedWith: signingKey, forgetAfterMilliseconds: forgetAfterMilliseconds, in: transaction)
        }
    }

}
