import Contracts
import Directory
import Foundation
import Storage
import Notifications
import ServiceKit

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
/// Checks are `hold` only once detainers are handled (a later issue).
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
    }

    public let name = "warrant-resolver"
    public let topics = [Self.warrantsTopic, Self.releasesTopic, Self.directoryTopic, Self.sealingTopic]
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
    /// destination, whichever instance holds the release's partition.
    public var referenceTopics: [String] { [DirectoryStore.topic, Self.sealingTopic] }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case WarrantIssued.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType, WarrantServed.eventType,
             ReleaseScheduled.eventType, ReleaseCompleted.eventType, ReleaseCancelled.eventType: true
        default: DirectoryStore.handles(eventType: eventType) || SealingOrder.eventTypes.contains(eventType)
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let store = WarrantStore(transaction.storage)
        let notifications: [BusNotification]
        switch event.eventType {
        case WarrantIssued.eventType:
            notifications = try warrantIssued(try event.decode(WarrantIssued.self), store)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            notifications = try warrantResolved(recalled.payload.warrantId, status: "recalled", recalled, store)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            notifications = try warrantResolved(quashed.payload.warrantId, status: "quashed", quashed, store)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            notifications = try warrantResolved(served.payload.warrantId, status: "served", served, store)
        case ReleaseScheduled.eventType:
            notifications = try releaseScheduled(try event.decode(ReleaseScheduled.self), store)
        case ReleaseCompleted.eventType:
            notifications = try releaseCompleted(try event.decode(ReleaseCompleted.self), store)
        case ReleaseCancelled.eventType:
            try store.close(try event.decode(ReleaseCancelled.self).payload.releaseId)
            notifications = []
        case let type where DirectoryStore.handles(eventType: type):
            try DirectoryStore(transaction.storage).apply(event)
            return
        default:
            return
        }
        guard !notifications.isEmpty else { return }
        let forgetAfter = notificationRetention.forgetAfter(event.timestampMilliseconds)
        for notification in notifications {
            let sent = try NotificationOutbox.emit(notification, signedWith: signingKey, forgetAfterMilliseconds: forgetAfter, in: transaction)
            if sent && DestinationPolice.isFallback(notification.recipient) {
                // Bounded labels: the rule's code and the kind looked for, never the city.
                transaction.countOnCommit(DestinationPolice.missLabel, dimensions: [
                    (name: "rule", value: notification.reason.rule), (name: "kind", value: AgencyKind.police.rawValue),
                ])
            }
        }
    }

    /// The part of the directory that can name the police of `destination` (none without one).
    private func directory(for destination: Address?, _ transaction: any StorageTransaction) throws -> AgencyDirectory {
        guard let destination else { return AgencyDirectory() }
        return try DirectoryStore(transaction).directory(forPlace: destination.city, in: destination.state)
    }

    /// Removes what a sealing order covers (both kinds alike), whatever its time: what the
    /// resolver holds when it reads the order.
    ///
    /// - `all_records`: every warrant (`warrants`) and warrant check (`warrant_checks`) of the
    ///   person, matched on state ID or FBI number, the check items listing either
    ///   (`warrant_check_items`), and every notification sent about the person
    ///   (`notifications_sent`, by the digest of the state IDs of the order and of the removed
    ///   rows).
    /// - `listed_cases`: the person's warrants whose court case (`caseNumber` of the issue) is
    ///   listed, the check items listing them, and the notifications naming them (their
    ///   `reason.matched` lists the warrant: pending, clear and unscheduled-release notices).
    ///   Checks belong to a release and stay; one left without an active warrant becomes
    ///   `clear` without a notification (`WarrantStore+Sealing`). Warrants stored before their
    ///   case was recorded have none, and stay.
    ///
    /// Events about the person that occurred before the order and are read after it are not
    /// applied (the runtime checks their subject, and a warrant issue's case number); an issue
    /// or resolution of a warrant a listed-case order removed is ignored here, as a resolution
    /// names no case.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        let store = WarrantStore(transaction.storage)
        let stateIds = try store.stateIds(of: order)
        let (removed, sealedWarrants): (SealingTally, Set<String>) = switch order.scope {
        case .allRecords: (try store.removePerson(order), [])
        case .listedCases: try store.removeListedCases(order)
        }
        var tally = removed
        tally.merge(try NotificationOutbox.removeSent(
            covering: order, personStateIds: stateIds,
            derivesFromListedCases: { notification in
                notification.reason.matched.contains { $0.name == WarrantCheckRules.warrantIdentifier && sealedWarrants.contains($0.value) }
            },
            transaction.storage))
        for stateId in stateIds where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        return tally
    }

    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        try NotificationOutbox.forget(before: now, limit: limit, transaction.storage)
    }

    // MARK: Steps: the store read, the rule applied, the store written

    private func warrantIssued(_ issued: EventEnvelope<WarrantIssued>, _ store: WarrantStore) throws -> [BusNotification] {
        let previous = try store.warrantStatus(issued.payload.warrantId)
        if previous == nil, try store.isSealed(issued.payload.warrantId, occurredAtMilliseconds: SealingOrder.milliseconds(issued.occurredAt)) {
            return []  // removed by a later sealing order: not stored again
        }
        try store.saveIssued(issued)
        guard WarrantCheckRules.issueJoinsOpenChecks(previousStatus: previous) else { return [] }
        var notifications: [BusNotification] = []
        for check in try store.openChecks(of: issued.subject) {
            try store.addWarrant(issued.payload.warrantId, toCheck: check.releaseId)
            let listed = try store.activeWarrants(on: check.releaseId).filter { $0.warrantId == issued.payload.warrantId }
            notifications += WarrantCheckRules.pendingNotifications(
                check, warrants: listed, source: .init(issued), directory: try directory(for: check.destination, store.transaction))
        }
        return notifications
    }

    private func warrantResolved<Payload>(
        _ warrantId: String, status: String, _ event: EventEnvelope<Payload>, _ store: WarrantStore
    ) throws -> [BusNotification] {
        switch WarrantCheckRules.resolution(previousStatus: try store.warrantStatus(warrantId)) {
        case .recordResolved:
            // A warrant a later sealing order removed is not stored again.
            guard try !store.isSealed(warrantId, occurredAtMilliseconds: SealingOrder.milliseconds(event.occurredAt)) else { return [] }
            try store.saveFirstSeenResolved(warrantId, status: status, subject: event.subject)
            return []
        case .ignore:
            return []
        case .resolve:
            try store.setWarrantStatus(warrantId, status)
            var notifications: [BusNotification] = []
            for releaseId in try store.openPendingChecks(listing: warrantId)
            where WarrantCheckRules.becomesClear(activeWarrantsLeft: try store.activeWarrants(on: releaseId)) {
                try store.markClear(releaseId)
                guard let check = try store.check(releaseId) else { continue }
                notifications += WarrantCheckRules.clearNotifications(
                    check, warrantId: warrantId, status: status, source: .init(event), directory: try directory(for: check.destination, store.transaction))
            }
            return notifications
        }
    }

    private func releaseScheduled(_ scheduled: EventEnvelope<ReleaseScheduled>, _ store: WarrantStore) throws -> [BusNotification] {
        guard try store.check(scheduled.payload.releaseId) == nil else { return [] }  // a re-sent schedule changes nothing
        let warrants = try store.activeWarrants(of: scheduled.subject)
        let check = WarrantCheckRules.check(for: scheduled, activeWarrants: warrants)
        try store.insert(check, warrants: warrants)
        return WarrantCheckRules.pendingNotifications(
            check, warrants: warrants, source: .init(scheduled), directory: try directory(for: check.destination, store.transaction))
    }

    private func releaseCompleted(_ completed: EventEnvelope<ReleaseCompleted>, _ store: WarrantStore) throws -> [BusNotification] {
        if try store.check(completed.payload.releaseId) != nil {
            try store.close(completed.payload.releaseId)
            return []
        }
        let warrants = try store.activeWarrants(of: completed.subject)
        try store.insert(WarrantCheckRules.check(for: completed, activeWarrants: warrants), warrants: warrants)
        return WarrantCheckRules.unscheduledReleaseNotifications(
            completed, warrants: warrants, directory: try directory(for: completed.payload.destination, store.transaction))
    }

    // MARK: Queries

    /// The check of a release, if there is one.
    public static func check(_ releaseId: String, _ transaction: any StorageTransaction) throws -> Check? { try WarrantStore(transaction).check(releaseId) }

    /// The warrants on a check that are still active.
    public static func activeWarrants(on releaseId: String, _ transaction: any StorageTransaction) throws -> [Warrant] {
        try WarrantStore(transaction).activeWarrants(on: releaseId)
    }

}
