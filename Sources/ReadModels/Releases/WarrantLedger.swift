import Contracts
import ServiceKit
import Storage

/// The warrants a view knows, from `courts.warrants`: each issued warrant
/// (`<prefix>_warrants`) and each resolution read (`<prefix>_warrant_resolutions`: served,
/// recalled, quashed), kept apart so that a resolution read before its warrant still resolves
/// it. A warrant is active at an instant when it was issued by then (from the start of its
/// issue day, UTC) and no resolution dated by then exists; `activeCondition` says so in SQL.
///
/// A warrant re-sent with other details replaces the stored one only when it happened later
/// (occurredAt, then event id), so the order of reading does not matter.
struct WarrantLedger: Sendable {
    let prefix: String

    var warrantsTable: String { "\(prefix)_warrants" }
    var resolutionsTable: String { "\(prefix)_warrant_resolutions" }
    var tables: [String] { [warrantsTable, resolutionsTable] }

    static let types: Set<String> = [
        WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType,
    ]

    var schema: String {
        """
        CREATE TABLE \(warrantsTable) (
            warrant_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            subject TEXT,
            warrant_kind TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            issuing_agency_id TEXT NOT NULL,
            case_number TEXT,
            charges TEXT,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(warrantsTable)_by_person ON \(warrantsTable) (person_key);
        CREATE INDEX \(warrantsTable)_by_state_id ON \(warrantsTable) (state_id);
        CREATE INDEX \(warrantsTable)_by_fbi_number ON \(warrantsTable) (fbi_number);
        CREATE TABLE \(resolutionsTable) (
            warrant_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            person_key TEXT,
            resolution TEXT NOT NULL,
            resolved_on TEXT NOT NULL,
            resolved_at BIGINT NOT NULL,
            PRIMARY KEY (warrant_id, event_id)
        );
        CREATE INDEX \(resolutionsTable)_by_person ON \(resolutionsTable) (person_key)
        """
    }

    /// Applies a warrant event (issued, served, recalled, quashed).
    ///
    /// - Throws: `PoisonMessage` for an issued warrant naming nobody, or an event that does not
    ///   decode. A resolution may name nobody: it is kept by warrant id (with the person's key
    ///   when it names one).
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case WarrantIssued.eventType:
            try issued(try event.decode(WarrantIssued.self), eventId: event.eventId, in: transaction)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            let at = LedgerTime.milliseconds(served.payload.servedAt)
            try resolved(served.payload.warrantId, "served", on: CalendarDate(utcDayOf: served.payload.servedAt), at: at, served.subject, eventId: event.eventId, in: transaction)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            let day = recalled.payload.recalledOn
            try resolved(recalled.payload.warrantId, "recalled", on: day, at: LedgerTime.start(of: day), recalled.subject, eventId: event.eventId, in: transaction)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            let day = quashed.payload.quashedOn
            try resolved(quashed.payload.warrantId, "quashed", on: day, at: LedgerTime.start(of: day), quashed.subject, eventId: event.eventId, in: transaction)
        default:
            return
        }
    }

    private func issued(_ issued: EventEnvelope<WarrantIssued>, eventId: String, in transaction: any StorageTransaction) throws {
        let personKey = try LedgerPerson.key(issued.subject)
        let warrant = issued.payload
        try transaction.execute(
            """
            INSERT INTO \(warrantsTable) (
                warrant_id, person_key, state_id, fbi_number, subject, warrant_kind, issued_on, issued_at, issuing_agency_id,
                case_number, charges, occurred_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (warrant_id) DO UPDATE SET
                person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                subject = excluded.subject, warrant_kind = excluded.warrant_kind, issued_on = excluded.issued_on,
                issued_at = excluded.issued_at, issuing_agency_id = excluded.issuing_agency_id,
                case_number = excluded.case_number, charges = excluded.charges, occurred_at = excluded.occurred_at,
                event_id = excluded.event_id
            WHERE \(warrantsTable).occurred_at < excluded.occurred_at
                OR (\(warrantsTable).occurred_at = excluded.occurred_at AND \(warrantsTable).event_id < excluded.event_id)
            """,
            [
                .text(warrant.warrantId), .text(personKey), issued.subject?.stateId.sqlValue ?? .null,
                issued.subject?.fbiNumber.sqlValue ?? .null, try LedgerJSON.optionalText(issued.subject).sqlValue,
                .text(warrant.warrantKind.rawValue), .text(warrant.issuedOn.description),
                .integer(LedgerTime.start(of: warrant.issuedOn)), .text(warrant.issuingAgencyId), warrant.caseNumber.sqlValue,
                try LedgerJSON.optionalText(warrant.charges).sqlValue, .integer(LedgerTime.milliseconds(issued.occurredAt)),
                .text(eventId),
            ])
    }

    private func resolved(
        _ warrantId: String, _ resolution: String, on day: CalendarDate, at instant: Int64, _ subject: SubjectIdentifiers?,
        eventId: String, in transaction: any StorageTransaction
    ) throws {
        let personKey = LedgerPerson.keyIfNamed(subject)
        try transaction.execute(
            """
            INSERT INTO \(resolutionsTable) (warrant_id, event_id, person_key, resolution, resolved_on, resolved_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (warrant_id, event_id) DO NOTHING
            """,
            [.text(warrantId), .text(eventId), personKey.sqlValue, .text(resolution), .text(day.description), .integer(instant)])
    }

    /// SQL true when the warrant aliased `alias` is active at the instant bound to `asOf`
    /// (e.g. `$1`).
    func activeCondition(_ alias: String, asOf: String) -> String {
        """
        \(alias).issued_at <= \(asOf) AND NOT EXISTS (
            SELECT 1 FROM \(resolutionsTable) resolution
            WHERE resolution.warrant_id = \(alias).warrant_id AND resolution.resolved_at <= \(asOf))
        """
    }
}

/// An active warrant, as the police and release views list it.
public struct ActiveWarrant: Codable, Sendable, Hashable {
    public var warrantId: String
    public var kind: WarrantKind
    public var issuedOn: CalendarDate
    public var issuingAgencyId: String
    public var caseNumber: String?
    public var charges: [Charge]

    /// The columns to select, with `alias` before each.
    static func columns(_ alias: String) -> String {
        ["warrant_id", "warrant_kind", "issued_on", "issuing_agency_id", "case_number", "charges"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(_ row: StorageRow, table: String) throws {
        warrantId = try row.get("warrant_id")
        guard let kind = WarrantKind(rawValue: try row.get("warrant_kind")) else { throw StoredValueError(table: table, column: "warrant_kind") }
        self.kind = kind
        guard let issuedOn = CalendarDate(try row.get("issued_on", as: String.self)) else { throw StoredValueError(table: table, column: "issued_on") }
        self.issuedOn = issuedOn
        issuingAgencyId = try row.get("issuing_agency_id")
        caseNumber = try row.get("case_number")
        charges = try LedgerJSON.decodeIfPresent([Charge].self, try row.get("charges", as: String?.self), table: table, column: "charges") ?? []
    }
}
