import Contracts
import ServiceKit
import Storage

extension SafetyStore {
    /// Keeps a case's start, end, or registered address (with its household).
    ///
    /// - Throws: `PoisonMessage` when it names nobody by state ID or FBI number, does not
    ///   decode, or carries coordinates off the globe; nothing is written.
    func applyCase(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        switch event.eventType {
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let person = try PersonOnRecord(subject: started.subject)
            let supervision = started.payload
            let occurredAt = ViewTime.milliseconds(started.occurredAt)
            let startAt = ViewTime.start(of: supervision.startDate)
            let place = try supervision.address.map { address throws(PoisonMessage) in
                try SafetyPlace(address, field: "payload.address.coordinates")
            }
            try transaction.send(
                """
                INSERT INTO safety_cases (case_id, person_key, state_id, fbi_number, start_at, occurred_at, event_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (case_id) DO UPDATE SET
                    person_key = excluded.person_key, state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                    start_at = excluded.start_at, occurred_at = excluded.occurred_at, event_id = excluded.event_id
                WHERE safety_cases.occurred_at < excluded.occurred_at
                    OR (safety_cases.occurred_at = excluded.occurred_at AND safety_cases.event_id < excluded.event_id)
                """,
                [.text(supervision.caseId)] + person.identifierValues + [.integer(startAt), .integer(occurredAt), .text(event.eventId)])
            if let address = supervision.address, let place {
                try register(
                    address, at: place, household: [], caseId: supervision.caseId, person: person, subject: started.subject,
                    effectiveAt: startAt, occurredAt: occurredAt, eventId: event.eventId, in: transaction)
            }
        case CaseEnded.eventType:
            let ended = try event.decode(CaseEnded.self)
            let personKey = try PersonKey(subject: ended.subject).value
            try transaction.send(
                """
                INSERT INTO safety_case_ends (case_id, event_id, person_key, end_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (case_id, event_id) DO NOTHING
                """,
                [.text(ended.payload.caseId), .text(event.eventId), .text(personKey), .integer(ViewTime.start(of: ended.payload.endDate))])
        case AddressChanged.eventType:
            let changed = try event.decode(AddressChanged.self)
            let change = changed.payload
            try register(
                change.address, at: try SafetyPlace(change.address, field: "payload.address.coordinates"), household: change.householdMembers ?? [],
                caseId: change.caseId, person: try PersonOnRecord(subject: changed.subject),
                subject: changed.subject, effectiveAt: ViewTime.start(of: change.effectiveDate),
                occurredAt: ViewTime.milliseconds(changed.occurredAt), eventId: event.eventId, in: transaction)
        default:
            return
        }
    }

    private func register(
        _ address: Address, at place: SafetyPlace, household: [HouseholdMember], caseId: String, person: PersonOnRecord, subject: SubjectIdentifiers?,
        effectiveAt: Int64, occurredAt: Int64, eventId: String, in transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO safety_addresses (
                event_id, case_id, \(PersonOnRecord.identifierColumns), subject, effective_at, occurred_at, address, \(SafetyPlace.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (event_id) DO NOTHING
            """,
            [.text(eventId), .text(caseId)] + person.identifierValues + [
                try StoredColumn.optionalJSON(subject), .integer(effectiveAt), .integer(occurredAt), try StoredColumn.json(address),
            ] + place.values)
        for (position, member) in household.enumerated() {
            try transaction.send(
                """
                INSERT INTO safety_household (event_id, position, case_id, person_key, name, relationship)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, position) DO NOTHING
                """,
                [
                    .text(eventId), .integer(Int64(position)), .text(caseId), .text(person.personKey), try StoredColumn.json(member.name),
                    .text(member.relationship),
                ])
        }
    }

}
