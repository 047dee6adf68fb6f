import Contracts
import Directory
import Foundation
import Notifications
import ServiceKit
import Storage
import Timers

/// The mental-health bulletin family (the brief's practice: baseline information and key
/// contacts for officers answering a crisis call, shared by supervision with consent).
///
/// - `mental-health-bulletin`: a bulletin published (`supervision.mental-health-bulletins`, read
///   in full: keyed by person with 6 partitions; version 2 names the person by the FBI number
///   when the state ID is not known) for a person with a supervision case held here
///   → the police agency of the case's registered address (agency directory; fallback address
///   `agency:police:<STATE>:<City>`), only while the consent is in force ("now" = the latest
///   tick, or the event's time when later; from `grantedOn` to the end of `expiresOn`, UTC) and
///   its scope includes that agency (`BulletinConsentScope`: only the agencies it names when it
///   names any, police in general otherwise, none when it holds a negation). A consent starting
///   later delivers on the first tick at or after its start; a case (or an address change) read
///   later delivers then.
/// - `mental-health-bulletin-withdrawn`: a withdrawal → every agency the bulletin was delivered
///   to; a tick past the `expiresOn` a delivery was sent under withdraws it likewise (reason
///   `consent_expired`). A bulletin replaced by another (a different bulletin id) is withdrawn
///   from every agency it reached (reason `superseded`); an agency the current bulletin no
///   longer goes to (its scope, its consent or the person's address moved) is told to delete it
///   (`no_longer_covered`), when the replacement, the address change or the case is read.
///
/// Health information goes nowhere else: not to subscribers (a subscription is no consent),
/// not to the supervising officer (who wrote it).
struct BulletinRules: RouterRuleSet {
    static let published = "mental-health-bulletin"
    static let withdrawn = "mental-health-bulletin-withdrawn"
    static let bulletinsTopic = "supervision.mental-health-bulletins"

    var topics: [String] { [Self.bulletinsTopic, DirectoryStore.topic, TimerTick.topic] }
    var referenceTopics: [String] { [Self.bulletinsTopic, DirectoryStore.topic, TimerTick.topic] }
    var migrations: [StorageMigration] { BulletinStore.migrations }

    func handles(eventType: String) -> Bool {
        [MentalHealthBulletinPublished.eventType, MentalHealthBulletinWithdrawn.eventType, TimerTick.eventType,
         CaseStarted.eventType, AddressChanged.eventType].contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = BulletinStore(context.storage)
        switch event.eventType {
        case MentalHealthBulletinPublished.eventType:
            let published = try event.decode(MentalHealthBulletinPublished.self)
            guard try store.publish(published, personKey: try personKey(published.subject, event)) else { return }
            try deliver(published.subject, now: try now(store, published.occurredAt), because: Cause(published), store, context)
        case MentalHealthBulletinWithdrawn.eventType:
            let withdrawal = try event.decode(MentalHealthBulletinWithdrawn.self)
            // Refused like a publication when it names no one: no bulletin is kept without a key.
            _ = try personKey(withdrawal.subject, event)
            try store.setStatus("withdrawn", of: withdrawal.subject, bulletinId: withdrawal.payload.bulletinId)
            try withdraw(
                bulletinId: withdrawal.payload.bulletinId, reason: withdrawal.payload.reason.rawValue, subject: withdrawal.subject,
                sourceEventId: withdrawal.eventId.uuidString.lowercased(), sourceEventType: withdrawal.eventType,
                occurredAt: withdrawal.occurredAt, store, context)
        case TimerTick.eventType:
            let tick = try TimerTick.decode(event)
            let last = try store.lastTick()
            guard last.map({ tick.atMilliseconds > $0 }) ?? true else { return }
            try store.recordTick(tick.atMilliseconds)
            for bulletin in try store.consentEnded(until: tick.atMilliseconds) {
                try store.setStatus("expired", of: bulletin.subject, bulletinId: bulletin.payload.bulletinId)
                try withdraw(
                    bulletinId: bulletin.payload.bulletinId, reason: BulletinWithdrawalReason.consentExpired.rawValue, subject: bulletin.subject,
                    sourceEventId: bulletin.eventId.uuidString.lowercased(), sourceEventType: bulletin.eventType,
                    occurredAt: ReleaseClock.date(BulletinConsentWindow.expiresAfter(bulletin.payload.consent)), store, context)
            }
            // What was delivered under a consent that has ended, whichever bulletin is current now.
            try withdrawEnded(until: tick.atMilliseconds, store, context)
            // What the version before `bulletins-v3` delivered of a bulletin it replaced.
            try withdrawReplacedBeforeV3(because: Cause(eventId: event.eventId, eventType: event.eventType, occurredAt: ReleaseClock.date(tick.atMilliseconds)), store, context)
            for bulletin in try store.consentStarting(after: last, until: tick.atMilliseconds) {
                try deliver(bulletin.subject, now: tick.atMilliseconds, because: Cause(bulletin), store, context)
            }
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            try deliver(started.subject, now: try now(store, started.occurredAt), because: Cause(started), store, context)
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            try deliver(changed.subject, now: try now(store, changed.occurredAt), because: Cause(changed), store, context)
        default:
            return
        }
    }

    /// The key the person's bulletin is kept under (`BulletinStore.personKey`).
    ///
    /// - Throws: `PoisonMessage` naming the fields when the subject names neither number (the
    ///   contract requires one; an event breaking it changes nothing).
    private func personKey(_ subject: SubjectIdentifiers?, _ event: AdmittedEvent) throws(PoisonMessage) -> String {
        guard let key = BulletinStore.personKey(subject) else {
            throw PoisonMessage(reason: "\(event.eventType): subject.stateId and subject.fbiNumber are both missing or say there is none (\"UNKNOWN\", zeros): a bulletin is kept by the person's state ID or FBI number")
        }
        return key
    }

    /// The latest tick, or `occurredAt` when later (no tick read yet).
    private func now(_ store: BulletinStore, _ occurredAt: Date) throws -> Int64 {
        max(try store.lastTick() ?? Int64.min, ReleaseClock.milliseconds(occurredAt))
    }

    /// The event that made the rules deliver again: the source of the withdrawals it causes.
    private struct Cause {
        var eventId: String
        var eventType: String
        var occurredAt: Date

        init(_ event: EventEnvelope<some EventPayload>) {
            self.init(eventId: event.eventId.uuidString.lowercased(), eventType: event.eventType, occurredAt: event.occurredAt)
        }

        init(eventId: String, eventType: String, occurredAt: Date) {
            self.eventId = eventId
            self.eventType = eventType
            self.occurredAt = occurredAt
        }
    }

    /// Why an agency that received a bulletin no longer holds it: a different bulletin now
    /// replaces it (`superseded`, whether or not the agency receives the new one), or the
    /// current bulletin no longer goes there (its consent ended, or its scope or the person's
    /// address no longer covers the agency: `no_longer_covered`).
    static let noLongerCovered = "no_longer_covered"

    /// Delivers the person's published bulletin, if its consent is in force at `now`, to the
    /// police of each case's registered address whom the scope includes; then withdraws, from
    /// every agency an earlier delivery reached, what the current bulletin no longer gives it.
    private func deliver(_ subject: SubjectIdentifiers?, now: Int64, because cause: Cause, _ store: BulletinStore, _ context: RouterContext) throws {
        let current = try store.published(of: subject)
        var reached: Set<String> = []
        if let bulletin = current {
            reached = try deliver(bulletin, now: now, store, context)
        }
        var withdrawals: [BusNotification] = []
        for delivery in try store.deliveries(toPerson: current?.subject ?? subject) {
            let reason: String
            if delivery.bulletinId != current?.payload.bulletinId {
                reason = BulletinWithdrawalReason.superseded.rawValue
            } else if reached.contains(delivery.recipient) {
                continue
            } else if let current, BulletinConsentWindow.expiresAfter(current.payload.consent) <= now {
                reason = BulletinWithdrawalReason.consentExpired.rawValue
            } else {
                reason = Self.noLongerCovered
            }
            guard let recipient = Recipient(delivery.recipient) else { continue }
            withdrawals.append(BulletinNotification.withdrawn(
                bulletinId: delivery.bulletinId, reason: reason, subject: current?.subject ?? subject ?? delivery.subject, to: recipient,
                sourceEventId: cause.eventId, sourceEventType: cause.eventType, occurredAt: cause.occurredAt))
            try store.removeDelivery(of: delivery.bulletinId, to: delivery.recipient)
        }
        try context.send(withdrawals, forgetAfterMilliseconds: nil)
    }

    /// Sends `bulletin` where it goes at `now`; returns those recipients (by description).
    private func deliver(
        _ bulletin: EventEnvelope<MentalHealthBulletinPublished>, now: Int64, _ store: BulletinStore, _ context: RouterContext
    ) throws -> Set<String> {
        guard BulletinConsentWindow.isInForce(bulletin.payload.consent, at: now) else { return [] }
        let day = Describe.day(ReleaseClock.date(now)).description
        let scope = bulletin.payload.consent.scope
        guard BulletinConsentScope.mayIncludePolice(scope) else { return [] }
        let directory = DirectoryStore(context.storage)
        let reading = BulletinConsentScope.read(scope, directory: try directory.all())
        var notifications: [BusNotification] = []
        var reached: Set<String> = []
        for supervision in try context.cases.cases(matching: bulletin.subject) where supervision.covers(day) {
            guard let address = supervision.address else { continue }
            let places = try PlaceAgencies(for: address, in: directory)
            let police = places.police(serving: address)
            let entry = places.entry(police)
            // One notice an agency, however many of the person's cases its place serves.
            guard reading.includes(agencyId: police.id, kind: entry?.kind), reached.insert(police.description).inserted else { continue }
            var notification = BulletinNotification.published(bulletin, to: police, supervision: supervision, address: address)
            // Withdrawn from this agency earlier (the person moved away) and due to it again: a
            // new notice, as the outbox keeps the first one's id until the consent ends; none
            // (and no delivery recorded) past the re-sends a sealing order follows.
            if try !store.isDelivered(bulletin.payload.bulletinId, to: police.description) {
                guard let again = try context.reissued(
                    notification, scope: bulletin.payload.bulletinId, isRetracted: { try NotificationOutbox.wasSent($0, context.storage) })
                else { continue }
                notification = again
            }
            notifications.append(notification)
            try store.recordDelivery(bulletin, recipient: police.description, recipientAgencyId: notification.recipientAgencyId)
        }
        try context.sendCountingMisses(notifications, forgetAfterMilliseconds: BulletinConsentWindow.expiresAfter(bulletin.payload.consent) + 86_400_000)
        return reached
    }

    /// Withdraws every delivery whose consent ended at or before `until` (reason
    /// `consent_expired`): judged from what was delivered, so a bulletin no longer current is
    /// withdrawn at its own consent's end too.
    private func withdrawEnded(until: Int64, _ store: BulletinStore, _ context: RouterContext) throws {
        var notifications: [BusNotification] = []
        for delivery in try store.deliveriesEnded(until: until) {
            guard let expiresAfter = delivery.expiresAfter, let recipient = Recipient(delivery.recipient) else { continue }
            notifications.append(BulletinNotification.withdrawn(
                bulletinId: delivery.bulletinId, reason: BulletinWithdrawalReason.consentExpired.rawValue, subject: delivery.subject, to: recipient,
                sourceEventId: delivery.eventId ?? "bulletin:\(delivery.bulletinId)", sourceEventType: MentalHealthBulletinPublished.eventType,
                occurredAt: ReleaseClock.date(expiresAfter)))
            try store.removeDelivery(of: delivery.bulletinId, to: delivery.recipient)
        }
        try context.send(notifications, forgetAfterMilliseconds: nil)
    }

    /// Withdraws every delivery with no consent's end (reason `superseded`): those the version
    /// before `bulletins-v3` recorded of a bulletin it had replaced by then without telling the
    /// agencies it reached (it overwrote the person's bulletin), which the step could give no
    /// end (it takes the current bulletin's). Nothing records a delivery without one since, so
    /// the first tick after the upgrade sends them all, once, and later ticks find none (an
    /// index lookup). The person's next publication, case or address change would withdraw
    /// them too, but may never come.
    private func withdrawReplacedBeforeV3(because cause: Cause, _ store: BulletinStore, _ context: RouterContext) throws {
        var notifications: [BusNotification] = []
        for delivery in try store.deliveriesWithoutConsentEnd() {
            guard let recipient = Recipient(delivery.recipient) else { continue }
            notifications.append(BulletinNotification.withdrawn(
                bulletinId: delivery.bulletinId, reason: BulletinWithdrawalReason.superseded.rawValue, subject: delivery.subject, to: recipient,
                sourceEventId: cause.eventId, sourceEventType: cause.eventType, occurredAt: cause.occurredAt))
            try store.removeDelivery(of: delivery.bulletinId, to: delivery.recipient)
        }
        try context.send(notifications, forgetAfterMilliseconds: nil)
    }

    /// Tells every agency the bulletin was delivered to that it is withdrawn, and forgets the deliveries.
    private func withdraw(
        bulletinId: String, reason: String, subject: SubjectIdentifiers?, sourceEventId: String, sourceEventType: String,
        occurredAt: Date, _ store: BulletinStore, _ context: RouterContext
    ) throws {
        let notifications = try store.deliveries(of: bulletinId).compactMap(Recipient.init).map { recipient in
            BulletinNotification.withdrawn(
                bulletinId: bulletinId, reason: reason, subject: subject, to: recipient,
                sourceEventId: sourceEventId, sourceEventType: sourceEventType, occurredAt: occurredAt)
        }
        try context.send(notifications, forgetAfterMilliseconds: nil)
        try store.removeDeliveries(of: bulletinId)
    }

    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        guard order.scope == .allRecords else { return SealingTally() }  // a bulletin belongs to no case
        return try BulletinStore(context.storage).removePerson(order, alsoStateIds: try context.cases.stateIds(of: order))
    }
}
