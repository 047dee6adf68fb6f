import Contracts
import Foundation
import Storage
import Notifications
import ServiceKit

/// The router's database: the supervision cases, the arrests kept for cases read later, and
/// (through `NotificationOutbox`) the notifications sent. Each method is one step of the batch
/// transaction it is given; this is the only SQL of the router, every value a bound parameter.
///
/// Arrests are kept until their time to be forgotten (`forget_after_ms`, the arrest's Kafka
/// timestamp + the arrests topic's retention) has passed on the event clock; a case read after
/// that no longer matches them. Arrests stored before that time was recorded have none and are
/// kept. A sealing order removes what it covers (`RouterStore+Sealing`).
public struct RouterStore {
    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// The router's tables (and the notifications it sends). Shipped steps are never edited:
    /// changes come as new ones. v1–v4 shipped on SQLite alone and stay literal there;
    /// PostgreSQL creates the v4 shape in v1.
    public static let migrations: [StorageMigration] = NotificationOutbox.migrations + [
        .script("router-v1", sqlite: """
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
            """,
            postgres: """
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
                subject BYTEA NOT NULL
            );
            CREATE INDEX router_cases_by_state_id ON router_cases (state_id);
            CREATE INDEX router_cases_by_fbi ON router_cases (fbi_number);
            CREATE TABLE router_arrests (
                event_id TEXT NOT NULL UNIQUE,
                state_id TEXT,
                fbi_number TEXT,
                arrest_day TEXT NOT NULL,
                event BYTEA NOT NULL,
                forget_after_ms BIGINT
            );
            CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
            CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
            CREATE INDEX router_arrests_by_forget_time ON router_arrests (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
            """),
        // v2: arrests (each with its ~1 KiB event) in a rowid table, the event id in a unique
        // index: appended rather than inserted at a random key (see notifications-v2).
        StorageMigration("router-v2") { transaction in
            guard transaction.dialect == .sqlite else { return }
            try transaction.rebuildTable(
                "router_arrests",
                definition: """
                    event_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    arrest_day TEXT NOT NULL,
                    event BLOB NOT NULL
                    """,
                columns: ["event_id", "state_id", "fbi_number", "arrest_day", "event"], order: "event_id")
            try transaction.executeScript("""
                CREATE INDEX router_arrests_by_state_id ON router_arrests (state_id);
                CREATE INDEX router_arrests_by_fbi ON router_arrests (fbi_number);
                """)
        },
        // v3: when each kept arrest may be forgotten (event clock, ms since 1970), indexed by
        // that time for bounded pruning.
        .script("router-v3", sqlite: """
            CREATE TABLE router_arrests_expiry (
                event_id TEXT PRIMARY KEY NOT NULL,
                forget_after_ms INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX router_arrests_expiry_by_time ON router_arrests_expiry (forget_after_ms);
            """,
            postgres: nil),
        // v4: the time as a column of the arrest itself, with a partial index: the side table
        // cost every arrest two more B-tree inserts (one at a random key), every prune two more
        // deletes and every read a join (see notifications-v4).
        .script("router-v4", sqlite: """
            ALTER TABLE router_arrests ADD COLUMN forget_after_ms INTEGER;
            UPDATE router_arrests SET forget_after_ms =
                (SELECT x.forget_after_ms FROM router_arrests_expiry x WHERE x.event_id = router_arrests.event_id);
            DROP TABLE router_arrests_expiry;
            CREATE INDEX router_arrests_by_forget_time ON router_arrests (forget_after_ms) WHERE forget_after_ms IS NOT NULL;
            """,
            postgres: nil),
        // v5: the case's registered address and household (JSON), for the rules about contacts
        // at the address or with a household member and about the person's jurisdiction.
        .script("router-v5", sqlite: """
            ALTER TABLE router_cases ADD COLUMN address BLOB;
            ALTER TABLE router_cases ADD COLUMN household BLOB;
            """,
            postgres: """
            ALTER TABLE router_cases ADD COLUMN address BYTEA;
            ALTER TABLE router_cases ADD COLUMN household BYTEA;
            """),
        // v6: every officer assignment of a case with the time it took effect, so a rule can
        // name the officer in charge when its event happened, whichever was read first.
        .script("router-v6", sqlite: """
            CREATE TABLE router_officer_assignments (
                case_id TEXT NOT NULL,
                effective_ms INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                officer_id TEXT NOT NULL,
                officer_name TEXT,
                PRIMARY KEY (case_id, event_id)
            ) WITHOUT ROWID;
            """,
            postgres: """
            CREATE TABLE router_officer_assignments (
                case_id TEXT NOT NULL,
                effective_ms BIGINT NOT NULL,
                event_id TEXT NOT NULL,
                officer_id TEXT NOT NULL,
                officer_name TEXT,
                PRIMARY KEY (case_id, event_id)
            );
            """),
        // v7: case events read before their case's start (`RouterStore+EarlyCaseEvents`).
        earlyCaseEventsMigration,
        // v8: each case's addresses by the day they took effect (`RouterStore+AddressHistory`).
        addressHistoryMigration,
    ]

    // MARK: Cases

    /// Stores a started case, or updates it when re-sent (an officer already assigned stays
    /// when the re-sent event names none, and so does an address; the end date and the
    /// household stay).
    func saveCase(_ started: EventEnvelope<CaseStarted>) throws {
        let subject = started.subject
        let payload = started.payload
        casesChanged()
        try transaction.send(
            """
            INSERT INTO router_cases (case_id, state_id, fbi_number, supervision_type, supervising_agency_id,
                officer_id, officer_name, start_date, end_date, subject, address)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)
            ON CONFLICT (case_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                supervision_type = excluded.supervision_type, supervising_agency_id = excluded.supervising_agency_id,
                officer_id = coalesce(excluded.officer_id, router_cases.officer_id),
                officer_name = coalesce(excluded.officer_name, router_cases.officer_name),
                start_date = excluded.start_date, subject = excluded.subject,
                address = coalesce(excluded.address, router_cases.address)
            """,
            [.text(payload.caseId), .optional(subject?.stateId), .optional(subject?.fbiNumber), .text(payload.supervisionType.rawValue),
             .text(payload.supervisingAgencyId), .optional(payload.officer?.officerId), .optional(payload.officer?.name),
             .text(payload.startDate.description), .bytes(try EventCodec.encodeJSON(subject)),
             try payload.address.map { .bytes(try EventCodec.encodeJSON($0)) } ?? .null])
        if let officer = payload.officer {
            try assignOfficer(officer, to: payload.caseId, effectiveMilliseconds: payload.startDate.startMilliseconds,
                              eventId: started.eventId.uuidString.lowercased())
        }
        if let address = payload.address {
            try recordAddress(address, household: nil, of: payload.caseId, effectiveOn: payload.startDate, eventId: started.eventId.uuidString.lowercased())
        }
    }

    /// Records the case's new registered address and, when the event lists it, its household
    /// (an event without `householdMembers` leaves the household as it was). Returns whether the
    /// router holds the case (an address change read before its start changes nothing).
    @discardableResult
    func changeAddress(_ changed: AddressChanged, eventId: String) throws -> Bool {
        casesChanged()
        let held = try transaction.execute(
            "UPDATE router_cases SET address = $1, household = coalesce($2, household) WHERE case_id = $3",
            [.bytes(try EventCodec.encodeJSON(changed.address)),
             try changed.householdMembers.map { .bytes(try EventCodec.encodeJSON($0)) } ?? .null,
             .text(changed.caseId)]) > 0
        if held {
            try recordAddress(changed.address, household: changed.householdMembers, of: changed.caseId, effectiveOn: changed.effectiveDate, eventId: eventId)
        }
        return held
    }

    /// Records the case's end; returns whether the router holds the case.
    @discardableResult
    func endCase(_ caseId: String, on endDate: CalendarDate) throws -> Bool {
        casesChanged()
        return try transaction.execute("UPDATE router_cases SET end_date = $1 WHERE case_id = $2", [.text(endDate.description), .text(caseId)]) > 0
    }

    /// Makes `officer` the case's current officer and records the assignment as of
    /// `effectiveMilliseconds` (the event's time; for the officer a case starts with, the
    /// start of its first day). The current officer is the latest assignment by effective time,
    /// whichever order the assignments were read in.
    func assignOfficer(_ officer: Officer, to caseId: String, effectiveMilliseconds: Int64, eventId: String) throws {
        casesChanged()
        try transaction.send(
            """
            INSERT INTO router_officer_assignments (case_id, effective_ms, event_id, officer_id, officer_name)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, event_id) DO NOTHING
            """,
            [.text(caseId), .integer(effectiveMilliseconds), .text(eventId), .text(officer.officerId), .optional(officer.name)])
        try transaction.send(
            """
            UPDATE router_cases SET officer_id = latest.officer_id, officer_name = latest.officer_name
            FROM (SELECT officer_id, officer_name FROM router_officer_assignments WHERE case_id = $1
                  ORDER BY effective_ms DESC, event_id DESC LIMIT 1) AS latest
            WHERE router_cases.case_id = $1
            """,
            [.text(caseId)])
    }

    /// The cases of the person `subject` names (same state ID or same FBI number), by case id.
    public func cases(matching subject: SubjectIdentifiers?) throws -> [SupervisionCase] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try rememberedCases(of: subject.stateId, subject.fbiNumber) {
            try cases(
                where: "(c.state_id IS NOT NULL AND c.state_id = $1) OR (c.fbi_number IS NOT NULL AND c.fbi_number = $2)",
                [.optional(subject.stateId), .optional(subject.fbiNumber)])
        }
    }

    /// The cases `condition` selects (on `router_cases` as `c`), by case id, each with its
    /// officer assignments by effective time: one statement, the assignments joined, since on
    /// PostgreSQL a second statement a case was a second round trip for most events.
    func cases(where condition: String, _ arguments: [SQLValue]) throws -> [SupervisionCase] {
        let rows = try transaction.fetchAll(
            """
            SELECT \(Self.caseColumns(of: "c")), a.effective_ms AS assignment_effective_ms,
                a.officer_id AS assignment_officer_id, a.officer_name AS assignment_officer_name
            FROM router_cases c LEFT JOIN router_officer_assignments a ON a.case_id = c.case_id
            WHERE \(condition)
            ORDER BY c.case_id, a.effective_ms, a.event_id
            """,
            arguments)
        var cases: [SupervisionCase] = []
        for row in rows {
            let caseId: String = try row.get("case_id")
            if cases.last?.caseId != caseId { cases.append(try Self.supervisionCase(row)) }
            if let effective = try row.get("assignment_effective_ms", as: Int64?.self) {
                cases[cases.count - 1].assignments.append(OfficerAssignment(
                    effectiveMilliseconds: effective, officerId: try row.get("assignment_officer_id"),
                    officerName: try row.get("assignment_officer_name")))
            }
        }
        return cases
    }

    /// The columns `supervisionCase(_:)` reads, of `router_cases` named `alias` in a join.
    static func caseColumns(of alias: String) -> String {
        caseColumnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    private static let caseColumnNames = [
        "case_id", "state_id", "fbi_number", "supervision_type", "supervising_agency_id", "officer_id", "officer_name",
        "start_date", "end_date", "subject", "address", "household",
    ]

    /// A case from a row with `caseColumns(of:)`.
    static func supervisionCase(_ row: StorageRow) throws -> SupervisionCase {
        SupervisionCase(
            caseId: try row.get("case_id"), stateId: try row.get("state_id"), fbiNumber: try row.get("fbi_number"),
            supervisionType: try row.get("supervision_type"), agencyId: try row.get("supervising_agency_id"),
            officerId: try row.get("officer_id"), officerName: try row.get("officer_name"), startDate: try row.get("start_date"),
            endDate: try row.get("end_date"),
            subject: try EventCodec.decodeJSON(SubjectIdentifiers?.self, from: try row.get("subject", as: [UInt8].self)),
            address: try row.get("address", as: [UInt8]?.self).map { try EventCodec.decodeJSON(Address.self, from: $0) },
            householdMembers: try row.get("household", as: [UInt8]?.self).map { try EventCodec.decodeJSON([HouseholdMember].self, from: $0) } ?? [])
    }

    // MARK: Arrests

    /// Keeps an arrest (its event's bytes) for cases read later, once per event id.
    func recordArrest(_ arrest: EventEnvelope<ArrestMade>, eventId: String, value: [UInt8], forgetAfterMilliseconds: Int64?) throws {
        try transaction.send(
            """
            INSERT INTO router_arrests (event_id, state_id, fbi_number, arrest_day, event, forget_after_ms)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(eventId), .optional(arrest.subject?.stateId), .optional(arrest.subject?.fbiNumber),
             .text(Describe.day(arrest.payload.arrestedAt).description), .bytes(value),
             forgetAfterMilliseconds.map(SQLValue.integer) ?? .null])
    }

    /// The kept arrests of the person `subject` names (same state ID or FBI number), by event
    /// id; those whose time to be forgotten is before `nowMilliseconds` count as gone even if
    /// not yet pruned, so the outcome does not depend on how far pruning has got.
    public func arrests(matching subject: SubjectIdentifiers?, nowMilliseconds: Int64?) throws -> [StoredArrest] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        let rows = try transaction.fetchAll(
            """
            SELECT event, forget_after_ms FROM router_arrests
            WHERE ((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2))
                AND (forget_after_ms IS NULL OR forget_after_ms >= $3)
            ORDER BY event_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber), .integer(nowMilliseconds ?? Int64.min)])
        return try rows.map { row in
            StoredArrest(event: try EventCodec.decode(ArrestMade.self, from: try row.get("event", as: [UInt8].self)),
                         forgetAfterMilliseconds: try row.get("forget_after_ms"))
        }
    }

    /// Forgets at most `limit` arrests whose time to be forgotten is before `nowMilliseconds`
    /// (soonest due first); returns how many. Bounded, so no transaction stalls on a large purge.
    @discardableResult
    func forgetArrests(before nowMilliseconds: Int64, limit: Int) throws -> Int {
        try transaction.forgetDue("router_arrests", key: "event_id", before: nowMilliseconds, limit: limit)
    }

    /// How many arrests the router keeps.
    public func arrestCount() throws -> Int {
        try transaction.fetchOne("SELECT count(*) AS n FROM router_arrests")?.get("n", as: Int.self) ?? 0
    }

    // MARK: Checksum

    /// SHA-256 over the cases (their assignments and addresses), the kept arrests and the sent notifications (not the
    /// bookkeeping of when they may be forgotten).
    public func checksum() throws -> String {
        var hash = SHA256()
        for row in try transaction.fetchAll(
            """
            SELECT case_id, state_id, fbi_number, supervision_type, supervising_agency_id, officer_id, officer_name,
                start_date, end_date, subject, address, household FROM router_cases ORDER BY case_id
            """) { hash.update(row: row) }
        for row in try transaction.fetchAll(
            "SELECT case_id, effective_ms, event_id, officer_id, officer_name FROM router_officer_assignments ORDER BY case_id, event_id") {
            hash.update(row: row)
        }
        for row in try transaction.fetchAll("SELECT event_id, state_id, fbi_number, arrest_day, event FROM router_arrests ORDER BY event_id") {
            hash.update(row: row)
        }
        for row in try transaction.fetchAll("SELECT event_id, case_id, event FROM router_early_case_events ORDER BY event_id") {
            hash.update(row: row)
        }
        for row in try transaction.fetchAll(
            "SELECT case_id, effective_on, event_id, address, household FROM router_case_addresses ORDER BY case_id, event_id") {
            hash.update(row: row)
        }
        for row in try transaction.fetchAll("SELECT id, derives_from FROM notifications_sent ORDER BY id") { hash.update(row: row) }
        return hash.finalize().hexString
    }
}
