import Contracts
import Foundation
import Storage
import Notifications
import ServiceKit
import Subscriptions

/// The router: keeps the supervision cases (reference state from `supervision.cases`: officer,
/// registered address, household) and the explicit subscriptions (`bus.subscriptions`), and
/// sends the notifications that follow from other agencies' events through its rule families
/// (`ruleSets`, each a `RouterRuleSet` with its own topics, tables and rules), signing what it
/// sends.
///
/// Rule `supervisee-arrested` (`SuperviseeArrestedRules`): an arrest (from `police.arrests`) goes
/// to the supervising officer of every case of the arrested person — matched on state ID or FBI
/// number — that covers the day of the arrest: the case's start date ≤ the arrest's day (UTC) ≤
/// its end date, if it has ended. (A case without an officer sends it to the supervising agency.)
///
/// The outcome does not depend on the order in which the topics are read: facts are kept, and a
/// case that arrives after a fact it covers sends the notification then. An arrest *before* a
/// case's start date never notifies — not when it arrives, not when the case arrives later. Ids
/// are derived from the source event, rule, scope and recipient, so each event notifies each
/// recipient at most once, whichever event completed the match.
///
/// Kept facts and sent notifications are forgotten once their topic can no longer redeliver the
/// event (`arrestRetention` for arrests, measured by the events' Kafka timestamps), once per batch
/// (`forget(before:limit:in:)`); a read never returns a fact already due.
///
/// Sealing orders (`records.sealing`, `seal(_:in:)`) remove the person's cases, subscriptions,
/// every family's facts and the notifications sent about them (all records), or the listed
/// supervision cases and the notifications routed for them (listed cases).
public struct RouterProjection: EventProjection {
    public static let rule = SuperviseeArrested.rule
    public static let casesTopic = "supervision.cases"
    public static let arrestsTopic = SuperviseeArrestedRules.arrestsTopic
    /// Court orders sealing or expunging a person's records.
    public static let sealingTopic = SealingOrder.topic
    /// The retention of `police.arrests` in its contract (`Topics/police.arrests.yaml`).
    public static let defaultArrestRetention = RetentionWindow.days(365)
    /// Explicit subscriptions (`bus.subscriptions`), read in full by every instance.
    public static let subscriptionsTopic = SubscriptionStore.topic

    public let name = "router"
    /// How long arrests and the notifications about them are remembered.
    public let arrestRetention: RetentionWindow
    let signingKey: NotificationSigningKey
    /// The rule families, in the order each event is handed to them.
    let ruleSets: [any RouterRuleSet]

    /// - Parameters:
    ///   - signingKey: signs every notification sent (from configuration).
    ///   - arrestRetention: the arrests topic's retention.
    public init(signingKey: NotificationSigningKey, arrestRetention: RetentionWindow = Self.defaultArrestRetention) {
        self.signingKey = signingKey
        self.arrestRetention = arrestRetention
        ruleSets = [
            SuperviseeArrestedRules(arrestRetention: arrestRetention),
            LinkedArrestRules(arrestRetention: arrestRetention),
            PoliceEventRules(),
            ReleaseRules(), BulletinRules(), SubscriptionExpiryRules(),
            ResidentRules(), IssuedWarrantRules(),
        ]
    }

    /// The router's own topics, then each family's, each once.
    public var topics: [String] {
        var topics = [Self.casesTopic, Self.sealingTopic, Self.subscriptionsTopic]
        for topic in ruleSets.flatMap(\.topics) where !topics.contains(topic) { topics.append(topic) }
        return topics
    }

    /// Sealing orders and subscriptions are read in full by every instance (each keeps the cases
    /// of its own partitions, which need not be the order's; a subscription may concern any of
    /// them), and so is whatever a family reads in full.
    public var referenceTopics: [String] {
        var topics = [Self.sealingTopic, Self.subscriptionsTopic]
        for topic in ruleSets.flatMap(\.referenceTopics) where !topics.contains(topic) { topics.append(topic) }
        return topics
    }

    public var migrations: [StorageMigration] {
        RouterStore.migrations + SubscriptionStore.migrations + ruleSets.flatMap(\.migrations)
    }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, AddressChanged.eventType: true
        default:
            SealingOrder.eventTypes.contains(eventType) || SubscriptionStore.handles(eventType: eventType)
                || ruleSets.contains { $0.handles(eventType: eventType) }
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let store = RouterStore(transaction.storage)
        switch event.eventType {
        case _ where SubscriptionStore.handles(eventType: event.eventType):
            try SubscriptionStore(transaction.storage).apply(event)
        case CaseStarted.eventType:
            try store.saveCase(try event.decode(CaseStarted.self))
        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            guard try store.endCase(ended.payload.caseId, on: ended.payload.endDate) else {
                return try store.keepEarly(event, caseId: ended.payload.caseId, subject: ended.subject)
            }
        case OfficerAssigned.eventType:
            let assigned = try event.decode(OfficerAssigned.self)
            try store.assignOfficer(assigned.payload.officer, to: assigned.payload.caseId,
                                    effectiveMilliseconds: assigned.occurredAt.milliseconds, eventId: event.eventId)
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            guard try store.changeAddress(changed.payload, eventId: event.eventId) else {
                return try store.keepEarly(event, caseId: changed.payload.caseId, subject: changed.subject)
            }
        default:
            break
        }
        let context = RouterContext(transaction: transaction, signingKey: signingKey)
        for ruleSet in ruleSets where ruleSet.handles(eventType: event.eventType) {
            try ruleSet.apply(event, in: context)
        }
        if event.eventType == CaseStarted.eventType {
            // An end or an address change read before this start (`RouterStore+EarlyCaseEvents`).
            for early in try store.takeEarlyEvents(of: try event.decode(CaseStarted.self).payload.caseId) {
                try apply(early, in: transaction)
            }
        }
    }

    /// Removes what a sealing order covers (both kinds alike), whatever its time: what the
    /// router holds when it reads the order.
    ///
    /// - `all_records`: every supervision case (`router_cases`) and kept arrest
    ///   (`router_arrests`) of the person, matched on state ID or FBI number, every fact a rule
    ///   family keeps about the person, the person's subscriptions, and every notification sent
    ///   about the person (`notifications_sent`, by the digest of the state IDs of the order and
    ///   of the removed rows).
    /// - `listed_cases`: the person's cases whose id is listed, and the notifications routed for
    ///   them (``BusNotification/isRouted(forScope:)``: an arrest notification is routed for the
    ///   case it matched). Arrests belong to no case and stay; so do the notifications the same
    ///   arrests caused for the person's other cases.
    ///
    /// An order naming one number alone is applied again with the other number each of the
    /// router's rows pairs with it (``SealingOrder/completions(stateIds:fbiNumbers:)``, one
    /// step): an order naming the FBI number alone (`records.sealing` version 2) reaches the
    /// arrests, warrants and facts the rule families keep under the state ID alone, and the
    /// reverse.
    ///
    /// An event about the person that occurred before the order and is read after it is not
    /// applied (the runtime checks its subject, and the case id of case events): no removed case
    /// comes back to match an arrest, nor an arrest to match a case.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = RouterStore(transaction.storage)
        let releases = ReleaseStore(transaction.storage)
        let bulletins = try BulletinStore(transaction.storage).numbers(of: order)
        return try order.applying(
            pairedStateIds: try store.stateIds(of: order).union(try releases.stateIds(of: order)).union(bulletins.stateIds),
            pairedFbiNumbers: try store.fbiNumbers(of: order).union(try releases.fbiNumbers(of: order)).union(bulletins.fbiNumbers)
        ) { order in try sealOnce(order, in: transaction) }
    }

    /// ``seal(_:in:)`` for the order's own numbers.
    private func sealOnce(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = RouterStore(transaction.storage)
        let stateIds = try store.stateIds(of: order)
        let context = RouterContext(transaction: transaction, signingKey: signingKey)
        var tally = SealingTally()
        for ruleSet in ruleSets { tally.merge(try ruleSet.seal(order, in: context)) }
        switch order.scope {
        case .allRecords: tally.merge(try store.removePerson(order))
        case .listedCases: tally.merge(try store.removeListedCases(order))
        }
        tally.merge(try NotificationOutbox.removeSent(
            covering: order, personStateIds: stateIds.union(tally.pairedStateIds), personFbiNumbers: tally.pairedFbiNumbers,
            derivesFromListedCases: { notification in order.caseNumbers.contains(where: notification.isRouted(forScope:)) },
            transaction.storage))
        tally.merge(try SubscriptionStore(transaction.storage).seal(order))
        for stateId in stateIds where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        return tally
    }

    /// A contact notification still in the outbox when an order for all the records of the
    /// person police met is applied: rewritten without them, as the inbox would keep it, and
    /// signed again (`NotificationMention.withdrawing(_:fromQueued:signedWith:)`); nil (removed)
    /// when it cannot be.
    public func withdrawingMentions(of digests: Set<String>, from message: OutgoingMessage) throws -> OutgoingMessage? {
        NotificationMention.withdrawing(digests, fromQueued: message, signedWith: signingKey)
    }

    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        let context = RouterContext(transaction: transaction, signingKey: signingKey)
        for ruleSet in ruleSets { try ruleSet.forget(before: now, limit: limit, in: context) }
        try NotificationOutbox.forget(before: now, limit: limit, transaction.storage)
    }
}
