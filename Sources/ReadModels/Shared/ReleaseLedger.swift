import Contracts
import Foundation
import ServiceKit
import Storage

/// Releases from `custody.releases`, as every view that shows them keeps them: one copy for
/// all of them (``views``, tables `views_release_events` and `views_releases`), since the
/// five views that show releases folded the same events into the same rows, five times over.
/// Each view lists the shared tables' step (``sharedStep``) and a step moving what it had kept
/// under its own prefix into them (``movedStep(from:id:)``), so a view also works alone in a
/// database of its own; the service lists the shared step once (`ViewsProjection`).
///
/// - `<prefix>_release_events`: every event read, once per event id, with its bytes;
/// - `<prefix>_releases`: each release's history folded from them (``ReleaseFold``), one row
///   per state with the instants it was in force: from `valid_from` (its event's
///   `occurredAt`) until `valid_until` (the next state's, NULL for the current one).
///
/// So a query asks about the release as it stood at its `asOf` (``inForceCondition(_:asOf:)``):
/// scheduled by then, moved by then, cancelled or completed by then. Because the whole history
/// is folded again from the stored events at each new event, the order of reading does not
/// matter, and the same event twice changes nothing.
///
/// `<prefix>_releases` columns: `release_id`, `valid_from`, `valid_until`, the person
/// (``PersonOnRecord/columns``, merged over the release's events), `status`
/// (``ReleaseStatus``), `facility_id`, `facility_name`, `facility_kind`, `expected_at` (the
/// latest expected instant, ms), `released_at`, `board_at` (`expected_at`, else
/// `released_at`), `release_type`, `destination` (JSON `Address`), `destination_place`
/// (``JurisdictionPlace/key`` of the destination), `supervision_type`, `supervising_agency_id`.
struct ReleaseLedger: Sendable {
    /// The table prefix: `views` for the ledger the views read; a view's own prefix
    /// (`caseload`, `police`, …) only in the steps that created and moved what they kept before.
    let prefix: String

    /// The ledger every view reads and writes.
    static let views = ReleaseLedger(prefix: "views")

    var eventsTable: String { "\(prefix)_release_events" }
    var releasesTable: String { "\(prefix)_releases" }
    var tables: [String] { [eventsTable, releasesTable] }

    func handles(eventType: String) -> Bool { ReleaseEvent.types.contains(eventType) }

    /// The tables, in the shared dialect. A store's shipped migration keeps the text it shipped
    /// with: a change here is a new step in every store that uses the ledger.
    var schema: String {
        """
        CREATE TABLE \(eventsTable) (
            event_id TEXT PRIMARY KEY NOT NULL,
            release_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            event_type TEXT NOT NULL,
            body BYTEA NOT NULL
        );
        CREATE INDEX \(eventsTable)_by_release ON \(eventsTable) (release_id);
        CREATE INDEX \(eventsTable)_by_person ON \(eventsTable) (person_key);
        CREATE TABLE \(releasesTable) (
            release_id TEXT NOT NULL,
            valid_from BIGINT NOT NULL,
            valid_until BIGINT,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            name TEXT,
            date_of_birth BIGINT,
            status TEXT NOT NULL,
            facility_id TEXT,
            facility_name TEXT,
            facility_kind TEXT,
            expected_at BIGINT,
            released_at BIGINT,
            board_at BIGINT,
            release_type TEXT,
            destination TEXT,
            destination_place TEXT,
            supervision_type TEXT,
            supervising_agency_id TEXT,
            PRIMARY KEY (release_id, valid_from)
        );
        CREATE INDEX \(releasesTable)_by_facility ON \(releasesTable) (facility_id, board_at);
        CREATE INDEX \(releasesTable)_by_place ON \(releasesTable) (destination_place, expected_at);
        CREATE INDEX \(releasesTable)_by_expected ON \(releasesTable) (expected_at);
        CREATE INDEX \(releasesTable)_by_person ON \(releasesTable) (person_key);
        CREATE INDEX \(releasesTable)_by_state_id ON \(releasesTable) (state_id);
        CREATE INDEX \(releasesTable)_by_fbi_number ON \(releasesTable) (fbi_number)
        """
    }

    /// Records one release event and folds its release's history again.
    ///
    /// - Throws: `PoisonMessage` when it does not decode or names nobody by state ID or FBI
    ///   number (nothing is written then); `StorageError`; ``UnreadableViewRow`` when a stored
    ///   event of the release cannot be read back.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        try SharedLedgerWrite.once(event, into: eventsTable, transaction) { try keep(event, in: transaction) }
    }

    private func keep(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let release = try ReleaseEvent(event)
        let person = try PersonKey(subject: release.subject)
        let inserted = try transaction.execute(
            """
            INSERT INTO \(eventsTable) (event_id, release_id, person_key, event_type, body)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(event.eventId), .text(release.releaseId), .text(person.value), .text(event.eventType), .bytes(event.value)])
        guard inserted > 0 else { return }
        // The row just written holds these bytes: the fold below need not decode them again.
        DecodedReleaseEvent(eventType: event.eventType, body: event.value, event: release).remember(event.eventId, in: transaction.scratch)
        try refold(release.releaseId, in: transaction)
    }

    /// Rewrites a release's history from all its stored events.
    ///
    /// The events decoded in this transaction are kept in its scratch (``DecodedReleaseEvent``):
    /// a release's events are read back at each of its events, and each is decoded once.
    func refold(_ releaseId: String, in transaction: any StorageTransaction) throws {
        var events: [ReleaseEvent] = []
        for row in try transaction.fetchAll(
            "SELECT event_id, event_type, body FROM \(eventsTable) WHERE release_id = $1", [.text(releaseId)]
        ) {
            let eventId = try row.get("event_id", as: String.self)
            let stored = DecodedReleaseEvent.Stored(eventType: try row.get("event_type"), body: try row.get("body"))
            switch DecodedReleaseEvent.recall(eventId, stored, in: transaction.scratch) {
            case .same(let event):
                events.append(event)
            case .different:
                events.append(try ReleaseEvent(storedType: stored.eventType, body: stored.body, table: eventsTable))
            case .unknown:
                let event = try ReleaseEvent(storedType: stored.eventType, body: stored.body, table: eventsTable)
                DecodedReleaseEvent(eventType: stored.eventType, body: stored.body, event: event).remember(eventId, in: transaction.scratch)
                events.append(event)
            }
        }
        let folded = try FoldedRelease(releaseId, ReleaseFold(events))
        try write(folded, releaseId, in: transaction)
    }

    /// The columns of a `<prefix>_releases` row, in the order of ``FoldedRelease/rows``.
    static let rowColumns = """
        release_id, valid_from, valid_until, \(PersonOnRecord.columns), status, facility_id, facility_name, facility_kind, \
        expected_at, released_at, board_at, release_type, destination, destination_place, supervision_type, supervising_agency_id
        """
    /// Where `valid_from` and `valid_until` stand in a row.
    private static let validFrom = 1, validUntil = 2

    /// Makes the release's stored history the folded one, writing only what changed. A new event
    /// usually appends a state: the state it ends gets its `valid_until` (a column no index
    /// holds, so no index is touched) and the new state is inserted; the earlier states stay
    /// as they are. Rewriting every state instead would delete and insert each with its six
    /// indexes.
    private func write(_ folded: FoldedRelease, _ releaseId: String, in transaction: any StorageTransaction) throws {
        var stored: [SQLValue: [SQLValue]] = [:]
        for row in try transaction.fetchAll(
            "SELECT \(Self.rowColumns) FROM \(releasesTable) WHERE release_id = $1", [.text(releaseId)]
        ) {
            stored[row.values[Self.validFrom]] = row.values
        }
        let wanted = Set(folded.rows.map { $0[Self.validFrom] })
        for (from, _) in stored where !wanted.contains(from) {
            try transaction.send("DELETE FROM \(releasesTable) WHERE release_id = $1 AND valid_from = $2", [.text(releaseId), from])
        }
        for row in folded.rows {
            let from = row[Self.validFrom]
            if let before = stored[from] {
                if before == row { continue }
                if Self.differOnlyInValidUntil(before, row) {
                    try transaction.send(
                        "UPDATE \(releasesTable) SET valid_until = $1 WHERE release_id = $2 AND valid_from = $3",
                        [row[Self.validUntil], .text(releaseId), from])
                    continue
                }
                try transaction.send("DELETE FROM \(releasesTable) WHERE release_id = $1 AND valid_from = $2", [.text(releaseId), from])
            }
            try transaction.send(
                """
                INSERT INTO \(releasesTable) (\(Self.rowColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                """,
                row)
        }
    }

    private static func differOnlyInValidUntil(_ a: [SQLValue], _ b: [SQLValue]) -> Bool {
        a.count == b.count && a.indices.allSatisfy { $0 == validUntil || a[$0] == b[$0] }
    }

    // MARK: Query parts

    /// SQL true when the state of a release aliased `alias` is the one in force at the instant
    /// bound to `asOf` (e.g. `$1`): a release not scheduled or completed by then has none.
    func inForceCondition(_ alias: String, asOf: String) -> String {
        "\(alias).valid_from <= \(asOf) AND (\(alias).valid_until IS NULL OR \(alias).valid_until > \(asOf))"
    }

    /// SQL true when the release aliased `alias` is still ahead at the instant bound to `asOf`:
    /// scheduled by then (possibly changed), neither cancelled nor completed by then.
    func upcomingCondition(_ alias: String, asOf: String) -> String {
        let upcoming = ReleaseStatus.allCases.filter(\.isUpcoming).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return "\(inForceCondition(alias, asOf: asOf)) AND \(alias).status IN (\(upcoming))"
    }
}

/// A release's state as the views read it back from `<prefix>_releases`.
struct StoredRelease {
    var releaseId: String
    var person: PersonOnRecord
    var state: ReleaseState

    /// The columns to select, with `alias` (e.g. `r`) before each.
    static func columns(_ alias: String) -> String {
        ["release_id", "person_key", "state_id", "fbi_number", "name", "date_of_birth", "status", "facility_id", "facility_name",
         "facility_kind", "expected_at", "released_at", "release_type", "destination", "supervision_type", "supervising_agency_id"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        releaseId = try row.get("release_id")
        person = try PersonOnRecord(row, table: table)
        var facility: Facility?
        if let facilityId = try row.get("facility_id", as: String?.self) {
            facility = Facility(
                facilityId: facilityId, name: try row.get("facility_name"),
                kind: try StoredColumn.code(FacilityKind.self, "facility_kind", in: row, table: table))
        }
        state = ReleaseState(
            status: try StoredColumn.code(ReleaseStatus.self, "status", in: row, table: table), facility: facility,
            expectedAt: try row.get("expected_at", as: Int64?.self).map(ViewTime.date),
            releasedAt: try row.get("released_at", as: Int64?.self).map(ViewTime.date),
            releaseType: try StoredColumn.optionalCode(ReleaseType.self, "release_type", in: row, table: table),
            destination: try StoredColumn.optionalJSON(Address.self, "destination", in: row, table: table),
            supervisionType: try StoredColumn.optionalCode(SupervisionType.self, "supervision_type", in: row, table: table),
            supervisingAgencyId: try row.get("supervising_agency_id"))
    }

    /// The facility, which every scheduled or completed release names.
    func facility(table: String) throws -> Facility {
        guard let facility = state.facility else {
            throw UnreadableViewRow(table: table, column: "facility_id", reason: "is NULL for a scheduled or completed release")
        }
        return facility
    }

    /// The expected release of a release listed as upcoming, which always has one.
    func expectedAt(table: String) throws -> Date {
        guard let expectedAt = state.expectedAt else {
            throw UnreadableViewRow(table: table, column: "expected_at", reason: "is NULL for an upcoming release")
        }
        return expectedAt
    }
}
