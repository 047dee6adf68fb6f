import Contracts
import Foundation
import ServiceKit
import Storage

/// Warrants and detainers from `courts.warrants`, as every view that shows them keeps them:
/// each record as issued or lodged (`<prefix>_warrants`) and its resolution
/// (`<prefix>_warrant_resolutions`: served, recalled, quashed, lifted). One copy for all the
/// views (``views``: `views_warrants`, `views_warrant_resolutions`), as for releases
/// (``ReleaseLedger``): each view lists the shared tables' step (``sharedStep``) and a step
/// moving what it had kept under its own prefix into them (``movedStep(from:id:)``). The court
/// and police views list warrants only (``isType(_:_:)`` in their queries).
///
/// A record is active at an instant when it was issued (or lodged) by then, from the start of
/// that day UTC, and not resolved by then: served at `servedAt`, recalled, quashed or lifted
/// from the start of that day (``activeCondition(_:asOf:)``). Records and resolutions are kept
/// apart and joined when read, so a resolution read before its record (a replay, another
/// partition) still resolves it; of several resolutions the earliest is kept. A re-sent record
/// replaces the stored one only when its event happened later (`occurredAt`, then event id),
/// so applying an event twice, or an old one late, changes nothing whatever the order.
///
/// Every event about a record must name the person by state ID or FBI number (the contract's
/// keyed subject): a resolution row carries the person's key too, for sealing, so one naming
/// nobody is refused like the record itself, and the record stays active (the cautious side).
///
/// Records columns: `record_type` (``RecordType``), `record_id`, the person
/// (``PersonOnRecord/columns``), `kind` (the warrant or detainer kind), `agency_id` (issuing or
/// requesting agency), `issued_at` (00:00 UTC of the issue or lodge day), `case_number` and
/// `charges` (JSON; warrants), `warrant_id` and `facility_id` (detainers), `occurred_at` and
/// `event_id` (the event that wrote the row).
struct WarrantLedger: Sendable {
    /// What a record is.
    enum RecordType: String, Sendable {
        case warrant
        case detainer
    }

    /// How a record stopped being active.
    enum Resolution: String, Sendable {
        case served, recalled, quashed, lifted
    }

    static let warrantEventTypes: Set<String> = [
        WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType,
    ]
    static let detainerEventTypes: Set<String> = [DetainerLodged.eventType, DetainerLifted.eventType]

    /// The table prefix: `views` for the ledger the views read; a view's own prefix
    /// (`caseload`, `court`, …) only in the steps that created and moved what they kept before.
    let prefix: String
    /// Whether detainers are kept (the court's and police views' own ledgers did not keep them).
    let keepsDetainers: Bool

    /// The ledger every view reads and writes, detainers included.
    static let views = WarrantLedger(prefix: "views", keepsDetainers: true)

    /// The same tables for a view that takes no detainer event (the court and police views:
    /// detainers are not theirs to show; the caseload and the release board bring them in).
    var warrantsOnly: WarrantLedger { WarrantLedger(prefix: prefix, keepsDetainers: false) }

    var recordsTable: String { "\(prefix)_warrants" }
    var resolutionsTable: String { "\(prefix)_warrant_resolutions" }
    var tables: [String] { [recordsTable, resolutionsTable] }

    /// The tables, in the shared dialect. A store's shipped migration keeps the text it shipped
    /// with: a change here is a new step in every store that uses the ledger.
    var schema: String {
        """
        CREATE TABLE \(recordsTable) (
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            name TEXT,
            date_of_birth BIGINT,
            kind TEXT NOT NULL,
            agency_id TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            case_number TEXT,
            charges TEXT,
            warrant_id TEXT,
            facility_id TEXT,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL,
            PRIMARY KEY (record_type, record_id)
        );
        CREATE INDEX \(recordsTable)_by_agency ON \(recordsTable) (agency_id);
        CREATE INDEX \(recordsTable)_by_person ON \(recordsTable) (person_key);
        CREATE INDEX \(recordsTable)_by_state_id ON \(recordsTable) (state_id);
        CREATE INDEX \(recordsTable)_by_fbi_number ON \(recordsTable) (fbi_number);
        CREATE TABLE \(resolutionsTable) (
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            resolved_at BIGINT NOT NULL,
            resolution TEXT NOT NULL,
            PRIMARY KEY (record_type, record_id)
        );
        CREATE INDEX \(resolutionsTable)_by_person ON \(resolutionsTable) (person_key)
        """
    }

    /// Whether `eventType` is one this ledger keeps.
    func handles(eventType: String) -> Bool {
        Self.warrantEventTypes.contains(eventType) || (keepsDetainers && Self.detainerEventTypes.contains(eventType))
    }

    /// Applies one `courts.warrants` event; types it does not keep are ignored.
    ///
    /// - Throws: `PoisonMessage` when the event does not decode or names nobody by state ID or
    ///   FBI number (checked before anything is written); `StorageError`.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        guard handles(eventType: event.eventType) else { return }
        try SharedLedgerWrite.once(event, into: recordsTable, transaction) { try keep(event, in: transaction) }
    }

    private func keep(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case WarrantIssued.eventType:
            let issued = try event.decode(WarrantIssued.self)
            let warrant = issued.payload
            try RecordAuthority.warrantIssued(issued, issuer: try agency(of: .warrant, warrant.warrantId, transaction))
            try save(
                .warrant, warrant.warrantId, person: try PersonOnRecord(subject: issued.subject), kind: warrant.warrantKind.rawValue,
                agencyId: warrant.issuingAgencyId, issuedOn: warrant.issuedOn,
                details: [warrant.caseNumber.sqlValue, try StoredColumn.optionalJSON(warrant.charges), .null, .null],
                occurredAt: issued.occurredAt, eventId: event.eventId, transaction)
        case DetainerLodged.eventType:
            let lodged = try event.decode(DetainerLodged.self)
            let detainer = lodged.payload
            try RecordAuthority.detainerLodged(lodged, holder: try agency(of: .detainer, detainer.detainerId, transaction))
            // Lodged on a warrant of the person it names (or naming no number that says whose)
            // that a listed-case order removed after the lodging occurred (a late delivery; the
            // order names the warrant's case, which the detainer does not): the sealed case's,
            // not kept. Another person's detainer on a warrant of the same id (another court's)
            // is theirs, and kept. Counted, with the digest that matched (`SealedRefusalNotes`).
            if let warrantId = detainer.warrantId, try SealingLedger(transaction).hasOrders(),
                let reason = try SealingLedger(transaction).coveringReason(
                    warrant: warrantId, stateId: lodged.subject?.stateId, fbiNumber: lodged.subject?.fbiNumber,
                    occurredAtMilliseconds: SealingOrder.milliseconds(lodged.occurredAt))
            {
                SealedRefusalNotes.note(SealedRecordRefusal(.detainer, reason), refusing: event, in: transaction)
                return
            }
            try save(
                .detainer, detainer.detainerId, person: try PersonOnRecord(subject: lodged.subject), kind: detainer.detainerKind.rawValue,
                agencyId: detainer.requestingAgencyId, issuedOn: detainer.lodgedOn,
                details: [.null, .null, detainer.warrantId.sqlValue, detainer.facility.map { .text($0.facilityId) } ?? .null],
                occurredAt: lodged.occurredAt, eventId: event.eventId, transaction)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            try RecordAuthority.warrantServed(served)
            try resolve(.warrant, served.payload.warrantId, .served, at: ViewTime.milliseconds(served.payload.servedAt),
                        person: try PersonKey(subject: served.subject), transaction)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: recalled.payload.warrantId, by: recalled.source,
                issuer: try agency(of: .warrant, recalled.payload.warrantId, transaction))
            try resolve(.warrant, recalled.payload.warrantId, .recalled, at: ViewTime.start(of: recalled.payload.recalledOn),
                        person: try PersonKey(subject: recalled.subject), transaction)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            try RecordAuthority.warrantEnded(
                event.eventType, warrantId: quashed.payload.warrantId, by: quashed.source,
                issuer: try agency(of: .warrant, quashed.payload.warrantId, transaction))
            try resolve(.warrant, quashed.payload.warrantId, .quashed, at: ViewTime.start(of: quashed.payload.quashedOn),
                        person: try PersonKey(subject: quashed.subject), transaction)
        case DetainerLifted.eventType:
            let lifted = try event.decode(DetainerLifted.self)
            try RecordAuthority.detainerLifted(
                lifted.payload.detainerId, by: lifted.source, holder: try agency(of: .detainer, lifted.payload.detainerId, transaction))
            try resolve(.detainer, lifted.payload.detainerId, .lifted, at: ViewTime.start(of: lifted.payload.liftedOn),
                        person: try PersonKey(subject: lifted.subject), transaction)
        default:
            return
        }
    }

    /// The agency of a kept record: a warrant's issuer, a detainer's requesting agency.
    private func agency(of type: RecordType, _ recordId: String, _ transaction: any StorageTransaction) throws -> String? {
        try transaction.fetchOne(
            "SELECT agency_id FROM \(recordsTable) WHERE record_type = $1 AND record_id = $2", [.text(type.rawValue), .text(recordId)]
        )?.get("agency_id", as: String?.self)
    }

    /// `details`: `case_number`, `charges`, `warrant_id`, `facility_id`, in that order.
    private func save(
        _ type: RecordType, _ recordId: String, person: PersonOnRecord, kind: String, agencyId: String, issuedOn: CalendarDate,
        details: [SQLValue], occurredAt: Date, eventId: String, _ transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            recordUpsert,
            [.text(type.rawValue), .text(recordId)] + (try person.values())
                + [.text(kind), .text(agencyId), .integer(ViewTime.start(of: issuedOn))] + details
                + [.integer(ViewTime.milliseconds(occurredAt)), .text(eventId)])
    }

    /// Keeps the earliest resolution (the same instant: the first code in alphabetical order,
    /// whichever was read first).
    private func resolve(
        _ type: RecordType, _ recordId: String, _ resolution: Resolution, at milliseconds: Int64, person: PersonKey,
        _ transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            resolutionUpsert,
            [.text(type.rawValue), .text(recordId), .text(person.value), .integer(milliseconds), .text(resolution.rawValue)])
    }

    /// The columns of a `<prefix>_warrants` row, in the order of ``recordUpsert``'s values.
    static let recordColumns = """
        record_type, record_id, \(PersonOnRecord.columns), kind, agency_id, issued_at, case_number, charges, warrant_id, \
        facility_id, occurred_at, event_id
        """

    /// Inserts a record (``recordColumns``), or replaces the stored one when this one's event
    /// happened later (`occurredAt`, then event id).
    var recordUpsert: String {
        let table = recordsTable
        return """
            INSERT INTO \(table) (\(Self.recordColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            ON CONFLICT (record_type, record_id) DO UPDATE SET \(PersonOnRecord.updatedColumns),
                kind = excluded.kind, agency_id = excluded.agency_id, issued_at = excluded.issued_at,
                case_number = excluded.case_number, charges = excluded.charges, warrant_id = excluded.warrant_id,
                facility_id = excluded.facility_id, occurred_at = excluded.occurred_at, event_id = excluded.event_id
            WHERE \(table).occurred_at < excluded.occurred_at
                OR (\(table).occurred_at = excluded.occurred_at AND \(table).event_id < excluded.event_id)
            """
    }

    /// The columns of a `<prefix>_warrant_resolutions` row, in the order of ``resolutionUpsert``'s values.
    static let resolutionColumns = "record_type, record_id, person_key, resolved_at, resolution"

    /// Inserts a resolution (``resolutionColumns``), or keeps it instead of the stored one when
    /// it is earlier.
    var resolutionUpsert: String {
        let table = resolutionsTable
        return """
            INSERT INTO \(table) (\(Self.resolutionColumns)) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (record_type, record_id) DO UPDATE SET person_key = excluded.person_key,
                resolved_at = excluded.resolved_at, resolution = excluded.resolution
            WHERE excluded.resolved_at < \(table).resolved_at
                OR (excluded.resolved_at = \(table).resolved_at AND excluded.resolution < \(table).resolution)
            """
    }

    // MARK: Query parts

    /// SQL true when the record aliased `alias` is of `type`. Written as an expression
    /// (`record_type || ''`) so that SQLite, which keeps no statistics here, does not take the
    /// primary key's first column for a selective index: nearly every row shares a type, and
    /// a person's records joined "by type" were every record of the state (the release board
    /// did so for each release on it). The person's number indexes are used instead.
    func isType(_ type: RecordType, _ alias: String) -> String {
        "\(alias).record_type || '' = '\(type.rawValue)'"
    }

    /// SQL true when the record aliased `alias` is active at the instant bound to `asOf`
    /// (e.g. `$1`).
    func activeCondition(_ alias: String, asOf: String) -> String {
        """
        \(alias).issued_at <= \(asOf) AND NOT EXISTS (
            SELECT 1 FROM \(resolutionsTable) resolution
            WHERE resolution.record_type = \(alias).record_type AND resolution.record_id = \(alias).record_id
                AND resolution.resolved_at <= \(asOf))
        """
    }
}

/// An active warrant, as the police view and the release board list it.
public struct ActiveWarrant: Codable, Sendable, Hashable {
    public var warrantId: String
    public var kind: WarrantKind
    public var issuedOn: CalendarDate
    public var issuingAgencyId: String
    public var caseNumber: String?
    /// The charges it names; empty when it names none.
    public var charges: [Charge]

    /// The columns to select from a `<prefix>_warrants` row aliased `alias`.
    static func columns(_ alias: String) -> String {
        ["record_id", "kind", "issued_at", "agency_id", "case_number", "charges"].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        warrantId = try row.get("record_id")
        kind = try StoredColumn.code(WarrantKind.self, "kind", in: row, table: table)
        issuedOn = try StoredColumn.day("issued_at", in: row)
        issuingAgencyId = try row.get("agency_id")
        caseNumber = try row.get("case_number")
        charges = try StoredColumn.optionalJSON([Charge].self, "charges", in: row, table: table) ?? []
    }
}

/// An active detainer, as the release board lists it.
public struct ActiveDetainer: Codable, Sendable, Hashable {
    public var detainerId: String
    public var kind: DetainerKind
    public var requestingAgencyId: String
    public var lodgedOn: CalendarDate
    /// The warrant it rests on, when the lodging agency named one.
    public var warrantId: String?

    /// The columns to select from a `<prefix>_warrants` row aliased `alias`.
    static func columns(_ alias: String) -> String {
        ["record_id", "kind", "agency_id", "issued_at", "warrant_id"].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        detainerId = try row.get("record_id")
        kind = try StoredColumn.code(DetainerKind.self, "kind", in: row, table: table)
        requestingAgencyId = try row.get("agency_id")
        lodgedOn = try StoredColumn.day("issued_at", in: row)
        warrantId = try row.get("warrant_id")
    }
}
