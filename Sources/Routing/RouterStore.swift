import Contracts
import Foundation
import GRDB
import Notifications
import ServiceKit

/// The router's database: the supervision cases, the arrests kept for cases read later, and
/// (through `NotificationOutbox`) the notifications sent. Each method is one step of the batch
/// transaction it is given; this is the only SQL of the router, every value a bound parameter.
///
/// Arrests are kept until their time to be forgotten (`forget_after_ms`, the arrest's Kafka
/// timestamp + the arrests topic's retention) has passed on the event clock; a case read after
/// that no longer matches them. Arrests stored before that time was recorded have none and are
/// kept.
public struct RouterStore {
    let db: Database

    public init(_ db: Database) { self.db = db }

    /// Registers the router's tables (and the notifications it sends). Shipped migrations are
    /// never edited: changes come as new ones.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        NotificationOutbox.registerMigrations(&migrator)
        migrator.registerMigration("router-v1") { db in
            try db.execute(sql: """
                CREATE TABLE router_cases (
                    case_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    supervision_type TEXT NOT NULL,
                    supervising_agency_id TEXT NOT NULL,
                    officer_id TEXT,
                    officer_name TEXT,
                    start_date TEXT NOT NULL,
                    end_date TEXT,
                    subject BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX router_cases_by_state_id ON router_cases (state_id);
                CREATE INDEX router_cases_by_fbi ON router_cases (fbi_number);
                CREATE TABLE router_arrests (
                    event_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    arrest_day TEXT NOT NULL,
                    event BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
                CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
                """)
        }
        // v2: arrests (each with its ~1 KiB event) in a rowid table, the event id in a unique
        // index: appended rather than inserted at a random key (see notifications-v2).
        migrator.registerMigration("router-v2") { db in
            try db.rebuildTable(
                "router_arrests",
                definition: """
                    event_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    arrest_day TEXT NOT NULL,
                    event BLOB NOT NULL
                    """,
                columns: ["event_id", "state_id", "fbi_number", "arrest_day", "event"], order: "event_id")
            try db.execute(sql: """
                CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
                CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
                """)
        }
        // v3: when each kept arrest may be forgotten (event clock, ms since 1970), indexed by
        // that time for bounded pruning.
        migrator.registerMigration("router-v3") { db in
            try db.execute(sql: """
                CREATE TABLE router_arrests_expiry (
                    event_id TEXT PRIMARY KEY NOT NULL,
                    forget_after_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX router_arrests_expiry_by_time ON router_arrests_expiry (forget_after_ms);
                """)
        }
        // v4: the time as a column of the arrest itself, with a partial index: the side table
        // cost every arrest two more B-tree inserts (one at a random key), every prune two more
        // deletes and every read a join (see notifications-v4).
        migrator.registerMigration("router-v4") { db in
            try db.execute(sql: """
                ALTER TABLE router_arrests ADD COLUMN forget_after_ms INTEGER;
                UPDATE router_arrests SET forget_after_ms =
                    (SELECT x.forget_after_ms FROM router_arrests_expiry x WHERE x.event_id = router_arrests.event_id);
                DROP TABLE router_arrests_expiry;
                CREATE INDEX router_arrests_by_forget_time ON router_arrests (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
                """)
        }
    }

    // MARK: Cases

    /// Stores a started case, or updates it when re-sent (an officer already assigned stays
    /// when the re-sent event names none; the end date stays).
    func saveCase(_ started: EventEnvelope<CaseStarted>) throws {
        let subject = started.subject
        let payload = started.payload
        try db.cachedExecute(
            sql: """
                INSERT INTO router_cases (case_id, state_id, fbi_number, supervision_type, supervising_agency_id,
                    officer_id, officer_name, start_date, end_date, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT (case_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                    supervision_type = excluded.supervision_type, supervising_agency_id = excluded.supervising_agency_id,
                    officer_id = coalesce(excluded.officer_id, router_cases.officer_id),
                    officer_name = coalesce(excluded.officer_name, router_cases.officer_name),
                    start_date = excluded.start_date, subject = excluded.subject
                """,
            arguments: [payload.caseId, subject?.stateId, subject?.fbiNumber, payload.supervisionType.rawValue,
                        payload.supervisingAgencyId, payload.officer?.officerId, payload.officer?.name,
                        payload.startDate.description, Data(try EventCodec.encodeJSON(subject))])
    }

    func endCase(_ caseId: String, on endDate: CalendarDate) throws {
        try db.cachedExecute(sql: "UPDATE router_cases SET end_date = ? WHERE case_id = ?", arguments: [endDate.description, caseId])
    }

    func assignOfficer(_ officer: Officer, to caseId: String) throws {
        try db.cachedExecute(sql: "UPDATE router_cases SET officer_id = ?, officer_name = ? WHERE case_id = ?",
                             arguments: [officer.officerId, officer.name, caseId])
    }

    /// The cases of the person `subject` names (same state ID or same FBI number), by case id.
    public func cases(matching subject: SubjectIdentifiers?) throws -> [SupervisionCase] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db,
            cached: """
                SELECT * FROM router_cases WHERE (state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)
                ORDER BY case_id
                """,
            arguments: [subject.stateId, subject.fbiNumber]
        ).map { row in
            SupervisionCase(
                caseId: row["case_id"], stateId: row["state_id"], fbiNumber: row["fbi_number"],
                supervisionType: row["supervision_type"], agencyId: row["supervising_agency_id"],
                officerId: row["officer_id"], officerName: row["officer_name"], startDate: row["start_date"],
                endDate: row["end_date"], subject: try EventCodec.decodeJSON(SubjectIdentifiers?.self, from: row["subject"] as Data))
        }
    }

    // MARK: Arrests

    /// Keeps an arrest (its event's bytes) for cases read later, once per event id.
    func recordArrest(_ arrest: EventEnvelope<ArrestMade>, eventId: String, value: [UInt8], forgetAfterMilliseconds: Int64?) throws {
        try db.cachedExecute(
            sql: """
                INSERT OR IGNORE INTO router_arrests (event_id, state_id, fbi_number, arrest_day, event, forget_after_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [eventId, arrest.subject?.stateId, arrest.subject?.fbiNumber,
                        Describe.day(arrest.payload.arrestedAt).description, Data(value), forgetAfterMilliseconds])
    }

    /// The kept arrests of the person `subject` names (same state ID or FBI number), by event
    /// id; those whose time to be forgotten is before `nowMilliseconds` count as gone even if
    /// not yet pruned, so the outcome does not depend on how far pruning has got.
    public func arrests(matching subject: SubjectIdentifiers?, nowMilliseconds: Int64?) throws -> [StoredArrest] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db,
            cached: """
                SELECT event, forget_after_ms FROM router_arrests
                WHERE ((state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?))
                    AND (forget_after_ms IS NULL OR ? IS NULL OR forget_after_ms >= ?)
                ORDER BY event_id
                """,
            arguments: [subject.stateId, subject.fbiNumber, nowMilliseconds, nowMilliseconds]
        ).map { row in
            StoredArrest(event: try EventCodec.decode(ArrestMade.self, from: row["event"] as Data),
                         forgetAfterMilliseconds: row["forget_after_ms"])
        }
    }

    /// Forgets at most `limit` arrests whose time to be forgotten is before `nowMilliseconds`
    /// (soonest due first); returns how many. Bounded, so no transaction stalls on a large purge.
    @discardableResult
    func forgetArrests(before nowMilliseconds: Int64, limit: Int) throws -> Int {
        try db.cachedExecute(
            sql: """
                DELETE FROM router_arrests WHERE rowid IN (
                    SELECT rowid FROM router_arrests WHERE forget_after_ms IS NOT NULL AND forget_after_ms < ?
                    ORDER BY forget_after_ms LIMIT ?)
                """,
            arguments: [nowMilliseconds, limit])
        return db.changesCount
    }

    /// How many arrests the router keeps.
    public func arrestCount() throws -> Int {
        try Int.fetchOne(db, cached: "SELECT count(*) FROM router_arrests") ?? 0
    }

    // MARK: Checksum

    /// SHA-256 over the cases, the kept arrests and the sent notifications (not the
    /// bookkeeping of when they may be forgotten).
    public func checksum() throws -> String {
        var hash = SHA256()
        for row in try Row.fetchAll(db, cached: "SELECT * FROM router_cases ORDER BY case_id") { hash.update(row: row) }
        for row in try Row.fetchAll(db, cached: "SELECT event_id, state_id, fbi_number, arrest_day, event FROM router_arrests ORDER BY event_id") {
            hash.update(row: row)
        }
        for row in try Row.fetchAll(db, cached: "SELECT id, body FROM notifications_sent ORDER BY id") { hash.update(row: row) }
        return hash.finalize().hexString
    }
}
