import Contracts
import Foundation
import Storage
import ServiceKit

/// The agency directory kept as reference state in a service's own database: every agency's
/// latest entry (from `reference.agencies`), with the places and courts it serves indexed, so a
/// rule loads only the entries that can answer it (`directory(forPlace:in:)`,
/// `directory(forCourt:)`). Each method is one step of the batch transaction it is given;
/// every value a bound parameter.
///
/// A service that needs the directory adds `migrations` to its own and hands
/// the topic's events to `apply(_:)`. Entries are reference state: never pruned by time; a
/// retired agency's row stays, marked so, and answers nothing.
public struct DirectoryStore {
    /// The directory's topic (`Topics/reference.agencies.yaml`).
    public static let topic = "reference.agencies"

    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// The directory's tables. Shipped steps are never edited: changes come as new ones.
    /// v1 shipped on SQLite alone and stays literal there.
    public static let migrations: [StorageMigration] = [
        .script("directory-v1", sqlite: """
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
            """,
            postgres: """
            CREATE TABLE directory_agencies (
                agency_id TEXT PRIMARY KEY NOT NULL,
                kind TEXT,
                status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
                entry BYTEA
            );
            CREATE TABLE directory_places (
                state TEXT NOT NULL,
                place_key TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                PRIMARY KEY (state, place_key, agency_id)
            );
            CREATE INDEX directory_places_by_agency ON directory_places (agency_id);
            CREATE TABLE directory_courts (
                court_id TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                PRIMARY KEY (court_id, agency_id)
            );
            CREATE INDEX directory_courts_by_agency ON directory_courts (agency_id);
            """),
    ]

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
        transaction.scratch.forget(Self.placeLookups)
        try transaction.execute(
            """
            INSERT INTO directory_agencies (agency_id, kind, status, entry) VALUES ($1, $2, 'active', $3)
            ON CONFLICT (agency_id) DO UPDATE SET kind = excluded.kind, status = 'active', entry = excluded.entry
            """,
            [.text(entry.agencyId), .text(entry.kind.rawValue), .bytes(try EventCodec.encodeJSON(entry))])
        try forgetServed(by: entry.agencyId)
        let state = entry.jurisdiction.state.uppercased()
        for place in Set((entry.jurisdiction.places ?? []).map(PlaceKey.init)) {
            try transaction.execute(
                "INSERT INTO directory_places (state, place_key, agency_id) VALUES ($1, $2, $3)",
                [.text(state), .text(place.value), .text(entry.agencyId)])
        }
        if entry.kind == .prosecutor {
            for court in Set(entry.courts ?? []) {
                try transaction.execute(
                    "INSERT INTO directory_courts (court_id, agency_id) VALUES ($1, $2)", [.text(court), .text(entry.agencyId)])
            }
        }
    }

    /// Marks an agency retired (recording the id even if its entry was never read): it serves
    /// no place and no court any more.
    public func retire(_ agencyId: String) throws {
        transaction.scratch.forget(Self.placeLookups)
        try transaction.execute(
            """
            INSERT INTO directory_agencies (agency_id, status) VALUES ($1, 'retired')
            ON CONFLICT (agency_id) DO UPDATE SET status = 'retired'
            """,
            [.text(agencyId)])
        try forgetServed(by: agencyId)
    }

    private func forgetServed(by agencyId: String) throws {
        try transaction.execute("DELETE FROM directory_places WHERE agency_id = $1", [.text(agencyId)])
        try transaction.execute("DELETE FROM directory_courts WHERE agency_id = $1", [.text(agencyId)])
    }

    // MARK: Reads

    /// `active` or `retired`; nil for an agency never read.
    public func status(_ agencyId: String) throws -> String? {
        try transaction.fetchOne("SELECT status FROM directory_agencies WHERE agency_id = $1", [.text(agencyId)])?.get("status")
    }

    /// The part of the directory that can answer for a place of a state: the active agencies
    /// listing it. Remembered for the rest of the transaction until ``describe(_:)`` or
    /// ``retire(_:)`` (the router asks it for most events, often for the same few places).
    public func directory(forPlace place: String, in state: String) throws -> AgencyDirectory {
        let state = state.uppercased(), place = PlaceKey(place).value
        return try transaction.scratch.remembered(Self.placeLookups, key: "\(state)\u{0}\(place)") {
            try directory(rows: transaction.fetchAll(
                """
                SELECT a.entry FROM directory_places p JOIN directory_agencies a ON a.agency_id = p.agency_id
                WHERE p.state = $1 AND p.place_key = $2 AND a.status = 'active' ORDER BY a.agency_id
                """,
                [.text(state), .text(place)]))
        }
    }

    /// The family of ``directory(forPlace:in:)``'s remembered reads; every write of this store
    /// forgets them.
    private static let placeLookups = "directory-place-lookups"

    /// The part of the directory that can answer for a court: the active prosecutors serving it.
    public func directory(forCourt courtId: String) throws -> AgencyDirectory {
        try directory(rows: transaction.fetchAll(
            """
            SELECT a.entry FROM directory_courts c JOIN directory_agencies a ON a.agency_id = c.agency_id
            WHERE c.court_id = $1 AND a.status = 'active' ORDER BY a.agency_id
            """,
            [.text(courtId)]))
    }

    /// An active agency's entry; nil when it was never read or is retired.
    public func entry(_ agencyId: String) throws -> AgencyDescribed? {
        try directory(rows: transaction.fetchAll(
            "SELECT entry FROM directory_agencies WHERE agency_id = $1 AND status = 'active'", [.text(agencyId)])).agency(agencyId)
    }

    /// The whole directory (every active agency).
    public func all() throws -> AgencyDirectory {
        try directory(rows: transaction.fetchAll("SELECT entry FROM directory_agencies WHERE status = 'active' ORDER BY agency_id"))
    }

    /// A stored entry that no longer decodes is an error (a damaged row), not a missing agency.
    private func directory(rows: [StorageRow]) throws -> AgencyDirectory {
        AgencyDirectory(entries: try rows.map { row in
            try EventCodec.decodeJSON(AgencyDescribed.self, from: try row.get("entry", as: [UInt8].self))
        })
    }

    // MARK: Checksum

    /// Adds the directory's tables to a service's state checksum.
    public func update(_ hash: inout SHA256) throws {
        for query in [
            "SELECT agency_id, kind, status, entry FROM directory_agencies ORDER BY agency_id",
            "SELECT state, place_key, agency_id FROM directory_places ORDER BY state, place_key, agency_id",
            "SELECT court_id, agency_id FROM directory_courts ORDER BY court_id, agency_id",
        ] {
            for row in try transaction.fetchAll(query) { hash.update(row: row) }
        }
    }
}
