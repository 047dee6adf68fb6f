import Contracts
import ServiceKit
import Storage

/// The court and prosecutor view (`court-view`): the warrants a court issued that are still
/// active, and the scheduled releases they block. Queries: ``warrants(courtId:asOf:in:)`` and
/// ``blockedReleases(courtId:asOf:in:)``.
///
/// A court is the warrant's issuing agency (`issuingAgencyId`, e.g. `MO-CIRCUIT16`).
/// Warrants are kept as ``CaseWarrantLedger`` keeps them (detainers are not: they are the
/// requesting agency's), releases as ``CaseReleaseLedger``. A release is blocked by a warrant when
/// both are about the same person (same state ID or same FBI number), the warrant is active
/// and the release pending at the moment asked about, whichever topic was read first.
/// An event without a state ID or FBI number is a `PoisonMessage`, refused before anything
/// is written.
public struct CourtStore: ReadModelStore {
    public static let warrantsTopic = "courts.warrants"
    public static let releasesTopic = "custody.releases"

    public let name = "court-view"
    public let topics = [Self.warrantsTopic, Self.releasesTopic]
    public var migrations: [StorageMigration] { Self.migrationSteps }

    let warrants = CaseWarrantLedger(records: "court_warrants", clearances: "court_warrant_clearances", keepsDetainers: false)
    let releases = CaseReleaseLedger(table: "court_releases")

    public init() {}

    public func handles(eventType: String) -> Bool {
        warrants.handles(eventType: eventType) || releases.handles(eventType: eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        if warrants.handles(eventType: event.eventType) {
            try warrants.apply(event, in: transaction)
        } else if releases.handles(eventType: event.eventType) {
            try releases.apply(event, in: transaction)
        }
    }

    /// The court's tables, in the shared dialect (the columns the ledgers document). Shipped
    /// steps are never edited: add one.
    static let migrationSteps: [StorageMigration] = [
        .script("court-v1", """
            CREATE TABLE court_warrants (
                record_kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                name_given TEXT,
                name_middle TEXT,
                name_family TEXT,
                name_suffix TEXT,
                subtype TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                issued_ms BIGINT NOT NULL,
                case_number TEXT,
                charges TEXT,
                event_ms BIGINT NOT NULL,
                PRIMARY KEY (record_kind, record_id)
            );
            CREATE INDEX court_warrants_by_agency ON court_warrants (agency_id);
            CREATE INDEX court_warrants_by_state_id ON court_warrants (state_id);
            CREATE INDEX court_warrants_by_fbi_number ON court_warrants (fbi_number);
            CREATE INDEX court_warrants_by_person ON court_warrants (person_key);

            CREATE TABLE court_warrant_clearances (
                record_kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                cleared_ms BIGINT NOT NULL,
                how TEXT NOT NULL,
                PRIMARY KEY (record_kind, record_id)
            );
            CREATE INDEX court_warrant_clearances_by_person ON court_warrant_clearances (person_key);

            CREATE TABLE court_releases (
                release_id TEXT PRIMARY KEY NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                name_given TEXT,
                name_middle TEXT,
                name_family TEXT,
                name_suffix TEXT,
                facility_id TEXT,
                facility_name TEXT,
                facility_kind TEXT,
                expected_ms BIGINT,
                expected_event_ms BIGINT,
                scheduled_ms BIGINT,
                ended_ms BIGINT,
                ended_how TEXT
            );
            CREATE INDEX court_releases_by_state_id ON court_releases (state_id);
            CREATE INDEX court_releases_by_fbi_number ON court_releases (fbi_number);
            CREATE INDEX court_releases_by_person ON court_releases (person_key)
            """),
    ]
}
