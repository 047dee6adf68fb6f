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
///   to; a tick past `expiresOn` withdraws it likewise (reason `consent_expired`).
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
            try deliver(published.subject, now: try now(store, published.occurredAt), store, context)
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
            for bulletin in try store.consentStarting(after: last, until: tick.atMilliseconds) {
                try deliver(bulletin.subject, now: tick.atMilliseconds, store, context)
            }
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            try deliver(started.subject, now: try now(store, started.occurredAt), store, context)
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            try deliver(changed.subject, now: try now(store, changed.occurredAt), store, context)
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
            throw PoisonMessage(reason: "\(event.eventType): subject.stateId and subject.fbiNumber are both missing: a bulletin is kept by the person's state ID or FBI number")
        }
        return key
    }

    /// The latest tick, or `occurredAt` when later (no tick read yet).
    private func now(_ store: BulletinStore, _ occurredAt: Date) throws -> Int64 {
        max(try store.lastTick() ?? Int64.min, ReleaseClock.milliseconds(occurredAt))
    }

    /// Delivers the person's published bulletin, if its consent is in force at `now`, to the
    /// police of each case's registered address whom the scope includes.
    private func deliver(_ subject: SubjectIdentifiers?, now: Int64, _ store: BulletinStore, _ context: RouterContext) throws {
        guard let bulletin = try store.published(of: subject), BulletinConsentWindow.isInForce(bulletin.payload.consent, at: now) else { return }
        let day = Describe.day(ReleaseClock.date(now)).description
        let scope = bulletin.payload.consent.scope
        guard BulletinConsentScope.mayIncludePolice(scope) else { return }
        let directory = DirectoryStore(context.storage)
        let reading = BulletinConsentScope.read(scope, directory: try directory.all())
        var notifications: [BusNotification] = []
        for supervision in try context.cases.cases(matching: bulletin.subject) where supervision.covers(day) {
            guard let address = supervision.address else { continue }
            let places = try PlaceAgencies(for: address, in: directory)
            let police = places.police(serving: address)
            let entry = places.entry(police)
            guard reading.includes(agencyId: police.id, kind: entry?.kind) else { continue }
            let notification = BulletinNotification.published(bulletin, to: police, supervision: supervision, address: address)
            guard !notifications.contains(where: { $0.id == notification.id }) else { continue }
            notifications.append(notification)
            try store.recordDelivery(bulletinId: bulletin.payload.bulletinId, recipient: police.description, subject: bulletin.subject, recipientAgencyId: notification.recipientAgencyId)
        }
        try context.sendCountingMisses(notifications, forgetAfterMilliseconds: BulletinConsentWindow.expiresAfter(bulletin.payload.consent) + 86_400_000)
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
