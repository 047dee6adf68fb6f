import Contracts
import ServiceKit
import Storage

/// The releases a view knows, from `custody.releases`: every event read (`<prefix>_release_events`,
/// once per event id) and each release's current state folded from them (`<prefix>_releases`,
/// `ReleaseFold`). The police, release-board and reentry views each keep their own copy under
/// their own table prefix, so each can run as its own service.
///
/// `<prefix>_releases` columns a query uses: `status` (`ReleaseStatus`), `facility_id`,
/// `expected_at` (the latest expected instant, ms), `released_at`, `board_at` (`expected_at`,
/// else `released_at`), `destination_place` (`JurisdictionPlace.key` of the destination),
/// `state_id`/`fbi_number` (for matching warrants the way the warrant resolver does) and
/// `subject` (JSON `SubjectIdentifiers`).
struct ReleaseLedger: Sendable {
    let prefix: String

    var eventsTable: String { "\(prefix)_release_events" }
    var releasesTable: String { "\(prefix)_releases" }
    var tables: [String] { [eventsTable, releasesTable] }

    /// The tables, in the shared dialect.
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
            release_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            subject TEXT,
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
            supervising_agency_id TEXT
        );
        CREATE INDEX \(releasesTable)_by_facility ON \(releasesTable) (facility_id, board_at);
        CREATE INDEX \(releasesTable)_by_place ON \(releasesTable) (destination_place, expected_at);
        CREATE INDEX \(releasesTable)_by_expected ON \(releasesTable) (expected_at);
        CREATE INDEX \(releasesTable)_by_person ON \(releasesTable) (person_key);
        CREATE INDEX \(releasesTable)_by_state_id ON \(releasesTable) (state_id)
        """
    }

    /// Records one release event and refolds its release. The same event again changes nothing.
    ///
    /// - Throws: `PoisonMessage` when it does not decode or names nobody (no state ID, no FBI
    ///   number); nothing is written then.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let release = try ReleaseEvent(event)
        let personKey = try LedgerPerson.key(release.subject)
        let inserted = try transaction.execute(
            """
            INSERT INTO \(eventsTable) (event_id, release_id, person_key, event_type, body)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(event.eventId), .text(release.releaseId), .text(personKey), .text(event.eventType), .bytes(event.value)])
        guard inserted > 0 else { return }
        try refold(release.releaseId, in: transaction)
    }

    /// Rewrites a release's row from all its stored events.
    private func refold(_ releaseId: String, in transaction: any StorageTransaction) throws {
        let rows = try transaction.fetchAll(
            "SELECT event_type, body FROM \(eventsTable) WHERE release_id = $1", [.text(releaseId)])
        var events: [ReleaseEvent] = []
        for row in rows {
            events.append(try ReleaseEvent(
                storedType: try row.get("event_type", as: String.self), body: try row.get("body", as: [UInt8].self), table: eventsTable))
        }
        let fold = ReleaseFold(events)
        guard let status = fold.status else { return }
        let personKey = try LedgerPerson.key(fold.subject)
        let expectedAt = fold.expectedAt.map(LedgerTime.milliseconds)
        let releasedAt = fold.releasedAt.map(LedgerTime.milliseconds)
        let boardAt = expectedAt ?? releasedAt
        try transaction.execute(
            """
            INSERT INTO \(releasesTable) (
                release_id, person_key, state_id, fbi_number, subject, status, facility_id, facility_name, facility_kind,
                expected_at, released_at, board_at, release_type, destination, destination_place, supervision_type,
                supervising_agency_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            ON CONFLICT (release_id) DO UPDATE SET
                person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                subject = excluded.subject, status = excluded.status, facility_id = excluded.facility_id,
                facility_name = excluded.facility_name, facility_kind = excluded.facility_kind,
                expected_at = excluded.expected_at, released_at = excluded.released_at, board_at = excluded.board_at,
                release_type = excluded.release_type, destination = excluded.destination,
                destination_place = excluded.destination_place, supervision_type = excluded.supervision_type,
                supervising_agency_id = excluded.supervising_agency_id
            """,
            [
                .text(releaseId), .text(personKey), fold.subject?.stateId.sqlValue ?? .null, fold.subject?.fbiNumber.sqlValue ?? .null,
                try LedgerJSON.optionalText(fold.subject).sqlValue, .text(status.rawValue),
                fold.facility?.facilityId.sqlValue ?? .null, fold.facility?.name.sqlValue ?? .null,
                fold.facility?.kind.rawValue.sqlValue ?? .null,
                expectedAt.sqlValue, releasedAt.sqlValue, boardAt.sqlValue, fold.releaseType?.rawValue.sqlValue ?? .null,
                try LedgerJSON.optionalText(fold.destination).sqlValue,
                fold.destination.map { JurisdictionPlace(of: $0).key }.sqlValue,
                fold.supervisionType?.rawValue.sqlValue ?? .null, fold.supervisingAgencyId.sqlValue,
            ])
    }
}

/// A release as the views read it back from `<prefix>_releases`.
struct StoredRelease {
    var releaseId: String
    var person: PersonOnRecord
    var status: ReleaseStatus
    var facility: Facility?
    var expectedAt: Int64?
    var releasedAt: Int64?
    var releaseType: ReleaseType?
    var destination: Address?
    var supervisionType: SupervisionType?
    var supervisingAgencyId: String?

    /// The columns to select, with `alias` (e.g. `r`) before each.
    static func columns(_ alias: String) -> String {
        ["release_id", "person_key", "subject", "status", "facility_id", "facility_name", "facility_kind", "expected_at",
         "released_at", "release_type", "destination", "supervision_type", "supervising_agency_id"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        releaseId = try row.get("release_id")
        let subject = try LedgerJSON.decodeIfPresent(SubjectIdentifiers.self, try row.get("subject", as: String?.self), table: table, column: "subject")
        person = PersonOnRecord(personKey: try row.get("person_key"), subject: subject)
        guard let status = ReleaseStatus(rawValue: try row.get("status")) else { throw StoredValueError(table: table, column: "status") }
        self.status = status
        if let id = try row.get("facility_id", as: String?.self), let name = try row.get("facility_name", as: String?.self),
            let kind = FacilityKind(rawValue: try row.get("facility_kind", as: String?.self) ?? "")
        {
            facility = Facility(facilityId: id, name: name, kind: kind)
        }
        expectedAt = try row.get("expected_at")
        releasedAt = try row.get("released_at")
        releaseType = try row.get("release_type", as: String?.self).flatMap(ReleaseType.init(rawValue:))
        destination = try LedgerJSON.decodeIfPresent(Address.self, try row.get("destination", as: String?.self), table: table, column: "destination")
        supervisionType = try row.get("supervision_type", as: String?.self).flatMap(SupervisionType.init(rawValue:))
        supervisingAgencyId = try row.get("supervising_agency_id")
    }
}
