import Contracts
import ServiceKit
import Storage

/// Scheduled releases from `custody.releases`, kept in one table a store names, one row per
/// release id that each event of the release merges into.
///
/// A release is *pending* at a moment when its schedule had been made by then (the schedule
/// event's `occurredAt`) and it had not yet been cancelled (that event's `occurredAt`) or
/// completed (`releasedAt`). Its date is the latest known one: a change moves it, and of two
/// dates the one from the newer event wins, so a late or repeated old event moves nothing.
/// A change, cancellation or completion read before its schedule is kept and applies once the
/// schedule arrives; a release never scheduled is never pending.
///
/// The table (each store's own migration creates it with these columns): `release_id` (key),
/// `person_key`, `state_id`, `fbi_number`, `name_given`, `name_middle`, `name_family`,
/// `name_suffix`, `facility_id`, `facility_name`, `facility_kind`, `expected_ms`,
/// `expected_event_ms` (the `occurredAt` of the event that set `expected_ms`),
/// `scheduled_ms`, `ended_ms`, `ended_how` (`cancelled` | `completed`).
struct CaseReleaseLedger: Sendable {
    let table: String

    static let eventTypes: Set<String> = [
        ReleaseScheduled.eventType, ReleaseChanged.eventType, ReleaseCancelled.eventType, ReleaseCompleted.eventType,
    ]

    func handles(eventType: String) -> Bool { Self.eventTypes.contains(eventType) }

    /// Applies one `custody.releases` event; other types are ignored.
    ///
    /// - Throws: `PoisonMessage` when the event does not decode or names nobody by state ID or
    ///   FBI number (checked before anything is written); `StorageError`.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case ReleaseScheduled.eventType:
            let scheduled = try event.decode(ReleaseScheduled.self)
            let person = try KeyedPerson(subject: scheduled.subject)
            let facility = scheduled.payload.facility
            try transaction.execute(
                """
                INSERT INTO \(table) (release_id, person_key, state_id, fbi_number, name_given, name_middle, name_family, name_suffix,
                    facility_id, facility_name, facility_kind, expected_ms, expected_event_ms, scheduled_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (release_id) DO UPDATE SET \(mergedPerson),
                    facility_id = excluded.facility_id, facility_name = excluded.facility_name, facility_kind = excluded.facility_kind,
                    scheduled_ms = CASE WHEN \(table).scheduled_ms IS NULL OR excluded.scheduled_ms < \(table).scheduled_ms
                        THEN excluded.scheduled_ms ELSE \(table).scheduled_ms END,
                    \(newerDate)
                """,
                [.text(scheduled.payload.releaseId)] + person.identifierValues + person.nameValues
                    + [.text(facility.facilityId), .text(facility.name), .text(facility.kind.rawValue),
                       .integer(ViewTime.milliseconds(scheduled.payload.expectedAt)), .integer(ViewTime.milliseconds(scheduled.occurredAt)),
                       .integer(ViewTime.milliseconds(scheduled.occurredAt))])

        case ReleaseChanged.eventType:
            let changed = try event.decode(ReleaseChanged.self)
            let person = try KeyedPerson(subject: changed.subject)
            // Only a new date matters to the views; other changes (destination, type) do not.
            guard let expectedAt = changed.payload.expectedAt else { return }
            try transaction.execute(
                """
                INSERT INTO \(table) (release_id, person_key, state_id, fbi_number, name_given, name_middle, name_family, name_suffix,
                    expected_ms, expected_event_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (release_id) DO UPDATE SET \(mergedPerson), \(newerDate)
                """,
                [.text(changed.payload.releaseId)] + person.identifierValues + person.nameValues
                    + [.integer(ViewTime.milliseconds(expectedAt)), .integer(ViewTime.milliseconds(changed.occurredAt))])

        case ReleaseCancelled.eventType:
            let cancelled = try event.decode(ReleaseCancelled.self)
            try end(cancelled.payload.releaseId, person: try KeyedPerson(subject: cancelled.subject), how: "cancelled",
                    at: ViewTime.milliseconds(cancelled.occurredAt), facility: nil, transaction)

        case ReleaseCompleted.eventType:
            let completed = try event.decode(ReleaseCompleted.self)
            try end(completed.payload.releaseId, person: try KeyedPerson(subject: completed.subject), how: "completed",
                    at: ViewTime.milliseconds(completed.payload.releasedAt), facility: completed.payload.facility, transaction)

        default:
            return
        }
    }

    /// The earliest end is kept (a release is not un-cancelled); a completion names the
    /// facility when no schedule did.
    private func end(
        _ releaseId: String, person: KeyedPerson, how: String, at milliseconds: Int64, facility: Facility?,
        _ transaction: any StorageTransaction
    ) throws {
        let earlier = "\(table).ended_ms IS NULL OR excluded.ended_ms < \(table).ended_ms"
        try transaction.execute(
            """
            INSERT INTO \(table) (release_id, person_key, state_id, fbi_number, name_given, name_middle, name_family, name_suffix,
                facility_id, facility_name, facility_kind, ended_ms, ended_how)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (release_id) DO UPDATE SET \(mergedPerson),
                facility_id = coalesce(\(table).facility_id, excluded.facility_id),
                facility_name = coalesce(\(table).facility_name, excluded.facility_name),
                facility_kind = coalesce(\(table).facility_kind, excluded.facility_kind),
                ended_how = CASE WHEN \(earlier) THEN excluded.ended_how ELSE \(table).ended_how END,
                ended_ms = CASE WHEN \(earlier) THEN excluded.ended_ms ELSE \(table).ended_ms END
            """,
            [.text(releaseId)] + person.identifierValues + person.nameValues
                + [facility.map { .text($0.facilityId) } ?? .null, facility.map { .text($0.name) } ?? .null,
                   facility.map { .text($0.kind.rawValue) } ?? .null, .integer(milliseconds), .text(how)])
    }

    /// Identifiers merge: a number one event lacks is kept from another; the key follows the
    /// state ID once one is known.
    private var mergedPerson: String {
        """
        state_id = coalesce(excluded.state_id, \(table).state_id),
        fbi_number = coalesce(excluded.fbi_number, \(table).fbi_number),
        person_key = CASE WHEN coalesce(excluded.state_id, \(table).state_id) IS NULL THEN \(table).person_key
            ELSE 'sid:' || coalesce(excluded.state_id, \(table).state_id) END,
        name_given = CASE WHEN excluded.name_family IS NULL THEN \(table).name_given ELSE excluded.name_given END,
        name_middle = CASE WHEN excluded.name_family IS NULL THEN \(table).name_middle ELSE excluded.name_middle END,
        name_family = coalesce(excluded.name_family, \(table).name_family),
        name_suffix = CASE WHEN excluded.name_family IS NULL THEN \(table).name_suffix ELSE excluded.name_suffix END
        """
    }

    /// The date from the newer event wins (ties: the one applied last).
    private var newerDate: String {
        let newer = "\(table).expected_event_ms IS NULL OR excluded.expected_event_ms >= \(table).expected_event_ms"
        return """
            expected_ms = CASE WHEN \(newer) THEN excluded.expected_ms ELSE \(table).expected_ms END,
            expected_event_ms = CASE WHEN \(newer) THEN excluded.expected_event_ms ELSE \(table).expected_event_ms END
            """
    }
}
