import Contracts
import Foundation
import Storage
import Notifications
import ServiceKit

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
public struct RouterProjection: EventProjection {
    public static let rule = SuperviseeArrested.rule
    public static let casesTopic = "supervision.cases"
    public static let arrestsTopic = "police.arrests"
    /// The retention of `police.arrests` in its contract (`Topics/police.arrests.yaml`).
    public static let defaultArrestRetention = RetentionWindow.days(365)

    public let name = "router"
    public let topics = [Self.casesTopic, Self.arrestsTopic]
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

    public var migrations: [StorageMigration] { RouterStore.migrations }

    public func handles(eventType: String) -> Bool {
        switch eventType {
        case CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, ArrestMade.eventType: true
        default: false
        }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let store = RouterStore(transaction.storage)
        let now = event.timestampMilliseconds
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
