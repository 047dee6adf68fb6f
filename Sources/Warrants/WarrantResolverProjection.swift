import Contracts
import Directory
import Foundation
import Storage
import Notifications
import PersonLinks
import ServiceKit
import Timers

/// The warrant resolver: keeps every person's warrants (reference state from
/// `courts.warrants`) and the agency directory (reference state from `reference.agencies`,
/// `DirectoryStore`), and opens a warrant check for each release (`custody.releases`). It ties
/// together its store (`WarrantStore`, the only SQL), its rules (`WarrantCheckRules`, plain
/// functions) and their wording (`PendingCheckNotification`, `ClearCheckNotification`,
/// `UnscheduledReleaseNotification`), and signs what it sends.
///
/// - Release scheduled: the check lists the person's active warrants (matched on state ID or
///   FBI number). With any, it is `pending`: each issuing agency is asked to resolve its
///   warrants before the release (`warrant-check-pending`) and the police department of the
///   destination city is told a high-risk person is releasing into its jurisdiction with a
///   warrant pending (`release-warrant-pending`). Without any it is `clear` and nobody is
///   bothered. A re-sent schedule changes nothing.
/// - A warrant issued while a check of that person is open joins it (→ `pending`, same two
///   notifications): the outcome does not depend on which topic was read first.
/// - Warrant recalled, quashed or served: when a check has no active warrant left it becomes
///   `clear`, and the releasing facility and the police department are told
///   (`warrant-check-clear`). A warrant recalled before the release was scheduled is simply not
///   active when the check opens: clear, no notification.
/// - Released (`custody.release.completed`) with no prior schedule while a warrant is active:
///   an **urgent** alert to the destination's police department and each issuing agency
///   (`unscheduled-release-active-warrant`). A release that was scheduled, or cancelled
///   (`custody.release.cancelled`), closes its check.
/// - Detainer lodged (`courts.detainer.lodged`): the person's open checks go on `hold` and the
///   holding agency is told (`warrant-check-hold`); lifted, they go back to `pending` or
///   `clear` and the holding agency and facility are told (`warrant-check-hold-lifted`).
/// - Release changed: a new date moves the deadlines; a new city tells its police of the
///   warrants pending and the old city's police that the release no longer concerns it.
/// - Ticks of the bus's clock (`bus.timers`, read in full): a check still `pending` or `hold`
///   escalates 30, 7 and 1 day(s) before the release (`CheckEscalation`).
/// - A scheduled release completed while `pending` or `hold` is URGENT
///   (`released-with-unresolved-warrant`); a warrant issued after a check was cleared reopens it.
/// - Person ids (`bus.identity`, read in full; `WarrantResolverProjection+PersonLinks`): a
///   warrant or detainer whose subject the person index links to the release's joins the check
///   as one matched by number would, its notices saying how sure the link is; an unlink or split
///   takes it off again and retracts, once, what each recipient was told of it
///   (`warrant-check-retracted`). A link read after a release completed (within
///   `notificationRetention` of it) to a person with an active warrant is URGENT for the
///   warrant's court, its prosecutor and the destination's police
///   (`released-person-linked-to-active-warrant`).
/// Every change of a check is published on `bus.warrant-checks` (`WarrantCheckEvent`) through
/// the outbox, in the same transaction. Refused (dead letter): a warrant of a court the
/// directory does not know, a detainer of an unknown holding agency, a change of a release
/// never scheduled, and an agency speaking for another's record (``RecordAuthority``: a
/// warrant issued again or a detainer lodged again under another agency, a warrant recalled
/// or a detainer lifted by another, a release rescheduled, changed, cancelled or completed by
/// another agency than the one that scheduled it).
///
/// "The police department of the destination city" is the agency the directory names for the
/// city (`DestinationPolice`): a police agency listing the place, else a sheriff. With no entry
/// (not published yet, or read after the release: the topics are not ordered with each other)
/// the notification still goes out, to `agency:police:<STATE>:<City>`, and is counted in
/// `reentrybus_directory_misses_total{rule, kind="police"}`; an entry read later does not send
/// it again.
///
/// Sent notifications are forgotten once `custody.releases` can no longer redeliver the
/// events that caused them (`notificationRetention`, by the events' Kafka timestamps; once per
/// batch, `forget(before:limit:in:)`): a repeat is recognised by the warrants and checks
/// themselves, which are reference state and stay.
///
/// Sealing orders (`records.sealing`, `seal(_:in:)`) remove the person's warrants, checks and
/// the notifications sent about them (all records), or the warrants of the listed court cases
/// and what derives from them (listed cases).
public struct WarrantResolverProjection: EventProjection {
    public static let warrantsTopic = "courts.warrants"
    public static let releasesTopic = "custody.releases"
    public static let directoryTopic = DirectoryStore.topic
    /// Court orders sealing or expunging a person's records.
    public static let sealingTopic = SealingOrder.topic
    /// The retention of `custody.releases` in its contract (`Topics/custody.releases.yaml`).
    public static let defaultNotificationRetention = RetentionWindow.days(365)

    public typealias Warrant = Warrants.Warrant
    public typealias Check = WarrantCheck

    /// The rules' codes, as they appear in `NotificationReason.rule`.
    public enum Rule {
        public static let pending = WarrantCheckRules.pending
        public static let policePending = WarrantCheckRules.policePending
        public static let clear = WarrantCheckRules.clear
        public static let unscheduled = WarrantCheckRules.unscheduled
        public static let prosecutorPending = WarrantCheckRules.prosecutorPending
        public static let reopened = WarrantCheckRules.reopened
        public static let hold = WarrantCheckRules.hold
        public static let holdLifted = WarrantCheckRules.holdLifted
        public static let escalation = WarrantCheckRules.escalation
        public static let releasedUnresolved = WarrantCheckRules.releasedUnresolved
        public static let movedAway = WarrantCheckRules.movedAway
        public static let releasedLinked = WarrantCheckRules.releasedLinked
        public static let retracted = LinkedWarrantNotification.retractionRule
    }

    public let name = "warrant-resolver"
    public let topics = [Self.warrantsTopic, Self.releasesTopic, Self.directoryTopic, Self.sealingTopic, TimerTick.topic, BusTopic.identity]
    /// The resolver publishes each check's changes (`WarrantCheckEvent`).
    public var producedTopics: [String] { [WarrantCheckEvent.topic] }
    /// How long sent notifications are remembered.
    public let notificationRetention: RetentionWindow
    let signingKey: NotificationSigningKey

    /// - Parameters:
    ///   - signingKey: signs every notification sent (from configuration).
    ///   - notificationRetention: the releases topic's retention.
    public init(signingKey: NotificationSigningKey, notificationRetention: RetentionWindow = Self.defaultNotificationRetention) {
        self.signingKey = signingKey
        self.notificationRetention = notificationRetention
    }

    public var migrations: [StorageMigration] { WarrantStore.migrations }

    /// The agency directory is read in full by every instance: a notice names the police of a
    /// destination, whichever instance holds the release's partition. So is `bus.identity`: it
    /// is keyed by person id, unrelated to the releases' and warrants' keys, so every instance
    /// keeps the whole record → person mapping.
    public var referenceTopics: [String] { [DirectoryStore.topic, Self.sealingTopic, TimerTick.topic, BusTopic.identity] }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case WarrantIssued.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType, WarrantServed.eventType,
             DetainerLodged.eventType, DetainerLifted.eventType, ReleaseScheduled.eventType, ReleaseChanged.eventType,
             ReleaseCompleted.eventType, ReleaseCancelled.eventType, TimerTick.eventType: true
        default: DirectoryStore.handles(eventType: eventType) || SealingOrder.eventTypes.contains(eventType) || IdentityDecision.eventTypes.contains(eventType)
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let store = WarrantStore(transaction.storage)
        let effects = CheckEffects()
        switch event.eventType {
        case WarrantIssued.eventType:
            let issued = try event.decode(WarrantIssued.self)
            try RecordAuthority.warrantIssued(issued, issuer: try store.warrantIssuer(issued.payload.warrantId))
            guard case .record(let record) = try subjectRecord(of: event, occurredAt: issued.occurredAt, store) else {
                return transaction.countOnCommit(SealedRecordRefusal(.warrant, .indexRecord))
            }
            try warrantIssued(issued, record: record, store, effects)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: recalled.payload.warrantId, by: recalled.source, issuer: try store.warrantIssuer(recalled.payload.warrantId))
            try warrantResolved(recalled.payload.warrantId, status: "recalled", recalled, store, effects)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: quashed.payload.warrantId, by: quashed.source, issuer: try store.warrantIssuer(quashed.payload.warrantId))
            try warrantResolved(quashed.payload.warrantId, status: "quashed", quashed, store, effects)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            try RecordAuthority.warrantServed(served)
            try warrantResolved(served.payload.warrantId, status: "served", served, store, effects)
        case DetainerLodged.eventType:
            let lodged = try event.decode(DetainerLodged.self)
            try RecordAuthority.detainerLodged(lodged, holder: try store.detainerHolder(lodged.payload.detainerId))
            switch try subjectRecord(of: event, occurredAt: lodged.occurredAt, store) {
            case .record(let record):
                try detainerLodged(lodged, record: record, store, effects)
            case .sealed(let orderedAt):
                // The sealed person's: refused, and so is every later event about the detainer.
                if try store.detainerStatus(lodged.payload.detainerId) == nil {
                    try store.noteRefused(detainer: lodged.payload.detainerId, orderedAtMilliseconds: orderedAt)
                }
                return transaction.countOnCommit(SealedRecordRefusal(.detainer, .indexRecord))
            }
        case DetainerLifted.eventType:
            let lifted = try event.decode(DetainerLifted.self)
            try RecordAuthority.detainerLifted(
                lifted.payload.detainerId, by: lifted.source, holder: try store.detainerHolder(lifted.payload.detainerId))
            try detainerLifted(lifted, store, effects)
        case ReleaseScheduled.eventType:
            let scheduled = try event.decode(ReleaseScheduled.self)
            let existing = try knownCheck(of: scheduled.payload.releaseId, event, by: scheduled.source, store)
            guard case .record(let record) = try subjectRecord(of: event, occurredAt: scheduled.occurredAt, store) else {
                return transaction.countOnCommit(SealedRecordRefusal(.release, .indexRecord))
            }
            try releaseScheduled(scheduled, record: record, existing: existing, store, effects)
        case ReleaseChanged.eventType:
            let changed = try event.decode(ReleaseChanged.self)
            let existing = try knownCheck(of: changed.payload.releaseId, event, by: changed.source, store)
            try releaseChanged(changed, existing: existing, store, effects)
        case ReleaseCompleted.eventType:
            let completed = try event.decode(ReleaseCompleted.self)
            let existing = try knownCheck(of: completed.payload.releaseId, event, by: completed.source, store)
            guard case .record(let record) = try subjectRecord(of: event, occurredAt: completed.occurredAt, store) else {
                return transaction.countOnCommit(SealedRecordRefusal(.release, .indexRecord))
            }
            try releaseCompleted(completed, record: record, existing: existing, store, effects)
        case ReleaseCancelled.eventType:
            let cancelled = try event.decode(ReleaseCancelled.self)
            let existing = try knownCheck(of: cancelled.payload.releaseId, event, by: cancelled.source, store)
            try releaseCancelled(cancelled, existing: existing, store, effects)
        case TimerTick.eventType:
            try tick(try TimerTick.decode(event), store, effects)
        case let type where IdentityDecision.eventTypes.contains(type):
            try identityDecided(event, store, effects)
        case let type where DirectoryStore.handles(eventType: type):
            try DirectoryStore(transaction.storage).apply(event)
            return
        default:
            return
        }
        try send(effects, for: event, store, transaction)
    }

    /// Sends what one event did: its notifications (through `NotificationOutbox`, each id once,
    /// and who was told recorded on the check), then one `bus.warrant-checks` event per check
    /// it changed, at the check's next revision, in the same transaction as the changes.
    /// Counts what it refused as a sealed record's (`SealedRecordRefusal`).
    private func send(_ effects: CheckEffects, for event: AdmittedEvent, _ store: WarrantStore, _ transaction: ProjectionTransaction) throws {
        for refusal in effects.refusals { transaction.countOnCommit(refusal) }
        let forgetAfter = notificationRetention.forgetAfter(event.timestampMilliseconds)
        for (releaseId, planned) in effects.notifications {
            // A notification telling of a warrant or detainer matched through the person index
            // says so, and is kept for the retraction an unlink would call for.
            let (notification, linked) = try releaseId.map { try linkedItemsTold(in: planned, releaseId: $0, store) } ?? (planned, [])
            let sent = try NotificationOutbox.emit(notification, signedWith: signingKey, forgetAfterMilliseconds: forgetAfter, in: transaction)
            if let releaseId {
                try store.recordTold(releaseId, recipient: notification.recipient.description, rule: notification.reason.rule)
            }
            for item in linked { try store.noteLinkedNotice(notification, about: item, forgetAfterMilliseconds: forgetAfter) }
            if sent && DestinationPolice.isFallback(notification.recipient) {
                // Bounded labels: the rule's code and the kind looked for, never the city.
                transaction.countOnCommit(DestinationPolice.missLabel, dimensions: [
                    (name: "rule", value: notification.reason.rule), (name: "kind", value: AgencyKind.police.rawValue),
                ])
            }
        }
        for releaseId in effects.changed {
            guard let check = try store.check(releaseId), let cause = effects.cause else { continue }
            let revision = try store.nextRevision(releaseId)
            let checkEvent = WarrantCheckEvent(
                check, revision: revision, warrants: try store.activeWarrants(on: releaseId), detainers: try store.activeDetainers(on: releaseId),
                outcome: effects.outcomes[releaseId], cause: cause)
            try transaction.emit(try checkEvent.message())
        }
    }

    /// The part of the directory the rules ask about a check: the police of `destination` and
    /// the prosecutors serving `courts`.
    func directory(for destination: Address?, courts: [String] = [], _ transaction: any StorageTransaction) throws -> AgencyDirectory {
        let store = DirectoryStore(transaction)
        var entries: [AgencyDescribed] = []
        if let destination { entries += try store.directory(forPlace: destination.city, in: destination.state).entries.values }
        for court in Set(courts).sorted() { entries += try store.directory(forCourt: court).entries.values }
        return AgencyDirectory(entries: entries.sorted { $0.agencyId < $1.agencyId })
    }

    /// Removes what a sealing order covers (both kinds alike), whatever its time: what the
    /// resolver holds when it reads the order.
    ///
    /// - `all_records`: every warrant (`warrants`) and warrant check (`warrant_checks`) of the
    ///   person, matched on state ID or FBI number, the check items listing either
    ///   (`warrant_check_items`), and every notification sent about the person
    ///   (`notifications_sent`, by the digest of the state IDs of the order and of the removed
    ///   rows); through the person index (`WarrantStore+Sealing`'s `removePersonLinks` and
    ///   `removeLinkedOnly`), the link rows of every record the index put with the person and
    ///   the releases' checks, warrants and detainers of those records that carry none of the
    ///   order's numbers, with their check items, who was told, and the notifications about
    ///   them (those that name them, found by the numbers they carry and those of another
    ///   person's check that listed one of them: the state ID, else the FBI number, a
    ///   notification is filed under). Another person's check that
    ///   listed one of the person's detainers (numbers shared by mistake) is settled, and who
    ///   was told of the detainer there goes with the notifications kept of it (those naming
    ///   it; escalations and release alerts told only for it), found by that person's state ID.
    /// - `listed_cases`: the person's warrants whose court case (`caseNumber` of the issue) is
    ///   listed, the check items listing them, the detainers lodged on them and who was told of
    ///   those (`WarrantStore+SealedTellings`), and the notifications naming them (their
    ///   `reason.matched` lists the warrant or detainer: pending, clear, unscheduled-release,
    ///   hold notices; escalations and release alerts told only for a removed detainer).
    ///   Checks belong to a release and stay; one left without an active warrant becomes
    ///   `clear` without a notification (`WarrantStore+Sealing`). Warrants stored before their
    ///   case was recorded have none, and stay.
    ///
    /// Events about the person that occurred before the order and are read after it are not
    /// applied (the runtime checks their subject, and a warrant issue's case number); an issue
    /// or resolution of a warrant a listed-case order removed is ignored here, as a resolution
    /// names no case, and so is one of a warrant an all-records order removed, with a detainer
    /// lodged on it, a removed detainer's lodging or lifting, and a removed check's release
    /// scheduled, changed or completed: such an event may name only a number the order never
    /// paired with the person, which the runtime's check lets through
    /// (`WarrantStore+SealedWarrants`, `WarrantStore+Sealing`). Each event so refused, and each
    /// refused as of a record the order removed from the person index, is counted
    /// (`SealedRecordRefusal`: the record's kind, and the digest that matched).
    ///
    /// An order naming one number alone is applied again with each other number the resolver's
    /// rows pair with it by a shared number (``SealingOrder/completions(stateIds:fbiNumbers:)``,
    /// one step, as the router does): a check, warrant or detainer under the FBI number alone
    /// goes with an order naming the state ID alone, and the reverse.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = WarrantStore(transaction.storage)
        return try order.applying(pairedStateIds: try store.stateIds(of: order), pairedFbiNumbers: try store.fbiNumbers(of: order)) { order in
            try sealOnce(order, in: transaction)
        }
    }

    /// ``seal(_:in:)`` for the order's own numbers.
    private func sealOnce(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = WarrantStore(transaction.storage)
        let stateIds = try store.stateIds(of: order)
        var linked = SealingTally()
        var personItems = WarrantStore.PersonItems()
        if order.scope == .allRecords { (linked, personItems) = try store.removePersonLinks(order) }
        let (removed, sealedWarrants, sealedDetainers, toldOnlyOfRemoved):
            (SealingTally, Set<String>, Set<String>, Set<WarrantStore.Telling>) = switch order.scope {
        case .allRecords: try personRemoval(order, store, transaction)
        case .listedCases: try store.removeListedCases(order)
        }
        var tally = removed
        tally.merge(linked)
        tally.merge(try NotificationOutbox.removeSent(
            covering: order, personStateIds: stateIds,
            derivesFromListedCases: { notification in
                notification.derivesFrom.contains { derivation in
                    (derivation.name == WarrantCheckRules.warrantIdentifier && sealedWarrants.contains(derivation.value))
                        || (derivation.name == "detainerId" && sealedDetainers.contains(derivation.value))
                } || WarrantStore.toldOnlyOfRemoved(notification, toldOnlyOfRemoved)
            },
            transaction.storage))
        if !personItems.isEmpty {
            // What the index put with the person but carries none of the order's numbers; the
            // notifications about it, found by the numbers it carries and judged by what they name.
            let linkedOnly = try store.removeLinkedOnly(personItems, order: order)
            tally.merge(linkedOnly.tally)
            let items = linkedOnly.items
            let toldOnlyOfRemoved = linkedOnly.toldOnlyOfRemoved
            var others = linkedOnly.stateIds.subtracting(stateIds)
            if let stateId = order.stateId { others.remove(stateId) }
            var otherFbiNumbers = linkedOnly.fbiNumbers
            if let fbiNumber = order.fbiNumber { otherFbiNumbers.remove(fbiNumber) }
            tally.add(try NotificationOutbox.removeSent(
                about: others, fbiNumbers: otherFbiNumbers,
                where: { WarrantStore.concerns($0, items) || WarrantStore.toldOnlyOfRemoved($0, toldOnlyOfRemoved) },
                transaction.storage), from: "notifications_sent")
        }
        // Numbers paired with the person by a shared number; not those found through a link (a
        // mistyped state ID may be another person's: the runtime would refuse their records).
        for stateId in stateIds where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        return tally
    }

    /// ``WarrantStore/removePerson(_:)`` and the notifications about another person's check
    /// that listed one of the removed detainers (numbers shared by mistake): those naming the
    /// detainer (hold, lifting) and the escalations and release alerts told only of it, found by
    /// that person's state ID, or FBI number when their check has none (no number of the order
    /// reaches them), and counted. For
    /// ``sealOnce(_:in:)``'s all-records case: no warrant or detainer is left to judge the
    /// person's own notifications by (all of them go).
    private func personRemoval(
        _ order: SealingOrder, _ store: WarrantStore, _ transaction: ProjectionTransaction
    ) throws -> (SealingTally, Set<String>, Set<String>, Set<WarrantStore.Telling>) {
        let removal = try store.removePerson(order)
        var tally = removal.tally
        let detainerIds = removal.detainerIds
        let toldOnlyOfRemoved = removal.toldOnlyOfRemoved
        var others = removal.otherStateIds
        if let stateId = order.stateId { others.remove(stateId) }
        var otherFbiNumbers = removal.otherFbiNumbers
        if let fbiNumber = order.fbiNumber { otherFbiNumbers.remove(fbiNumber) }
        if !others.isEmpty || !otherFbiNumbers.isEmpty {
            tally.add(try NotificationOutbox.removeSent(
                about: others, fbiNumbers: otherFbiNumbers,
                where: { notification in
                    notification.derivesFrom.contains { $0.name == "detainerId" && detainerIds.contains($0.value) }
                        || WarrantStore.toldOnlyOfRemoved(notification, toldOnlyOfRemoved)
                },
                transaction.storage), from: "notifications_sent")
        }
        return (tally, [], [], [])
    }

    /// Forgets the notifications sent, and the notices kept for a retraction (each with the
    /// notification it names), whose time has passed: at most `limit` rows of each per pass.
    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        try NotificationOutbox.forget(before: now, limit: limit, transaction.storage)
        try WarrantStore(transaction.storage).forgetLinkedNotices(before: now, limit: limit)
    }

    // MARK: Queries

    /// The check of a release, if there is one.
    public static func check(_ releaseId: String, _ transaction: any StorageTransaction) throws -> Check? { try WarrantStore(transaction).check(releaseId) }

    /// The detainers on a check that are still active.
    public static func activeDetainers(on releaseId: String, _ transaction: any StorageTransaction) throws -> [Detainer] {
        try WarrantStore(transaction).activeDetainers(on: releaseId)
    }

    /// The open checks (of one facility, of one status), by expected release, and who was told
    /// about each: what `reentrybus warrant-checks` lists.
    public static func openChecks(
        facilityId: String? = nil, status: String? = nil, _ transaction: any StorageTransaction
    ) throws -> [(check: Check, warrants: [Warrant], detainers: [Detainer], told: [(recipient: String, rule: String)])] {
        let store = WarrantStore(transaction)
        return try store.openChecks(facilityId: facilityId, status: status).map { check in
            (check, try store.activeWarrants(on: check.releaseId), try store.activeDetainers(on: check.releaseId), try store.told(check.releaseId))
        }
    }

    /// The warrants on a check that are still active.
    public static func activeWarrants(on releaseId: String, _ transaction: any StorageTransaction) throws -> [Warrant] {
        try WarrantStore(transaction).activeWarrants(on: releaseId)
    }

}
