import Contracts
import Foundation
import GRDB
import ServiceKit

/// The agency directory kept as reference state in a service's own database: every agency's
/// latest entry (from `reference.agencies`), with the places and courts it serves indexed, so a
/// rule loads only the entries that can answer it (`directory(forPlace:in:)`,
/// `directory(forCourt:)`). Each method is one step of the batch transaction it is given;
/// every value a bound parameter.
///
/// A service that needs the directory registers `registerMigrations` with its own and hands
/// the topic's events to `apply(_:)`. Entries are reference state: never pruned by time; a
/// retired agency's row stays, marked so, and answers nothing.
public struct DirectoryStore {
    /// The directory's topic (`Topics/reference.agencies.yaml`).
    public static let topic = "reference.agencies"

    let db: Database

    public init(_ db: Database) { self.db = db }

    /// Registers the directory's tables. Shipped migrations are never edited: changes come as
    /// new ones.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("directory-v1") { db in
            try db.execute(sql: """
                CREATE TABLE directory_agencies (
                    agency_id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
                    entry BLOB
                ) WITHOUT ROWID;
                CREATE TABLE directory_places (
                    state TEXT NOT NULL,
                    place_key TEXT NOT NULL,
                    agency_id TEXT NOT NULL,
                    PRIMARY KEY (state, place_key, agency_id)
                ) WITHOUT ROWID;
                CREATE INDEX directory_places_by_agency ON directory_places (agency_id);
                CREATE TABLE directory_courts (
                    court_id TEXT NOT NULL,
                    agency_id TEXT NOT NULL,
                    PRIMARY KEY (court_id, agency_id)
                ) WITHOUT ROWID;
                CREATE INDEX directory_courts_by_agency ON directory_courts (agency_id);
                """)
        }
    }

    /// Whether `eventType` is one of the directory's events.
    public static func handles(eventType: String) -> Bool {
        eventType == AgencyDescribed.eventType || eventType == AgencyRetired.eventType
    }

    /// Applies a directory event; other events are ignored.
    ///
    /// - Throws: `PoisonMessage` when the event does not decode (it is dead-lettered), or the
    ///   database's error.
    public func apply(_ event: AdmittedEvent) throws {
        switch event.eventType {
        case AgencyDescribed.eventType: try describe(try event.decode(AgencyDescribed.self).payload)
        case AgencyRetired.eventType: try retire(try event.decode(AgencyRetired.self).payload.agencyId)
        default: return
        }
    }

    // MARK: Changes

    /// Stores an agency's entry, replacing the previous one and what it served.
    public func describe(_ entry: AgencyDescribed) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO directory_agencies (agency_id, kind, status, entry) VALUES (?, ?, 'active', ?)
                ON CONFLICT (agency_id) DO UPDATE SET kind = excluded.kind, status = 'active', entry = excluded.entry
                """,
            arguments: [entry.agencyId, entry.kind.rawValue, Data(try EventCodec.encodeJSON(entry))])
        try forgetServed(by: entry.agencyId)
        let state = entry.jurisdiction.state.uppercased()
        for place in Set((entry.jurisdiction.places ?? []).map(PlaceKey.init)) {
            try db.cachedExecute(sql: "INSERT INTO directory_places (state, place_key, agency_id) VALUES (?, ?, ?)",
                                 arguments: [state, place.value, entry.agencyId])
        }
        if entry.kind == .prosecutor {
            for court in Set(entry.courts ?? []) {
                try db.cachedExecute(sql: "INSERT INTO directory_courts (court_id, agency_id) VALUES (?, ?)", arguments: [court, entry.agencyId])
            }
        }
    }

    /// Marks an agency retired (recording the id even if its entry was never read): it serves
    /// no place and no court any more.
    public func retire(_ agencyId: String) throws {
        try db.cachedExecute(
            sql: """
                INSERT INTO directory_agencies (agency_id, status) VALUES (?, 'retired')
                ON CONFLICT (agency_id) DO UPDATE SET status = 'retired'
                """,
            arguments: [agencyId])
        try forgetServed(by: agencyId)
    }

    private func forgetServed(by agencyId: String) throws {
        try db.cachedExecute(sql: "DELETE FROM directory_places WHERE agency_id = ?", arguments: [agencyId])
        try db.cachedExecute(sql: "DELETE FROM directory_courts WHERE agency_id = ?", arguments: [agencyId])
    }

    // MARK: Reads

    /// `active` or `retired`; nil for an agency never read.
    public func status(_ agencyId: String) throws -> String? {
        try String.fetchOne(db, cached: "SELECT status FROM directory_agencies WHERE agency_id = ?", arguments: [agencyId])
    }

    /// The part of the directory that can answer for a place of a state: the active agencies
    /// listing it.
    public func directory(forPlace place: String, in state: String) throws -> AgencyDirectory {
        try directory(
            rows: Row.fetchAll(
                db, cached: """
                    SELECT a.entry FROM directory_places p JOIN directory_agencies a ON a.agency_id = p.agency_id
                    WHERE p.state = ? AND p.place_key = ? AND a.status = 'active' ORDER BY a.agency_id
                    """, arguments: [state.uppercased(), PlaceKey(place).value]))
    }

    /// The part of the directory that can answer for a court: the active prosecutors serving it.
    public func directory(forCourt courtId: String) throws -> AgencyDirectory {
        try directory(
            rows: Row.fetchAll(
                db, cached: """
                    SELECT a.entry FROM directory_courts c JOIN directory_agencies a ON a.agency_id = c.agency_id
                    WHERE c.court_id = ? AND a.status = 'active' ORDER BY a.agency_id
                    """, arguments: [courtId]))
    }

    /// The whole directory (every active agency).
    public func all() throws -> AgencyDirectory {
        try directory(rows: Row.fetchAll(db, cached: "SELECT entry FROM directory_agencies WHERE status = 'active' ORDER BY agency_id"))
    }

    /// A stored entry that no longer decodes is an error (a damaged row), not a missing agency.
    private func directory(rows: [Row]) throws -> AgencyDirectory {
        AgencyDirectory(entries: try rows.map { row in
            let entry: Data = row["entry"]
            return try EventCodec.decodeJSON(AgencyDescribed.self, from: entry)
        })
    }

    // MARK: Checksum

    /// Adds the directory's tables to a service's state checksum.
    public func update(_ hash: inout SHA256) throws {
        for table in ["directory_agencies ORDER BY agency_id", "directory_places ORDER BY state, place_key, agency_id",
                      "directory_courts ORDER BY court_id, agency_id"] {
            for row in try Row.fetchAll(db, cached: "SELECT * FROM \(table)") { hash.update(row: row) }
        }
    }
}
