import Contracts
import Directory
import Foundation
import GRDB
import Notifications
import ServiceKit

/// The warrant resolver's database: every person's warrants (reference state), the warrant
/// check of each release with the warrants it lists, and (through `NotificationOutbox`) the
/// notifications sent. Each method is one step of the batch transaction it is given; this is
/// the only SQL of the resolver, every value a bound parameter.
///
/// Warrants and checks are reference state and are not pruned by time: a warrant leaves the
/// active set when it is recalled, quashed or served (its row stays, marked so).
public struct WarrantStore {
    let db: Database

    public init(_ db: Database) { self.db = db }

    /// Registers the resolver's tables (and the notifications it sends). Shipped migrations
    /// are never edited: changes come as new ones.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        NotificationOutbox.registerMigrations(&migrator)
        migrator.registerMigration("warrants-v1") { db in
            try db.execute(sql: """
                CREATE TABLE warrants (
                    warrant_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    warrant_kind TEXT,
                    issuing_agency_id TEXT,
                    issued_on TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'recalled', 'quashed', 'served')),
                    subject BLOB
                ) WITHOUT ROWID;
                CREATE INDEX warrants_by_state_id ON warrants (state_id);
                CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
                CREATE TABLE warrant_checks (
                    release_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold')),
                    scheduled INTEGER NOT NULL,
                    closed INTEGER NOT NULL DEFAULT 0,
                    facility_id TEXT NOT NULL,
                    facility_name TEXT NOT NULL,
                    release_at TEXT NOT NULL,
                    release_type TEXT NOT NULL,
                    destination BLOB,
                    subject BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                CREATE TABLE warrant_check_items (
                    release_id TEXT NOT NULL REFERENCES warrant_checks (release_id),
                    warrant_id TEXT NOT NULL,
                    PRIMARY KEY (release_id, warrant_id)
                ) WITHOUT ROWID;
                """)
        }
        // v2: warrants and checks (rows of 300-500 bytes, keyed by partners' ids) in rowid tables
        // with the id in a unique index, appended rather than inserted into random leaves (see
        // NotificationOutbox's notifications-v2). Check items stay: their rows are small.
        migrator.registerMigration("warrants-v2") { db in
            try db.rebuildTable(
                "warrants",
                definition: """
                    warrant_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    warrant_kind TEXT,
                    issuing_agency_id TEXT,
                    issued_on TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'recalled', 'quashed', 'served')),
                    subject BLOB
                    """,
                columns: ["warrant_id", "state_id", "fbi_number", "warrant_kind", "issuing_agency_id", "issued_on", "status", "subject"],
                order: "warrant_id")
            try db.rebuildTable(
                "warrant_checks",
                definition: """
                    release_id TEXT NOT NULL UNIQUE,
                    state_id TEXT,
                    fbi_number TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold')),
                    scheduled INTEGER NOT NULL,
                    closed INTEGER NOT NULL DEFAULT 0,
                    facility_id TEXT NOT NULL,
                    facility_name TEXT NOT NULL,
                    release_at TEXT NOT NULL,
                    release_type TEXT NOT NULL,
                    destination BLOB,
                    subject BLOB NOT NULL
                    """,
                columns: ["release_id", "state_id", "fbi_number", "status", "scheduled", "closed", "facility_id", "facility_name",
                          "release_at", "release_type", "destination", "subject"],
                order: "release_id")
            try db.execute(sql: """
                CREATE INDEX warrants_by_state_id ON warrants (state_id);
                CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
                CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                """)
        }
        // The agency directory (`reference.agencies`), which names the police of a destination.
        DirectoryStore.registerMigrations(&migrator)
    }

    // MARK: Warrants

    /// The status of a warrant (`active`, `recalled`, `quashed`, `served`); nil if never seen.
    public func warrantStatus(_ warrantId: String) throws -> String? {
        try String.fetchOne(db, cached: "SELECT status FROM warrants WHERE warrant_id = ?", arguments: [warrantId])
    }

    /// Stores an issued warrant as active, or updates its details when it is known already
    /// (a resolution read before the issue keeps it resolved).
    func saveIssued(_ issued: EventEnvelope<WarrantIssued>) throws {
        let warrant = issued.payload
        try db.cachedExecute(
            sql: """
                INSERT INTO warrants (warrant_id, state_id, fbi_number, warrant_kind, issuing_agency_id, issued_on, status, subject)
                VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
                ON CONFLICT (warrant_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                    warrant_kind = excluded.warrant_kind, issuing_agency_id = excluded.issuing_agency_id,
                    issued_on = excluded.issued_on, subject = excluded.subject
                """,
            arguments: [warrant.warrantId, issued.subject?.stateId, issued.subject?.fbiNumber, warrant.warrantKind.rawValue,
                        warrant.issuingAgencyId, warrant.issuedOn.description, Data(try EventCodec.encodeJSON(issued.subject))])
    }

    /// Stores a warrant first seen resolved (its issue not read yet).
    func saveFirstSeenResolved(_ warrantId: String, status: String, subject: SubjectIdentifiers?) throws {
        try db.cachedExecute(sql: "INSERT INTO warrants (warrant_id, state_id, fbi_number, status, subject) VALUES (?, ?, ?, ?, ?)",
                             arguments: [warrantId, subject?.stateId, subject?.fbiNumber, status, Data(try EventCodec.encodeJSON(subject))])
    }

    func setWarrantStatus(_ warrantId: String, _ status: String) throws {
        try db.cachedExecute(sql: "UPDATE warrants SET status = ? WHERE warrant_id = ?", arguments: [status, warrantId])
    }

    /// The active warrants of the person `subject` names (same state ID or FBI number), by id.
    public func activeWarrants(of subject: SubjectIdentifiers?) throws -> [Warrant] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db, cached: """
                SELECT warrant_id, warrant_kind, issuing_agency_id FROM warrants
                WHERE ((state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)) AND status = 'active'
                ORDER BY warrant_id
                """, arguments: [subject.stateId, subject.fbiNumber]
        ).map(Self.warrant(row:))
    }

    /// The warrants listed on a check that are still active, by id.
    public func activeWarrants(on releaseId: String) throws -> [Warrant] {
        try Row.fetchAll(
            db, cached: """
                SELECT w.warrant_id, w.warrant_kind, w.issuing_agency_id FROM warrant_check_items i
                JOIN warrants w ON w.warrant_id = i.warrant_id
                WHERE i.release_id = ? AND w.status = 'active' ORDER BY w.warrant_id
                """, arguments: [releaseId]
        ).map(Self.warrant(row:))
    }

    private static func warrant(row: Row) -> Warrant {
        Warrant(warrantId: row["warrant_id"], kind: row["warrant_kind"] ?? "unknown", issuingAgencyId: row["issuing_agency_id"] ?? "unknown")
    }

    // MARK: Checks

    /// The check of a release, if there is one.
    public func check(_ releaseId: String) throws -> WarrantCheck? {
        try Row.fetchOne(db, cached: "SELECT * FROM warrant_checks WHERE release_id = ?", arguments: [releaseId]).map(Self.check(row:))
    }

    /// The open checks (release not yet happened or cancelled) of the person `subject` names.
    func openChecks(of subject: SubjectIdentifiers?) throws -> [WarrantCheck] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try Row.fetchAll(
            db, cached: """
                SELECT * FROM warrant_checks
                WHERE ((state_id IS NOT NULL AND state_id = ?) OR (fbi_number IS NOT NULL AND fbi_number = ?)) AND closed = 0
                ORDER BY release_id
                """, arguments: [subject.stateId, subject.fbiNumber]
        ).map(Self.check(row:))
    }

    /// The open, pending checks that list `warrantId`, by release id.
    func openPendingChecks(listing warrantId: String) throws -> [String] {
        try String.fetchAll(
            db, cached: """
                SELECT c.release_id FROM warrant_checks c JOIN warrant_check_items i ON i.release_id = c.release_id
                WHERE i.warrant_id = ? AND c.closed = 0 AND c.status = 'pending' ORDER BY c.release_id
                """, arguments: [warrantId])
    }

    /// Opens a check listing `warrants`.
    func insert(_ check: WarrantCheck, warrants: [Warrant]) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO warrant_checks (release_id, state_id, fbi_number, status, scheduled, closed, facility_id, facility_name,
                    release_at, release_type, destination, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [check.releaseId, check.stateId, check.fbiNumber, check.status, check.scheduled, check.closed, check.facilityId,
                        check.facilityName, check.releaseAt, check.releaseType, try check.destination.map { Data(try EventCodec.encodeJSON($0)) },
                        Data(try EventCodec.encodeJSON(check.subject))])
        for warrant in warrants {
            try db.cachedExecute(sql: "INSERT INTO warrant_check_items (release_id, warrant_id) VALUES (?, ?)",
                                 arguments: [check.releaseId, warrant.warrantId])
        }
    }

    /// Lists `warrantId` on an open check, which becomes `pending`.
    func addWarrant(_ warrantId: String, toCheck releaseId: String) throws {
        try db.cachedExecute(sql: "INSERT OR IGNORE INTO warrant_check_items (release_id, warrant_id) VALUES (?, ?)",
                             arguments: [releaseId, warrantId])
        try db.cachedExecute(sql: "UPDATE warrant_checks SET status = 'pending' WHERE release_id = ?", arguments: [releaseId])
    }

    func markClear(_ releaseId: String) throws {
        try db.cachedExecute(sql: "UPDATE warrant_checks SET status = 'clear' WHERE release_id = ?", arguments: [releaseId])
    }

    /// Closes a check: the release happened or was cancelled.
    func close(_ releaseId: String) throws {
        try db.cachedExecute(sql: "UPDATE warrant_checks SET closed = 1 WHERE release_id = ?", arguments: [releaseId])
    }

    /// A stored check; a subject or destination that no longer decodes is an error (a damaged
    /// row), not a notification without the person's name.
    private static func check(row: Row) throws -> WarrantCheck {
        let destination: Data? = row["destination"]
        let subject: Data = row["subject"]
        return WarrantCheck(
            releaseId: row["release_id"], stateId: row["state_id"], fbiNumber: row["fbi_number"], status: row["status"],
            scheduled: row["scheduled"], closed: row["closed"], facilityId: row["facility_id"], facilityName: row["facility_name"],
            releaseAt: row["release_at"], releaseType: row["release_type"],
            destination: try destination.map { try JSONDecoder().decode(Address.self, from: $0) },
            subject: try JSONDecoder().decode(SubjectIdentifiers?.self, from: subject))
    }

    // MARK: Checksum

    /// SHA-256 over warrants, checks, check items, the directory and sent notifications.
    public func checksum() throws -> String {
        var hash = SHA256()
        for table in ["warrants ORDER BY warrant_id", "warrant_checks ORDER BY release_id", "warrant_check_items ORDER BY release_id, warrant_id"] {
            for row in try Row.fetchAll(db, cached: "SELECT * FROM \(table)") { hash.update(row: row) }
        }
        try DirectoryStore(db).update(&hash)
        // The columns sent notifications had when this checksum was defined (not when they may be forgotten).
        for row in try Row.fetchAll(db, cached: "SELECT id, recipient, priority, rule, source_event_id, body FROM notifications_sent ORDER BY id") {
            hash.update(row: row)
        }
        return hash.finalize().hexString
    }
}
