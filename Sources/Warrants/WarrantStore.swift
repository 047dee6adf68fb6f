import Contracts
import Directory
import Foundation
import Storage
import Notifications
import ServiceKit

/// The warrant resolver's database: every person's warrants and detainers (reference state),
/// the warrant check of each release with the warrants and detainers it lists, its deadlines
/// and who was told (`WarrantStore+Checks`), and (through `NotificationOutbox`) the
/// notifications sent. Each method is one step of the batch transaction it is given; this is
/// the only SQL of the resolver, every value a bound parameter.
///
/// Warrants and checks are reference state and are not pruned by time: a warrant leaves the
/// active set when it is recalled, quashed or served (its row stays, marked so). A sealing
/// order removes what it covers (`WarrantStore+Sealing`).
public struct WarrantStore {
    let transaction: any StorageTransaction

    public init(_ transaction: any StorageTransaction) { self.transaction = transaction }

    /// The resolver's tables (and the notifications it sends, and the agency directory).
    /// Shipped steps are never edited: changes come as new ones. v1–v2 shipped on SQLite alone
    /// and stay literal there; PostgreSQL creates the v2 shape in v1.
    public static let migrations: [StorageMigration] = NotificationOutbox.migrations + [
        .script("warrants-v1", sqlite: """
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
            """,
            postgres: """
            CREATE TABLE warrants (
                warrant_id TEXT NOT NULL UNIQUE,
                state_id TEXT,
                fbi_number TEXT,
                warrant_kind TEXT,
                issuing_agency_id TEXT,
                issued_on TEXT,
                status TEXT NOT NULL CHECK (status IN ('active', 'recalled', 'quashed', 'served')),
                subject BYTEA
            );
            CREATE INDEX warrants_by_state_id ON warrants (state_id);
            CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
            CREATE TABLE warrant_checks (
                release_id TEXT NOT NULL UNIQUE,
                state_id TEXT,
                fbi_number TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold')),
                scheduled BIGINT NOT NULL,
                closed BIGINT NOT NULL DEFAULT 0,
                facility_id TEXT NOT NULL,
                facility_name TEXT NOT NULL,
                release_at TEXT NOT NULL,
                release_type TEXT NOT NULL,
                destination BYTEA,
                subject BYTEA NOT NULL
            );
            CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
            CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
            CREATE TABLE warrant_check_items (
                release_id TEXT NOT NULL REFERENCES warrant_checks (release_id),
                warrant_id TEXT NOT NULL,
                PRIMARY KEY (release_id, warrant_id)
            );
            """),
        // v2: warrants and checks (rows of 300-500 bytes, keyed by partners' ids) in rowid tables
        // with the id in a unique index, appended rather than inserted into random leaves (see
        // NotificationOutbox's notifications-v2). Check items stay: their rows are small.
        StorageMigration("warrants-v2") { transaction in
            guard transaction.dialect == .sqlite else { return }
            try transaction.rebuildTable(
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
            try transaction.rebuildTable(
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
            try transaction.executeScript("""
                CREATE INDEX warrants_by_state_id ON warrants (state_id);
                CREATE INDEX warrants_by_fbi ON warrants (fbi_number);
                CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                """)
        },
    ]
        // The agency directory (`reference.agencies`), which names the police of a destination.
        + DirectoryStore.migrations
        + [
            // v3, for sealing orders (`WarrantStore+Sealing`): the court case each warrant
            // belongs to (`caseNumber` of its issue; warrants stored before have none, and a
            // listed-case order does not find them), and the digests of the warrants such
            // orders removed, so that a late resolution does not store them again.
            .script("warrants-v3", """
                ALTER TABLE warrants ADD COLUMN case_number TEXT;
                CREATE TABLE warrants_sealed (
                    warrant_digest TEXT PRIMARY KEY NOT NULL,
                    ordered_at_ms BIGINT NOT NULL
                );
                """),
            // v4, for detainers, release changes, escalation and `bus.warrant-checks`: the
            // check's supervising agency, expected time (ms), revision (events published),
            // nearest stage escalated and when the next one is due (indexed: a tick reads only
            // the checks due); the detainers and those listed on each check; who was told about
            // each check (`reentrybus warrant-checks`); the last tick of the bus's clock read.
            .script("warrants-v4", """
                ALTER TABLE warrant_checks ADD COLUMN supervising_agency_id TEXT;
                ALTER TABLE warrant_checks ADD COLUMN expected_at_ms BIGINT;
                ALTER TABLE warrant_checks ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
                ALTER TABLE warrant_checks ADD COLUMN escalated_days BIGINT;
                ALTER TABLE warrant_checks ADD COLUMN next_escalation_ms BIGINT;
                CREATE INDEX warrant_checks_by_next_escalation ON warrant_checks (next_escalation_ms);
                CREATE TABLE detainers (
                    detainer_id TEXT PRIMARY KEY NOT NULL,
                    state_id TEXT,
                    fbi_number TEXT,
                    detainer_kind TEXT,
                    holding_agency_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'lifted'))
                );
                CREATE INDEX detainers_by_state_id ON detainers (state_id);
                CREATE INDEX detainers_by_fbi ON detainers (fbi_number);
                CREATE TABLE warrant_check_detainers (
                    release_id TEXT NOT NULL,
                    detainer_id TEXT NOT NULL,
                    PRIMARY KEY (release_id, detainer_id)
                );
                CREATE TABLE warrant_check_told (
                    release_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    PRIMARY KEY (release_id, recipient, rule)
                );
                CREATE TABLE warrant_clock (
                    clock TEXT PRIMARY KEY NOT NULL,
                    at_ms BIGINT NOT NULL
                );
                """),
            // v5: the agency that published the release, which the facility's notifications
            // name as theirs (`recipientAgencyId`) so the inbox can escalate them.
            .script("warrants-v5", "ALTER TABLE warrant_checks ADD COLUMN releasing_agency_id TEXT"),
            // v6, matching through the person index (`WarrantStore+PersonLinks`), in the shared
            // dialect: the resolver's copy of `bus.identity` (`PersonLinks`: the columns of the
            // router's `router-person-links-v1` and `-v2`), the record of each release's,
            // warrant's and detainer's subject, the warrants and detainers a check lists through
            // a link, and the notifications that told of them (for the retraction: their
            // recipient, id and rule, never the body, forgotten with the notification they name);
            // the digests of the detainers and releases an order removed (`warrants_sealed` keeps
            // those of warrants); and when a release completed (a link read after it may still
            // call for an alert, `WarrantResolverProjection+PersonLinks`).
            .script("warrants-v6", """
                CREATE TABLE warrant_person_records (
                    record_id TEXT PRIMARY KEY NOT NULL,
                    person_id TEXT NOT NULL,
                    decision_source TEXT,
                    score DOUBLE PRECISION,
                    agreed TEXT,
                    at_ms BIGINT NOT NULL,
                    event_id TEXT NOT NULL
                );
                CREATE INDEX warrant_person_records_by_person ON warrant_person_records (person_id);
                CREATE TABLE warrant_person_merges (
                    merged_person_id TEXT PRIMARY KEY NOT NULL,
                    survivor_id TEXT NOT NULL,
                    at_ms BIGINT NOT NULL,
                    event_id TEXT NOT NULL
                );
                CREATE TABLE warrant_sealed_person_records (
                    record_digest TEXT PRIMARY KEY NOT NULL,
                    ordered_at_ms BIGINT NOT NULL
                );
                CREATE TABLE warrant_subject_records (
                    item_kind TEXT NOT NULL CHECK (item_kind IN ('release', 'warrant', 'detainer')),
                    item_id TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    PRIMARY KEY (item_kind, item_id)
                );
                CREATE INDEX warrant_subject_records_by_record ON warrant_subject_records (record_id);
                CREATE TABLE warrant_check_linked (
                    release_id TEXT NOT NULL,
                    item_kind TEXT NOT NULL CHECK (item_kind IN ('warrant', 'detainer')),
                    item_id TEXT NOT NULL,
                    PRIMARY KEY (release_id, item_kind, item_id)
                );
                CREATE TABLE warrant_linked_notices (
                    notification_id TEXT NOT NULL,
                    release_id TEXT NOT NULL,
                    item_kind TEXT NOT NULL,
                    item_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    recipient_agency_id TEXT,
                    rule TEXT NOT NULL,
                    forget_after_ms BIGINT,
                    PRIMARY KEY (notification_id, item_kind, item_id)
                );
                CREATE INDEX warrant_linked_notices_by_item ON warrant_linked_notices (release_id, item_kind, item_id);
                CREATE INDEX warrant_linked_notices_by_forget_time ON warrant_linked_notices (forget_after_ms)
                    WHERE forget_after_ms IS NOT NULL;
                CREATE TABLE warrant_sealed_items (
                    item_digest TEXT PRIMARY KEY NOT NULL,
                    ordered_at_ms BIGINT NOT NULL
                );
                ALTER TABLE warrant_checks ADD COLUMN completed_at_ms BIGINT;
                """),
            // v7, releases without a state ID or FBI number (custody.releases version 2): a
            // check may be `unconfirmed`. SQLite cannot change a CHECK constraint in place, so
            // the table is rebuilt with every column the earlier steps gave it; PostgreSQL
            // replaces the constraint (its default name for a column's CHECK).
            StorageMigration("warrants-v7") { transaction in
                switch transaction.dialect {
                case .postgres:
                    try transaction.executeScript("""
                        ALTER TABLE warrant_checks DROP CONSTRAINT IF EXISTS warrant_checks_status_check;
                        ALTER TABLE warrant_checks ADD CONSTRAINT warrant_checks_status_check
                            CHECK (status IN ('pending', 'clear', 'hold', 'unconfirmed'));
                        """)
                case .sqlite:
                    let columns = [
                        "release_id", "state_id", "fbi_number", "status", "scheduled", "closed", "facility_id", "facility_name",
                        "release_at", "release_type", "destination", "subject", "supervising_agency_id", "expected_at_ms", "revision",
                        "escalated_days", "next_escalation_ms", "releasing_agency_id", "completed_at_ms",
                    ]
                    try transaction.rebuildTable(
                        "warrant_checks",
                        definition: """
                            release_id TEXT NOT NULL UNIQUE,
                            state_id TEXT,
                            fbi_number TEXT,
                            status TEXT NOT NULL CHECK (status IN ('pending', 'clear', 'hold', 'unconfirmed')),
                            scheduled INTEGER NOT NULL,
                            closed INTEGER NOT NULL DEFAULT 0,
                            facility_id TEXT NOT NULL,
                            facility_name TEXT NOT NULL,
                            release_at TEXT NOT NULL,
                            release_type TEXT NOT NULL,
                            destination BLOB,
                            subject BLOB NOT NULL,
                            supervising_agency_id TEXT,
                            expected_at_ms BIGINT,
                            revision BIGINT NOT NULL DEFAULT 0,
                            escalated_days BIGINT,
                            next_escalation_ms BIGINT,
                            releasing_agency_id TEXT,
                            completed_at_ms BIGINT
                            """,
                        columns: columns, order: "release_id")
                    try transaction.executeScript("""
                        CREATE INDEX warrant_checks_by_state_id ON warrant_checks (state_id);
                        CREATE INDEX warrant_checks_by_fbi ON warrant_checks (fbi_number);
                        CREATE INDEX warrant_checks_by_next_escalation ON warrant_checks (next_escalation_ms);
                        """)
                }
            },
            // v8, indexes for the lookups by warrant, detainer, linked item and survivor: each
            // warrant or detainer event finds the checks that list it, an unlink the rows of
            // its item, a merge the persons it joined. Without them each read its whole table,
            // once per event (`WarrantResolverQueryPlanTests`).
            .script("warrants-v8", """
                CREATE INDEX warrant_check_items_by_warrant ON warrant_check_items (warrant_id);
                CREATE INDEX warrant_check_detainers_by_detainer ON warrant_check_detainers (detainer_id);
                CREATE INDEX warrant_check_linked_by_item ON warrant_check_linked (item_kind, item_id);
                CREATE INDEX warrant_linked_notices_by_kind_and_item ON warrant_linked_notices (item_kind, item_id);
                CREATE INDEX warrant_person_merges_by_survivor ON warrant_person_merges (survivor_id)
                """),
            // v9, for listed-case sealing orders: the warrant a detainer was lodged on
            // (`warrantId` of its lodging), so that it goes with that warrant's case. Detainers
            // stored before have none, and such an order does not find them.
            .script("warrants-v9", """
                ALTER TABLE detainers ADD COLUMN warrant_id TEXT;
                CREATE INDEX detainers_by_warrant ON detainers (warrant_id) WHERE warrant_id IS NOT NULL
                """),
            // v10: a detainer refused as a sealed case's (its lodging read after an order removed
            // the warrant it was lodged on, `WarrantStore+Sealing`'s `noteRefused`) refuses every
            // later event about it, whatever its time (`every_event`); the digests stored before
            // (removed releases, warrants and detainers) keep refusing only the events that
            // occurred before their order.
            .script("warrants-v10", "ALTER TABLE warrant_sealed_items ADD COLUMN every_event BIGINT NOT NULL DEFAULT 0"),
            // v11: what each digest of a removed warrant is of (`WarrantStore+SealedWarrants`):
            // its issuing agency and id, one of the person's numbers and id, or the id alone for
            // an event naming neither number. A warrant id is unique only within its agency, and
            // the digests kept so far were of the id alone: they cannot be recomputed (the rows
            // are gone) and keep matching every event about the id (`warrant-id`), as before.
            .script("warrants-v11", """
                ALTER TABLE warrants_sealed ADD COLUMN digest_scope TEXT NOT NULL DEFAULT 'warrant-id'
                    CHECK (digest_scope IN ('warrant-id', 'agency', 'person', 'unnumbered'))
                """),
            // v12: when a check was closed by its release's cancellation, so that a new schedule
            // or a completion read after it opens the check again (`reopen`). A check closed
            // before this step says neither (NULL): it stays closed, as before.
            .script("warrants-v12", "ALTER TABLE warrant_checks ADD COLUMN cancelled_at_ms BIGINT"),
            // v13: who recalled or quashed a warrant first seen resolved (its issue not read yet,
            // `saveFirstSeenResolved`): when the issue shows another agency issued it, that
            // resolution is not the issuer's (`RecordAuthority`) and the warrant is active. NULL
            // for rows before it and for services: they stand, as before.
            .script("warrants-v13", "ALTER TABLE warrants ADD COLUMN resolved_by_agency_id TEXT"),
        ]

    // MARK: Warrants

    /// The status of a warrant (`active`, `recalled`, `quashed`, `served`); nil if never seen.
    public func warrantStatus(_ warrantId: String) throws -> String? {
        try transaction.fetchOne("SELECT status FROM warrants WHERE warrant_id = $1", [.text(warrantId)])?.get("status")
    }

    /// The agency that issued the warrant; nil when its issue was never read.
    func warrantIssuer(_ warrantId: String) throws -> String? {
        try transaction.fetchOne("SELECT issuing_agency_id FROM warrants WHERE warrant_id = $1", [.text(warrantId)])?.get("issuing_agency_id", as: String?.self)
    }

    /// Stores an issued warrant as active, or updates its details when it is known already
    /// (a resolution read before the issue keeps it resolved).
    func saveIssued(_ issued: EventEnvelope<WarrantIssued>) throws {
        let warrant = issued.payload
        try transaction.send(
            """
            INSERT INTO warrants (warrant_id, state_id, fbi_number, warrant_kind, issuing_agency_id, issued_on, status, subject, case_number)
            VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8)
            ON CONFLICT (warrant_id) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                warrant_kind = excluded.warrant_kind, issuing_agency_id = excluded.issuing_agency_id,
                issued_on = excluded.issued_on, subject = excluded.subject, case_number = excluded.case_number
            """,
            [.text(warrant.warrantId), .optional(issued.subject?.stateId), .optional(issued.subject?.fbiNumber),
             .text(warrant.warrantKind.rawValue), .text(warrant.issuingAgencyId), .text(warrant.issuedOn.description),
             .bytes(try EventCodec.encodeJSON(issued.subject)), .optional(warrant.caseNumber)])
    }

    /// Stores a warrant first seen resolved (its issue not read yet).
    /// `resolvedBy`: the agency that recalled or quashed it, checked against the issuer once
    /// the issue is read (`resolvedByAnotherAgency`); nil for a service (any agency serves).
    func saveFirstSeenResolved(_ warrantId: String, status: String, subject: SubjectIdentifiers?, resolvedBy: String?) throws {
        try transaction.send(
            "INSERT INTO warrants (warrant_id, state_id, fbi_number, status, subject, resolved_by_agency_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [.text(warrantId), .optional(subject?.stateId), .optional(subject?.fbiNumber), .text(status),
             .bytes(try EventCodec.encodeJSON(subject)), .optional(resolvedBy)])
    }

    /// Whether the warrant was first seen recalled or quashed by an agency other than `issuer`
    /// (a recall read before its issue, from another partition): such a resolution is refused
    /// once the issuer is known, as it is when read after the issue.
    func resolvedByAnotherAgency(_ warrantId: String, issuer: String) throws -> Bool {
        guard let row = try transaction.fetchOne(
            "SELECT resolved_by_agency_id FROM warrants WHERE warrant_id = $1 AND issuing_agency_id IS NULL", [.text(warrantId)]),
            let resolvedBy = try row.get("resolved_by_agency_id", as: String?.self)
        else { return false }
        return resolvedBy != issuer
    }

    /// Makes a warrant first seen resolved by someone without the right to active again, as
    /// if the resolution had not been read.
    func dropForeignResolution(_ warrantId: String) throws {
        try transaction.send(
            "UPDATE warrants SET status = 'active', resolved_by_agency_id = NULL WHERE warrant_id = $1", [.text(warrantId)])
    }

    func setWarrantStatus(_ warrantId: String, _ status: String) throws {
        try transaction.send("UPDATE warrants SET status = $1 WHERE warrant_id = $2", [.text(status), .text(warrantId)])
    }

    /// The active warrants of the person `subject` names (same state ID or FBI number), by id.
    public func activeWarrants(of subject: SubjectIdentifiers?) throws -> [Warrant] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT warrant_id, warrant_kind, issuing_agency_id FROM warrants
            WHERE ((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2)) AND status = 'active'
            ORDER BY warrant_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.warrant(row:))
    }

    /// The warrants listed on a check that are still active, by id.
    public func activeWarrants(on releaseId: String) throws -> [Warrant] {
        try transaction.fetchAll(
            """
            SELECT w.warrant_id, w.warrant_kind, w.issuing_agency_id FROM warrant_check_items i
            JOIN warrants w ON w.warrant_id = i.warrant_id
            WHERE i.release_id = $1 AND w.status = 'active' ORDER BY w.warrant_id
            """,
            [.text(releaseId)]
        ).map(Self.warrant(row:))
    }

    private static func warrant(row: StorageRow) throws -> Warrant {
        Warrant(
            warrantId: try row.get("warrant_id"), kind: try row.get("warrant_kind", as: String?.self) ?? "unknown",
            issuingAgencyId: try row.get("issuing_agency_id", as: String?.self) ?? "unknown")
    }

    // MARK: Checks

    static let checkColumns = """
        release_id, state_id, fbi_number, status, scheduled, closed, facility_id, facility_name, release_at, release_type,
        destination, subject, supervising_agency_id, releasing_agency_id, expected_at_ms, revision, escalated_days
        """

    /// The check of a release, if there is one.
    public func check(_ releaseId: String) throws -> WarrantCheck? {
        try transaction.fetchOne("SELECT \(Self.checkColumns) FROM warrant_checks WHERE release_id = $1", [.text(releaseId)])
            .map(Self.check(row:))
    }

    /// The open checks (release not yet happened or cancelled) of the person `subject` names.
    func openChecks(of subject: SubjectIdentifiers?) throws -> [WarrantCheck] {
        guard let subject, subject.stateId != nil || subject.fbiNumber != nil else { return [] }
        return try transaction.fetchAll(
            """
            SELECT \(Self.checkColumns) FROM warrant_checks
            WHERE ((state_id IS NOT NULL AND state_id = $1) OR (fbi_number IS NOT NULL AND fbi_number = $2)) AND closed = 0
            ORDER BY release_id
            """,
            [.optional(subject.stateId), .optional(subject.fbiNumber)]
        ).map(Self.check(row:))
    }

    /// Opens a check listing `warrants` and `detainers`; its first escalation is due 30 days
    /// before the release (`CheckEscalation`).
    func insert(_ check: WarrantCheck, warrants: [Warrant], detainers: [Detainer] = []) throws {
        try transaction.send(
            """
            INSERT INTO warrant_checks (release_id, state_id, fbi_number, status, scheduled, closed, facility_id, facility_name,
                release_at, release_type, destination, subject, supervising_agency_id, expected_at_ms, revision, escalated_days,
                next_escalation_ms, releasing_agency_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, NULL, $15, $16)
            """,
            try Self.checkArguments(check))
        try insertItems(of: check.releaseId, warrants: warrants, detainers: detainers)
    }

    /// `$1`…`$16` of `insert` and `reopen`: the check's columns, its first escalation due 30
    /// days before the release (`CheckEscalation`).
    private static func checkArguments(_ check: WarrantCheck) throws -> [SQLValue] {
        let nextEscalation = check.expectedAtMilliseconds.flatMap { CheckEscalation.nextDue(expectedAt: $0, escalatedDays: nil) }
        return [
            .text(check.releaseId), .optional(check.stateId), .optional(check.fbiNumber), .text(check.status),
            check.scheduled.sqlValue, check.closed.sqlValue, .text(check.facilityId), .text(check.facilityName),
            .text(check.releaseAt), .text(check.releaseType),
            try check.destination.map { SQLValue.bytes(try EventCodec.encodeJSON($0)) } ?? .null,
            .bytes(try EventCodec.encodeJSON(check.subject)), .optional(check.supervisingAgencyId),
            check.expectedAtMilliseconds.map(SQLValue.integer) ?? .null, nextEscalation.map(SQLValue.integer) ?? .null,
            .optional(check.releasingAgencyId),
        ]
    }

    private func insertItems(of releaseId: String, warrants: [Warrant], detainers: [Detainer]) throws {
        for warrant in warrants {
            try transaction.send(
                "INSERT INTO warrant_check_items (release_id, warrant_id) VALUES ($1, $2)", [.text(releaseId), .text(warrant.warrantId)])
        }
        for detainer in detainers {
            try transaction.send(
                "INSERT INTO warrant_check_detainers (release_id, detainer_id) VALUES ($1, $2)", [.text(releaseId), .text(detainer.detainerId)])
        }
    }

    /// Opens again the check of a release that was cancelled, as `check` now has it (a new
    /// schedule, or a completion read after the cancellation): every column from `check`,
    /// the items the person has now instead of those of the cancelled schedule, escalation
    /// from its first stage. Its revision goes on from where it was, so the check's events
    /// keep rising for the views that read them. What it listed through the person index
    /// (`warrant_check_linked`) and who was told stay: an unlink still retracts what was told.
    func reopen(_ check: WarrantCheck, warrants: [Warrant], detainers: [Detainer] = []) throws {
        for table in ["warrant_check_items", "warrant_check_detainers"] {
            try transaction.send("DELETE FROM \(table) WHERE release_id = $1", [.text(check.releaseId)])
        }
        try transaction.send(
            """
            UPDATE warrant_checks SET state_id = $2, fbi_number = $3, status = $4, scheduled = $5, closed = $6, facility_id = $7,
                facility_name = $8, release_at = $9, release_type = $10, destination = $11, subject = $12, supervising_agency_id = $13,
                expected_at_ms = $14, escalated_days = NULL, next_escalation_ms = $15, releasing_agency_id = $16,
                completed_at_ms = NULL, cancelled_at_ms = NULL
            WHERE release_id = $1
            """,
            try Self.checkArguments(check))
        try insertItems(of: check.releaseId, warrants: warrants, detainers: detainers)
    }

    /// Lists `warrantId` on an open check.
    func addWarrant(_ warrantId: String, toCheck releaseId: String) throws {
        try transaction.send(
            "INSERT INTO warrant_check_items (release_id, warrant_id) VALUES ($1, $2) ON CONFLICT (release_id, warrant_id) DO NOTHING",
            [.text(releaseId), .text(warrantId)])
    }

    /// Sets a check's status (`clear`, `pending`, `hold`).
    func setStatus(_ releaseId: String, _ status: String) throws {
        try transaction.send("UPDATE warrant_checks SET status = $1 WHERE release_id = $2", [.text(status), .text(releaseId)])
    }

    /// Closes a check: the release happened (at `completedAtMilliseconds`).
    func close(_ releaseId: String, completedAtMilliseconds: Int64) throws {
        try transaction.send(
            "UPDATE warrant_checks SET closed = 1, completed_at_ms = $2 WHERE release_id = $1",
            [.text(releaseId), .integer(completedAtMilliseconds)])
    }

    /// Closes a check because its release was cancelled (at `atMilliseconds`, when the
    /// cancellation occurred): a later schedule or completion of the release opens it again.
    func cancel(_ releaseId: String, atMilliseconds: Int64) throws {
        try transaction.send(
            "UPDATE warrant_checks SET closed = 1, completed_at_ms = NULL, cancelled_at_ms = $2 WHERE release_id = $1",
            [.text(releaseId), .integer(atMilliseconds)])
    }

    /// When the cancellation that closed the check of `releaseId` occurred; nil when it was
    /// not closed by one recorded since `warrants-v12` (open, released, or cancelled before).
    func cancelledAt(_ releaseId: String) throws -> Int64? {
        try transaction.fetchOne("SELECT cancelled_at_ms FROM warrant_checks WHERE release_id = $1", [.text(releaseId)])?
            .get("cancelled_at_ms", as: Int64?.self)
    }

    /// Whether an event that occurred at `occurredAt` (milliseconds) about the release of
    /// `releaseId` opens its check again: the check was closed by a cancellation that occurred
    /// before it. A schedule or completion from before the cancellation (re-sent, or read late)
    /// changes nothing: the cancellation stands.
    func reopensAfterCancellation(_ releaseId: String, occurredAt: Int64) throws -> Bool {
        guard let cancelled = try cancelledAt(releaseId) else { return false }
        return occurredAt > cancelled
    }

    /// When the release of a closed check happened; nil while open, when it was cancelled, or
    /// when it closed before `warrants-v6` recorded the time.
    func completedAt(_ releaseId: String) throws -> Int64? {
        try transaction.fetchOne("SELECT completed_at_ms FROM warrant_checks WHERE release_id = $1", [.text(releaseId)])?
            .get("completed_at_ms", as: Int64?.self)
    }

    /// A stored check; a subject or destination that no longer decodes is an error (a damaged
    /// row), not a notification without the person's name.
    static func check(row: StorageRow) throws -> WarrantCheck {
        let destination = try row.get("destination", as: [UInt8]?.self)
        return WarrantCheck(
            releaseId: try row.get("release_id"), stateId: try row.get("state_id"), fbiNumber: try row.get("fbi_number"),
            status: try row.get("status"), scheduled: try row.get("scheduled"), closed: try row.get("closed"),
            facilityId: try row.get("facility_id"), facilityName: try row.get("facility_name"),
            releaseAt: try row.get("release_at"), releaseType: try row.get("release_type"),
            destination: try destination.map { try EventCodec.decodeJSON(Address.self, from: $0) },
            subject: try EventCodec.decodeJSON(SubjectIdentifiers?.self, from: try row.get("subject", as: [UInt8].self)),
            supervisingAgencyId: try row.get("supervising_agency_id"), releasingAgencyId: try row.get("releasing_agency_id"),
            expectedAtMilliseconds: try row.get("expected_at_ms"),
            revision: try row.get("revision"), escalatedDays: try row.get("escalated_days"))
    }

    // MARK: Checksum

    /// SHA-256 over warrants, detainers, checks, check items, who was told, the directory and
    /// sent notifications.
    public func checksum() throws -> String {
        var hash = SHA256()
        for query in [
            """
            SELECT warrant_id, state_id, fbi_number, warrant_kind, issuing_agency_id, issued_on, status, subject, case_number
            FROM warrants ORDER BY warrant_id
            """,
            "SELECT \(Self.checkColumns), completed_at_ms, cancelled_at_ms FROM warrant_checks ORDER BY release_id",
            "SELECT release_id, warrant_id FROM warrant_check_items ORDER BY release_id, warrant_id",
            "SELECT detainer_id, state_id, fbi_number, detainer_kind, holding_agency_id, status FROM detainers ORDER BY detainer_id",
            "SELECT release_id, detainer_id FROM warrant_check_detainers ORDER BY release_id, detainer_id",
            "SELECT release_id, recipient, rule FROM warrant_check_told ORDER BY release_id, recipient, rule",
        ] {
            for row in try transaction.fetchAll(query) { hash.update(row: row) }
        }
        try DirectoryStore(transaction).update(&hash)
        // What is kept of each sent notification (not when it may be forgotten).
        for row in try transaction.fetchAll("SELECT id, recipient, priority, rule, source_event_id, derives_from FROM notifications_sent ORDER BY id") {
            hash.update(row: row)
        }
        return hash.finalize().hexString
    }
}
