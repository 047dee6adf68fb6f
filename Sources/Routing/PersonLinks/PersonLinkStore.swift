import Contracts
import Foundation
import PersonLinks
import Storage

/// The router's copy of the person index's links (`bus.identity`) and what it routed through
/// them: record id → person id with the decision that linked the record, the record of each
/// supervision case, the arrests without a state ID waiting for a link, and the notifications
/// sent through a link (so that an unlink retracts them, once). The family's own tables; the
/// only SQL on them.
struct PersonLinkStore {
    let transaction: any StorageTransaction

    static let migrations: [StorageMigration] = [
        // In the shared dialect (`StorageDialect`): the same text on SQLite and PostgreSQL.
        .script("router-person-links-v1", """
            CREATE TABLE router_person_records (
                record_id TEXT PRIMARY KEY NOT NULL,
                person_id TEXT NOT NULL,
                decision_source TEXT,
                score DOUBLE PRECISION,
                agreed TEXT,
                at_ms BIGINT NOT NULL,
                event_id TEXT NOT NULL
            );
            CREATE INDEX router_person_records_by_person ON router_person_records (person_id);
            CREATE TABLE router_case_records (
                case_id TEXT PRIMARY KEY NOT NULL,
                record_id TEXT NOT NULL
            );
            CREATE INDEX router_case_records_by_record ON router_case_records (record_id);
            CREATE TABLE router_person_merges (
                merged_person_id TEXT PRIMARY KEY NOT NULL,
                survivor_id TEXT NOT NULL,
                at_ms BIGINT NOT NULL,
                event_id TEXT NOT NULL
            );
            CREATE TABLE router_unmatched_arrests (
                event_id TEXT PRIMARY KEY NOT NULL,
                record_id TEXT NOT NULL,
                fbi_number TEXT,
                event_type TEXT NOT NULL,
                event BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX router_unmatched_arrests_by_record ON router_unmatched_arrests (record_id);
            CREATE TABLE router_linked_notices (
                notification_id TEXT PRIMARY KEY NOT NULL,
                arrest_event_id TEXT NOT NULL,
                case_id TEXT NOT NULL,
                person_id TEXT NOT NULL,
                notice BYTEA NOT NULL,
                retracted INTEGER NOT NULL DEFAULT 0,
                forget_after_ms BIGINT
            );
            CREATE INDEX router_linked_notices_by_person ON router_linked_notices (person_id)
            """),
        // Digests of the records a sealing order removed (`PersonLinkStore+Sealing`): identity
        // events carry no subject, so the runtime's ledger cannot recognise them as the person's.
        .script("router-person-links-v2", """
            CREATE TABLE router_sealed_person_records (
                record_digest TEXT PRIMARY KEY NOT NULL,
                ordered_at_ms BIGINT NOT NULL
            )
            """),
        // Indexes for the forgetting after each batch (the oldest due rows first) and for a
        // merge's lookup by survivor: without them each read its whole table
        // (`RetentionIndexTests`, `RouterQueryPlanTests`).
        .script("router-person-links-v3", """
            CREATE INDEX router_unmatched_arrests_by_forget_time ON router_unmatched_arrests (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            CREATE INDEX router_linked_notices_by_forget_time ON router_linked_notices (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            CREATE INDEX router_person_merges_by_survivor ON router_person_merges (survivor_id)
            """),
    ]

    /// The router's copy of the index's mapping (`PersonLinks`, shared with the warrant
    /// resolver), in the tables `router-person-links-v1` and `-v2` created.
    static let tables = PersonLinks.Tables(records: "router_person_records", merges: "router_person_merges", sealed: "router_sealed_person_records")
    var identity: PersonLinks { PersonLinks(transaction, tables: Self.tables) }

    typealias Link = PersonLinks.Link
    typealias Version = PersonLinks.Version

    // MARK: Links

    func link(of recordId: String) throws -> Link? { try identity.link(of: recordId) }

    func records(of personId: String) throws -> [String] { try identity.records(of: personId) }

    // MARK: Cases

    func setRecord(_ recordId: String, ofCase caseId: String) throws {
        _ = try transaction.execute(
            "INSERT INTO router_case_records (case_id, record_id) VALUES ($1, $2) ON CONFLICT (case_id) DO UPDATE SET record_id = excluded.record_id",
            [.text(caseId), .text(recordId)])
    }

    /// The case ids whose record is one of `recordIds`, ascending.
    func cases(ofRecords recordIds: [String]) throws -> [String] {
        var ids = Set<String>()
        for record in recordIds {
            for row in try transaction.fetchAll("SELECT case_id FROM router_case_records WHERE record_id = $1", [.text(record)]) {
                ids.insert(try row.get("case_id"))
            }
        }
        return ids.sorted()
    }

    func record(ofCase caseId: String) throws -> String? {
        try transaction.fetchOne("SELECT record_id FROM router_case_records WHERE case_id = $1", [.text(caseId)]).map { try $0.get("record_id") }
    }

    // MARK: Arrests without a state ID

    /// Keeps an arrest without a state ID under its record; `fbiNumber` (when it has one) lets a
    /// sealing order naming the person by it find the arrest before any link does.
    func keepArrest(eventId: String, recordId: String, fbiNumber: String?, eventType: String, value: [UInt8], forgetAfterMilliseconds: Int64?) throws {
        _ = try transaction.execute(
            """
            INSERT INTO router_unmatched_arrests (event_id, record_id, fbi_number, event_type, event, forget_after_ms) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(eventId), .text(recordId), .optional(fbiNumber), .text(eventType), .bytes(value), forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The kept arrests (and bookings) of these records: record id, event type, bytes, forget time.
    func arrests(ofRecords recordIds: [String]) throws -> [(recordId: String, eventType: String, value: [UInt8], forgetAfter: Int64?)] {
        var result: [(String, String, [UInt8], Int64?)] = []
        for record in recordIds {
            for row in try transaction.fetchAll(
                "SELECT event_type, event, forget_after_ms FROM router_unmatched_arrests WHERE record_id = $1 ORDER BY event_id", [.text(record)]) {
                result.append((record, try row.get("event_type"), try row.get("event", as: [UInt8].self), try row.get("forget_after_ms")))
            }
        }
        return result
    }

    // MARK: Notices sent through a link

    func noteSent(_ notification: BusNotificationRecord) throws {
        _ = try transaction.execute(
            """
            INSERT INTO router_linked_notices (notification_id, arrest_event_id, case_id, person_id, notice, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (notification_id) DO NOTHING
            """,
            [.text(notification.notificationId), .text(notification.arrestEventId), .text(notification.caseId), .text(notification.personId),
             .bytes(notification.notice), notification.forgetAfter.map(SQLValue.integer) ?? .null])
    }

    /// The notices sent through a link and not yet retracted.
    func openNotices() throws -> [BusNotificationRecord] {
        try transaction.fetchAll(
            "SELECT notification_id, arrest_event_id, case_id, person_id, notice, forget_after_ms FROM router_linked_notices WHERE retracted = 0 ORDER BY notification_id"
        ).map { row in
            BusNotificationRecord(
                notificationId: try row.get("notification_id"), arrestEventId: try row.get("arrest_event_id"), caseId: try row.get("case_id"),
                personId: try row.get("person_id"), notice: try row.get("notice", as: [UInt8].self), forgetAfter: try row.get("forget_after_ms"))
        }
    }

    /// Whether the notice `notificationId` was sent through a link and retracted since.
    func isRetracted(_ notificationId: String) throws -> Bool {
        try transaction.fetchOne(
            "SELECT 1 AS one FROM router_linked_notices WHERE notification_id = $1 AND retracted = 1", [.text(notificationId)]) != nil
    }

    func markRetracted(_ notificationId: String) throws {
        _ = try transaction.execute("UPDATE router_linked_notices SET retracted = 1 WHERE notification_id = $1", [.text(notificationId)])
    }

    /// Forgets at most `limit` kept arrests and at most `limit` sent notices due before `now`
    /// (soonest first), so one pass of the clock stays a bounded transaction.
    func forget(before now: Int64, limit: Int) throws {
        _ = try transaction.forgetDue("router_unmatched_arrests", key: "event_id", before: now, limit: limit)
        _ = try transaction.forgetDue("router_linked_notices", key: "notification_id", before: now, limit: limit)
    }
}

/// A notification the router sent through a person-index link, as kept for its retraction.
struct BusNotificationRecord: Sendable, Hashable {
    var notificationId: String
    var arrestEventId: String
    var caseId: String
    var personId: String
    /// The notification's JSON (for its recipients and what to name in the retraction).
    var notice: [UInt8]
    var forgetAfter: Int64?
}

extension PersonLinkStore {
    /// The record of a kept arrest.
    func record(ofArrest eventId: String) throws -> String? {
        try transaction.fetchOne("SELECT record_id FROM router_unmatched_arrests WHERE event_id = $1", [.text(eventId)]).map { try $0.get("record_id") }
    }
}
