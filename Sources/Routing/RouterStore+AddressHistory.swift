import Contracts
import Storage

/// Every registered address of a case with the day it took effect (`router_case_addresses`), so
/// that a police contact is compared with the address and household in force on the contact's
/// day, whichever of the two topics was read first. The case's `address` and `household`
/// columns stay the latest read (what the other rules and the views of the case show).
///
/// Without it a contact at the old address read after a move had been recorded found nothing
/// (compared with the new address), and a contact at the new address from before the move was
/// "at the registered address" once the move was read.
extension RouterStore {
    /// v8: the table, filled from each stored case's current address as of its start (the
    /// history before this step is not known; events read after it add theirs).
    static let addressHistoryMigration = StorageMigration.script("router-v8", sqlite: """
        CREATE TABLE router_case_addresses (
            case_id TEXT NOT NULL,
            effective_on TEXT NOT NULL,
            event_id TEXT NOT NULL,
            address BLOB NOT NULL,
            household BLOB,
            PRIMARY KEY (case_id, event_id)
        ) WITHOUT ROWID;
        INSERT INTO router_case_addresses (case_id, effective_on, event_id, address, household)
            SELECT case_id, start_date, '', address, household FROM router_cases WHERE address IS NOT NULL;
        """,
        postgres: """
        CREATE TABLE router_case_addresses (
            case_id TEXT NOT NULL,
            effective_on TEXT NOT NULL,
            event_id TEXT NOT NULL,
            address BYTEA NOT NULL,
            household BYTEA,
            PRIMARY KEY (case_id, event_id)
        );
        INSERT INTO router_case_addresses (case_id, effective_on, event_id, address, household)
            SELECT case_id, start_date, '', address, household FROM router_cases WHERE address IS NOT NULL;
        """)

    /// Records `address` (and `household`, when the event lists one) as the case's from
    /// `effectiveOn`, once per event.
    func recordAddress(
        _ address: Address, household: [HouseholdMember]?, of caseId: String, effectiveOn: CalendarDate, eventId: String
    ) throws {
        try transaction.send(
            """
            INSERT INTO router_case_addresses (case_id, effective_on, event_id, address, household)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, event_id) DO NOTHING
            """,
            [.text(caseId), .text(effectiveOn.description), .text(eventId), .bytes(try EventCodec.encodeJSON(address)),
             try household.map { .bytes(try EventCodec.encodeJSON($0)) } ?? .null])
    }

    /// `supervision` as registered on `day` (`YYYY-MM-DD`): the address of the latest change in
    /// effect that day (by effective day, then event id) and the household of the latest such
    /// change that listed one. On a day before every recorded address, the earliest; a case
    /// with none recorded stays as it is.
    func registered(_ supervision: SupervisionCase, on day: String) throws -> SupervisionCase {
        let rows = try transaction.fetchAll(
            "SELECT effective_on, address, household FROM router_case_addresses WHERE case_id = $1 ORDER BY effective_on, event_id",
            [.text(supervision.caseId)])
        guard !rows.isEmpty else { return supervision }
        var inForce = try rows.filter { try $0.get("effective_on", as: String.self) <= day }
        if inForce.isEmpty { inForce = [rows[0]] }
        var registered = supervision
        registered.address = try EventCodec.decodeJSON(Address.self, from: try inForce[inForce.count - 1].get("address", as: [UInt8].self))
        let household = try inForce.last { try $0.get("household", as: [UInt8]?.self) != nil }
        registered.householdMembers = try household.map {
            try EventCodec.decodeJSON([HouseholdMember].self, from: try $0.get("household", as: [UInt8].self))
        } ?? []
        return registered
    }
}
