import Contracts
import ServiceKit
import Storage

/// The supervision cases the police view knows, from `supervision.cases`, one table per kind
/// of fact so that facts read before their case started still apply once it does:
///
/// - `police_cases`: a case's start (type, dates, supervising agency), once per case id (a
///   re-sent start replaces it only when it happened later);
/// - `police_case_ends`: each end read; a case has ended at an instant once any end is dated
///   by then;
/// - `police_addresses`: each registered address with the day it took effect (a case's
///   start address from its start day) and the person's numbers; a person's registered
///   address at an instant is the one that took effect last by then, over all their cases,
///   under either number (`currentAddressJoin`);
/// - `police_case_conditions`: each full list of conditions with its effective day; the one
///   in force is the last effective by then;
/// - `police_case_officers`: each officer assignment (and a start's officer); the current
///   officer is the one assigned last.
struct CaseLedger: Sendable {
    let prefix: String

    var casesTable: String { "\(prefix)_cases" }
    var endsTable: String { "\(prefix)_case_ends" }
    var addressesTable: String { "\(prefix)_addresses" }
    var conditionsTable: String { "\(prefix)_case_conditions" }
    var officersTable: String { "\(prefix)_case_officers" }
    var tables: [String] { [casesTable, endsTable, addressesTable, conditionsTable, officersTable] }

    static let types: Set<String> = [
        CaseStarted.eventType, CaseEnded.eventType, OfficerAssigned.eventType, ConditionsSet.eventType, AddressChanged.eventType,
    ]

    var schema: String {
        """
        CREATE TABLE \(casesTable) (
            case_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            state_id TEXT,
            fbi_number TEXT,
            name TEXT,
            date_of_birth BIGINT,
            supervision_type TEXT NOT NULL,
            start_at BIGINT NOT NULL,
            expected_end_at BIGINT,
            supervising_agency_id TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX \(casesTable)_by_person ON \(casesTable) (person_key);
        CREATE TABLE \(endsTable) (
            case_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            end_at BIGINT NOT NULL,
            end_reason TEXT NOT NULL,
            PRIMARY KEY (case_id, event_id)
        );
        CREATE INDEX \(endsTable)_by_person ON \(endsTable) (person_key);
        CREATE TABLE \(addressesTable) (
            event_id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            effective_at BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            address TEXT NOT NULL,
            place TEXT NOT NULL
        );
        CREATE INDEX \(addressesTable)_by_person ON \(addressesTable) (person_key, effective_at);
        CREATE INDEX \(addressesTable)_by_case ON \(addressesTable) (case_id);
        CREATE TABLE \(conditionsTable) (
            event_id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            effective_at BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            conditions TEXT NOT NULL
        );
        CREATE INDEX \(conditionsTable)_by_case ON \(conditionsTable) (case_id, effective_at);
        CREATE INDEX \(conditionsTable)_by_person ON \(conditionsTable) (person_key);
        CREATE TABLE \(officersTable) (
            event_id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            officer TEXT NOT NULL
        );
        CREATE INDEX \(officersTable)_by_case ON \(officersTable) (case_id, occurred_at);
        CREATE INDEX \(officersTable)_by_person ON \(officersTable) (person_key)
        """
    }

    /// Applies one case event.
    ///
    /// - Throws: `PoisonMessage` when it names nobody or does not decode; nothing is written.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            try self.started(started, person: try PersonOnRecord(subject: started.subject), eventId: event.eventId, in: transaction)
        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            let personKey = try PersonKey(subject: ended.subject).value
            let end = ended.payload
            try transaction.send(
                """
                INSERT INTO \(endsTable) (case_id, event_id, person_key, end_at, end_reason)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, event_id) DO NOTHING
                """,
                [
                    .text(end.caseId), .text(event.eventId), .text(personKey), .integer(ViewTime.start(of: end.endDate)),
                    .text(end.endReason.rawValue),
                ])
        case OfficerAssigned.eventType:
            let assigned = try event.decode(OfficerAssigned.self)
            let personKey = try PersonKey(subject: assigned.subject).value
            try officer(
                assigned.payload.officer, caseId: assigned.payload.caseId, personKey: personKey,
                occurredAt: ViewTime.milliseconds(assigned.occurredAt), eventId: event.eventId, in: transaction)
        case ConditionsSet.eventType:
            let set = try event.decode(ConditionsSet.self)
            let personKey = try PersonKey(subject: set.subject).value
            try transaction.send(
                """
                INSERT INTO \(conditionsTable) (event_id, case_id, person_key, effective_at, occurred_at, conditions)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING
                """,
                [
                    .text(event.eventId), .text(set.payload.caseId), .text(personKey),
                    .integer(ViewTime.start(of: set.payload.effectiveDate)), .integer(ViewTime.milliseconds(set.occurredAt)),
                    try StoredColumn.json(set.payload.conditions),
                ])
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            try address(
                changed.payload.address, caseId: changed.payload.caseId, person: try PersonOnRecord(subject: changed.subject),
                effectiveAt: ViewTime.start(of: changed.payload.effectiveDate), occurredAt: ViewTime.milliseconds(changed.occurredAt),
                eventId: event.eventId, in: transaction)
        default:
            return
        }
    }

    private func started(_ started: EventEnvelope<CaseStarted>, person: PersonOnRecord, eventId: String, in transaction: any StorageTransaction) throws {
        let supervision = started.payload
        let personKey = person.personKey
        let occurredAt = ViewTime.milliseconds(started.occurredAt)
        try transaction.send(
            """
            INSERT INTO \(casesTable) (
                case_id, \(PersonOnRecord.columns), supervision_type, start_at, expected_end_at, supervising_agency_id,
                occurred_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (case_id) DO UPDATE SET \(PersonOnRecord.updatedColumns),
                supervision_type = excluded.supervision_type, start_at = excluded.start_at,
                expected_end_at = excluded.expected_end_at, supervising_agency_id = excluded.supervising_agency_id,
                occurred_at = excluded.occurred_at, event_id = excluded.event_id
            WHERE \(casesTable).occurred_at < excluded.occurred_at
                OR (\(casesTable).occurred_at = excluded.occurred_at AND \(casesTable).event_id < excluded.event_id)
            """,
            [.text(supervision.caseId)] + (try person.values())
                + [
                    .text(supervision.supervisionType.rawValue), .integer(ViewTime.start(of: supervision.startDate)),
                    supervision.expectedEndDate.map { .integer(ViewTime.start(of: $0)) } ?? .null,
                    .text(supervision.supervisingAgencyId), .integer(occurredAt), .text(eventId),
                ])
        if let address = supervision.address {
            try self.address(
                address, caseId: supervision.caseId, person: person, effectiveAt: ViewTime.start(of: supervision.startDate),
                occurredAt: occurredAt, eventId: eventId, in: transaction)
        }
        if let officer = supervision.officer {
            try self.officer(officer, caseId: supervision.caseId, personKey: personKey, occurredAt: occurredAt, eventId: eventId, in: transaction)
        }
    }

    private func address(
        _ address: Address, caseId: String, person: PersonOnRecord, effectiveAt: Int64, occurredAt: Int64, eventId: String,
        in transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO \(addressesTable) (
                event_id, case_id, \(PersonOnRecord.identifierColumns), effective_at, occurred_at, address, place)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(eventId), .text(caseId)] + person.identifierValues
                + [.integer(effectiveAt), .integer(occurredAt), try StoredColumn.json(address), .text(JurisdictionPlace(of: address).key)])
    }

    private func officer(
        _ officer: Officer, caseId: String, personKey: String, occurredAt: Int64, eventId: String, in transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO \(officersTable) (event_id, case_id, person_key, occurred_at, officer)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(eventId), .text(caseId), .text(personKey), .integer(occurredAt), try StoredColumn.json(officer)])
    }

    // MARK: Query parts

    /// `FROM <addresses> <alias> JOIN <table> <person> ON …` and the condition to put in the
    /// WHERE clause: the rows of `table` (aliased `person`, with `state_id` and `fbi_number`)
    /// of people whose registered address at the instant bound to `asOf` is in one of the
    /// places bound to `placeList` (`$2, $3`), each beside that address (aliased `alias`).
    /// The registered address is the one that took effect last by then over all the person's
    /// cases, found by either number (an address registered under the FBI number is a
    /// warrant's under the state ID that also carries it).
    ///
    /// The query starts from the places' own addresses (`…_by_place`) and keeps a row when its
    /// person's current address is the one it started from. Started from `table` instead, a
    /// jurisdiction's list read every row of it in the state, a lookup of the address each.
    func residents(of table: String, _ person: String, address alias: String, in placeList: String, asOf: String)
        -> (from: String, condition: String)
    {
        let from = """
            FROM \(addressesTable) \(alias)
                JOIN \(table) \(person) ON (\(person).state_id = \(alias).state_id OR \(person).fbi_number = \(alias).fbi_number)
            """
        let condition = """
            \(alias).place IN (\(placeList)) AND \(alias).effective_at <= \(asOf) AND \(alias).event_id = (
                SELECT x.event_id FROM \(addressesTable) x
                WHERE (x.state_id = \(person).state_id OR x.fbi_number = \(person).fbi_number) AND x.effective_at <= \(asOf)
                ORDER BY x.effective_at DESC, x.occurred_at DESC, x.event_id DESC
                LIMIT 1)
            """
        return (from, condition)
    }

    /// The second step of the tables (the first is `schema`, shipped as it stands): indexes on
    /// the cases' numbers, which a release's active case is found by, and both numbers beside
    /// the key of each registered address, which a person's current address is found by (rows
    /// kept before get the number of their key; `replay views` restores the other).
    var numbersStep: String {
        """
        CREATE INDEX \(casesTable)_by_state_id ON \(casesTable) (state_id);
        CREATE INDEX \(casesTable)_by_fbi_number ON \(casesTable) (fbi_number);
        \(PersonKey.numbersColumnsSQL(in: addressesTable, indexedWith: "effective_at"))
        """
    }

    /// The third step: the registered addresses by place, which a jurisdiction's lists start
    /// from (``residents(of:_:address:in:asOf:)``).
    var placesStep: String {
        "CREATE INDEX \(addressesTable)_by_place ON \(addressesTable) (place, effective_at)"
    }

    /// SQL true when the case aliased `alias` is active at the instant bound to `asOf`: from its
    /// start through its end day (a UTC day, `end_at` its 00:00), as the router and the caseload
    /// read it, so police see the conditions of the last day too.
    func activeCondition(_ alias: String, asOf: String) -> String {
        """
        \(alias).start_at <= \(asOf) AND NOT EXISTS (
            SELECT 1 FROM \(endsTable) ending WHERE ending.case_id = \(alias).case_id AND \(Self.endedBy("ending.end_at", asOf)))
        """
    }

    /// SQL true when a case ending on the day at `endAt` (its 00:00 UTC) has ended by `asOf`:
    /// once that day is over.
    static func endedBy(_ endAt: String, _ asOf: String) -> String { "\(endAt) + 86400000 <= \(asOf)" }
}
