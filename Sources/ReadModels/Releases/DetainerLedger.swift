import Contracts
import ServiceKit
import Storage

/// The detainers the release board knows, from `courts.warrants`: each lodged detainer
/// (`releases_detainers`) and each lift read (`releases_detainer_lifts`), kept apart so that a
/// lift read first still lifts it. Active at an instant when lodged by then (from the start of
/// its day, UTC) and not lifted by then; an active detainer puts a release on `hold`.
struct DetainerLedger: Sendable {
    let prefix: String

    var detainersTable: String { "\(prefix)_detainers" }
    var liftsTable: String { "\(prefix)_detainer_lifts" }
    var tables: [String] { [detainersTable, liftsTable] }

    static let types: Set<String> = [DetainerLodged.eventType, DetainerLifted.eventType]

    var schema: String {
        """
        CREATE TABLE \(detainersTable) (
            detainer_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            detainer_kind TEXT NOT NULL,
            requesting_agency_id TEXT NOT NULL,
            lodged_on TEXT NOT NULL,
            lodged_at BIGINT NOT NULL,
            facility_id TEXT,
            warrant_id TEXT,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(detainersTable)_by_person ON \(detainersTable) (person_key);
        CREATE INDEX \(detainersTable)_by_state_id ON \(detainersTable) (state_id);
        CREATE INDEX \(detainersTable)_by_fbi_number ON \(detainersTable) (fbi_number);
        CREATE TABLE \(liftsTable) (
            detainer_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            person_key TEXT,
            lifted_on TEXT NOT NULL,
            lifted_at BIGINT NOT NULL,
            PRIMARY KEY (detainer_id, event_id)
        );
        CREATE INDEX \(liftsTable)_by_person ON \(liftsTable) (person_key)
        """
    }

    /// Applies a detainer event (lodged, lifted).
    ///
    /// - Throws: `PoisonMessage` for a lodged detainer naming nobody, or an event that does not
    ///   decode. A lift may name nobody: it is kept by detainer id.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case DetainerLodged.eventType:
            let lodged = try event.decode(DetainerLodged.self)
            let personKey = try LedgerPerson.key(lodged.subject)
            let detainer = lodged.payload
            try transaction.execute(
                """
                INSERT INTO \(detainersTable) (
                    detainer_id, person_key, state_id, fbi_number, detainer_kind, requesting_agency_id, lodged_on, lodged_at,
                    facility_id, warrant_id, occurred_at, event_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                ON CONFLICT (detainer_id) DO UPDATE SET
                    person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                    detainer_kind = excluded.detainer_kind, requesting_agency_id = excluded.requesting_agency_id,
                    lodged_on = excluded.lodged_on, lodged_at = excluded.lodged_at, facility_id = excluded.facility_id,
                    warrant_id = excluded.warrant_id, occurred_at = excluded.occurred_at, event_id = excluded.event_id
                WHERE \(detainersTable).occurred_at < excluded.occurred_at
                    OR (\(detainersTable).occurred_at = excluded.occurred_at AND \(detainersTable).event_id < excluded.event_id)
                """,
                [
                    .text(detainer.detainerId), .text(personKey), lodged.subject?.stateId.sqlValue ?? .null,
                    lodged.subject?.fbiNumber.sqlValue ?? .null, .text(detainer.detainerKind.rawValue),
                    .text(detainer.requestingAgencyId), .text(detainer.lodgedOn.description),
                    .integer(LedgerTime.start(of: detainer.lodgedOn)), detainer.facility?.facilityId.sqlValue ?? .null,
                    detainer.warrantId.sqlValue, .integer(LedgerTime.milliseconds(lodged.occurredAt)), .text(event.eventId),
                ])
        case DetainerLifted.eventType:
            let lifted = try event.decode(DetainerLifted.self)
            let day = lifted.payload.liftedOn
            try transaction.execute(
                """
                INSERT INTO \(liftsTable) (detainer_id, event_id, person_key, lifted_on, lifted_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (detainer_id, event_id) DO NOTHING
                """,
                [
                    .text(lifted.payload.detainerId), .text(event.eventId), LedgerPerson.keyIfNamed(lifted.subject).sqlValue,
                    .text(day.description), .integer(LedgerTime.start(of: day)),
                ])
        default:
            return
        }
    }

    /// SQL true when the detainer aliased `alias` is active at the instant bound to `asOf`.
    func activeCondition(_ alias: String, asOf: String) -> String {
        """
        \(alias).lodged_at <= \(asOf) AND NOT EXISTS (
            SELECT 1 FROM \(liftsTable) lift WHERE lift.detainer_id = \(alias).detainer_id AND lift.lifted_at <= \(asOf))
        """
    }
}

/// An active detainer, as the release board lists it.
public struct ActiveDetainer: Codable, Sendable, Hashable {
    public var detainerId: String
    public var kind: DetainerKind
    public var requestingAgencyId: String
    public var lodgedOn: CalendarDate
    public var warrantId: String?

    static func columns(_ alias: String) -> String {
        ["detainer_id", "detainer_kind", "requesting_agency_id", "lodged_on", "warrant_id"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        detainerId = try row.get("detainer_id")
        guard let kind = DetainerKind(rawValue: try row.get("detainer_kind")) else { throw StoredValueError(table: table, column: "detainer_kind") }
        self.kind = kind
        requestingAgencyId = try row.get("requesting_agency_id")
        guard let lodgedOn = CalendarDate(try row.get("lodged_on", as: String.self)) else { throw StoredValueError(table: table, column: "lodged_on") }
        self.lodgedOn = lodgedOn
        warrantId = try row.get("warrant_id")
    }
}
