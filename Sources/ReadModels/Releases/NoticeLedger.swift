import Contracts
import Foundation
import ServiceKit
import Storage

/// Who was told what, from `bus.notifications`: for each notification, its recipient, rule,
/// priority, time and what it is about (its source event, the person's state ID, a release id
/// it names), never its summary or facts (`releases_notices`). The release board joins these
/// to a release by its source event (one of the release's events), by a `releaseId` it names,
/// or by the person's state ID.
struct NoticeLedger: Sendable {
    let prefix: String

    var table: String { "\(prefix)_notices" }
    var tables: [String] { [table] }

    var schema: String {
        """
        CREATE TABLE \(table) (
            notification_id TEXT PRIMARY KEY NOT NULL,
            recipient TEXT NOT NULL,
            rule TEXT NOT NULL,
            priority TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            source_event_id TEXT NOT NULL,
            source_event_type TEXT NOT NULL,
            subject_state_id TEXT,
            person_key TEXT,
            release_id TEXT
        );
        CREATE INDEX \(table)_by_source ON \(table) (source_event_id);
        CREATE INDEX \(table)_by_state_id ON \(table) (subject_state_id);
        CREATE INDEX \(table)_by_release ON \(table) (release_id)
        """
    }

    /// The second step (the first is `schema`, shipped as it stands): the notices by person
    /// key, which a sealing order removes a person's by (without it, the order read every
    /// notice kept).
    var personStep: String { "CREATE INDEX \(table)_by_person ON \(table) (person_key)" }

    /// Keeps one notification, once per id, after `verify` accepted it.
    ///
    /// - Throws: `PoisonMessage` when `verify` refuses it (its signature), when it is not a
    ///   notification, or when its id or recipient differ from the message's `event-id` header
    ///   or key; nothing is written then.
    func apply(_ event: AdmittedEvent, verify: ReleaseBoardStore.NotificationCheck, in transaction: any StorageTransaction) throws {
        try verify(event)
        let notice: RoutedNotice
        do {
            notice = try EventCodec.decodeJSON(RoutedNotice.self, from: event.value)
        } catch {
            throw PoisonMessage(reason: "not a notification: \(String(describing: type(of: error)))")
        }
        guard notice.id.lowercased() == event.eventId.lowercased() else {
            throw PoisonMessage(reason: "event-id header differs from the notification id")
        }
        guard notice.recipient == event.key else {
            throw PoisonMessage(reason: "the message key differs from the notification's recipient")
        }
        let releaseId = notice.reason.matched.first { $0.name == "releaseId" }?.value
        try transaction.send(
            """
            INSERT INTO \(table) (
                notification_id, recipient, rule, priority, occurred_at, source_event_id, source_event_type, subject_state_id,
                person_key, release_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (notification_id) DO NOTHING
            """,
            [
                .text(notice.id.lowercased()), .text(notice.recipient), .text(notice.reason.rule), .text(notice.priority),
                .integer(ViewTime.milliseconds(notice.occurredAt)), .text(notice.sourceEventId.lowercased()),
                .text(notice.sourceEventType), notice.subjectStateId.sqlValue,
                PersonKey(stateId: notice.subjectStateId, fbiNumber: notice.subjectFbiNumber)?.value.sqlValue ?? .null, releaseId.sqlValue,
            ])
    }
}

/// The parts of a `bus.notification.routed` message (`Topics/bus.notifications.yaml`, written
/// by `BusNotification`) the release board keeps. Other members are read past.
struct RoutedNotice: Decodable {
    static let eventType = "bus.notification.routed"

    struct Reason: Decodable {
        struct Matched: Decodable {
            var name: String
            var value: String
        }

        var rule: String
        var matched: [Matched]
    }

    var id: String
    var recipient: String
    var priority: String
    var reason: Reason
    var occurredAt: Date
    var subjectStateId: String?
    var sourceEventId: String
    var sourceEventType: String

    /// The FBI number of a person known by no state ID: the `fbiNumber` among what matched
    /// (as `BusNotification.subjectFbiNumber` reads it), so the person's notices are filed
    /// under `fbi:…` and a sealing order naming the number finds them.
    var subjectFbiNumber: String? {
        guard PersonKey.nonEmpty(subjectStateId) == nil else { return nil }
        return reason.matched.first { $0.name == "fbiNumber" && !$0.value.isEmpty }?.value
    }
}
