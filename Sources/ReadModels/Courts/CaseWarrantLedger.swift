import Contracts
import ServiceKit
import Storage

/// Warrants (and, for views that want them, detainers) from `courts.warrants`, kept in two
/// tables a store names: the records as issued or lodged, and their clearances.
///
/// A record is active from the start of its issue (or lodge) day, UTC, until it is cleared:
/// served (at `servedAt`), recalled, quashed or lifted (from the start of that day). The two
/// are kept apart and joined when read, so a clearance read before its warrant (a replay, or
/// a producer's correction) still clears it, and the earliest clearance is the one kept. A
/// re-sent record replaces the stored one only when its event is not older (`occurredAt`), so
/// applying an event twice, or an old one late, changes nothing.
///
/// The tables (each store's own migration creates them with these columns):
/// - records: `record_kind` (`warrant` | `detainer`), `record_id`, `person_key`, `state_id`,
///   `fbi_number`, `name_given`, `name_middle`, `name_family`, `name_suffix`, `subtype` (the
///   warrant or detainer kind), `agency_id` (issuing or requesting), `issued_ms`,
///   `case_number`, `charges` (JSON), `event_ms`; key (`record_kind`, `record_id`).
/// - clearances: `record_kind`, `record_id`, `person_key`, `cleared_ms`, `how`; same key.
struct CaseWarrantLedger: Sendable {
    enum RecordKind: String, Sendable {
        case warrant
        case detainer
    }

    enum Clearance: String, Sendable {
        case served, recalled, quashed, lifted
    }

    let records: String
    let clearances: String
    /// Whether detainer events are kept (the court view keeps warrants only).
    let keepsDetainers: Bool

    /// Whether `eventType` is one this ledger keeps.
    func handles(eventType: String) -> Bool {
        switch eventType {
        case WarrantIssued.eventType, WarrantServed.eventType, WarrantRecalled.eventType, WarrantQuashed.eventType: true
        case DetainerLodged.eventType, DetainerLifted.eventType: keepsDetainers
        default: false
        }
    }

    /// Applies one `courts.warrants` event; other types are ignored.
    ///
    /// - Throws: `PoisonMessage` when the event does not decode or names nobody by state ID or
    ///   FBI number (checked before anything is written); `StorageError`.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        guard handles(eventType: event.eventType) else { return }
        switch event.eventType {
        case WarrantIssued.eventType:
            let issued = try event.decode(WarrantIssued.self)
            let payload = issued.payload
            try save(
                .warrant, payload.warrantId, person: try KeyedPerson(subject: issued.subject), subtype: payload.warrantKind.rawValue,
                agencyId: payload.issuingAgencyId, issuedMilliseconds: ViewTime.milliseconds(payload.issuedOn),
                caseNumber: payload.caseNumber, charges: try payload.charges.map { try StoredColumn.json($0) } ?? .null,
                eventMilliseconds: ViewTime.milliseconds(issued.occurredAt), transaction)
        case DetainerLodged.eventType:
            let lodged = try event.decode(DetainerLodged.self)
            let payload = lodged.payload
            try save(
                .detainer, payload.detainerId, person: try KeyedPerson(subject: lodged.subject), subtype: payload.detainerKind.rawValue,
                agencyId: payload.requestingAgencyId, issuedMilliseconds: ViewTime.milliseconds(payload.lodgedOn),
                caseNumber: nil, charges: .null, eventMilliseconds: ViewTime.milliseconds(lodged.occurredAt), transaction)
        case WarrantServed.eventType:
            let served = try event.decode(WarrantServed.self)
            try clear(.warrant, served.payload.warrantId, .served, at: ViewTime.milliseconds(served.payload.servedAt),
                      person: try KeyedPerson(subject: served.subject), transaction)
        case WarrantRecalled.eventType:
            let recalled = try event.decode(WarrantRecalled.self)
            try clear(.warrant, recalled.payload.warrantId, .recalled, at: ViewTime.milliseconds(recalled.payload.recalledOn),
                      person: try KeyedPerson(subject: recalled.subject), transaction)
        case WarrantQuashed.eventType:
            let quashed = try event.decode(WarrantQuashed.self)
            try clear(.warrant, quashed.payload.warrantId, .quashed, at: ViewTime.milliseconds(quashed.payload.quashedOn),
                      person: try KeyedPerson(subject: quashed.subject), transaction)
        case DetainerLifted.eventType:
            let lifted = try event.decode(DetainerLifted.self)
            try clear(.detainer, lifted.payload.detainerId, .lifted, at: ViewTime.milliseconds(lifted.payload.liftedOn),
                      person: try KeyedPerson(subject: lifted.subject), transaction)
        default:
            return
        }
    }

    private func save(
        _ kind: RecordKind, _ recordId: String, person: KeyedPerson, subtype: String, agencyId: String, issuedMilliseconds: Int64,
        caseNumber: String?, charges: SQLValue, eventMilliseconds: Int64, _ transaction: any StorageTransaction
    ) throws {
        try transaction.execute(
            """
            INSERT INTO \(records) (record_kind, record_id, person_key, state_id, fbi_number,
                name_given, name_middle, name_family, name_suffix, subtype, agency_id, issued_ms, case_number, charges, event_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (record_kind, record_id) DO UPDATE SET person_key = excluded.person_key, state_id = excluded.state_id,
                fbi_number = excluded.fbi_number, name_given = excluded.name_given, name_middle = excluded.name_middle,
                name_family = excluded.name_family, name_suffix = excluded.name_suffix, subtype = excluded.subtype,
                agency_id = excluded.agency_id, issued_ms = excluded.issued_ms, case_number = excluded.case_number,
                charges = excluded.charges, event_ms = excluded.event_ms
            WHERE excluded.event_ms >= \(records).event_ms
            """,
            [.text(kind.rawValue), .text(recordId)] + person.identifierValues + person.nameValues
                + [.text(subtype), .text(agencyId), .integer(issuedMilliseconds), caseNumber.sqlValue, charges, .integer(eventMilliseconds)])
    }

    private func clear(
        _ kind: RecordKind, _ recordId: String, _ how: Clearance, at milliseconds: Int64, person: KeyedPerson,
        _ transaction: any StorageTransaction
    ) throws {
        try transaction.execute(
            """
            INSERT INTO \(clearances) (record_kind, record_id, person_key, cleared_ms, how) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (record_kind, record_id) DO UPDATE SET person_key = excluded.person_key,
                cleared_ms = excluded.cleared_ms, how = excluded.how
            WHERE excluded.cleared_ms < \(clearances).cleared_ms
                OR (excluded.cleared_ms = \(clearances).cleared_ms AND excluded.how < \(clearances).how)
            """,
            [.text(kind.rawValue), .text(recordId), .text(person.key), .integer(milliseconds), .text(how.rawValue)])
    }
}
