import Contracts
import ServiceKit
import Storage

/// How `supervision.cases` and `supervision.assessments` events change the caseload's tables.
extension CaseloadStore {
    func caseStarted(_ started: EventEnvelope<CaseStarted>, _ transaction: any StorageTransaction) throws {
        let person = try PersonOnRecord(subject: started.subject)
        let payload = started.payload
        let occurredAt = ViewTime.milliseconds(started.occurredAt)
        let startAt = ViewTime.start(of: payload.startDate)
        try transaction.send(
            """
            INSERT INTO caseload_cases (case_id, \(PersonOnRecord.columns), supervision_type, agency_id, start_at, expected_end_at,
                occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (case_id) DO UPDATE SET \(PersonOnRecord.updatedColumns),
                supervision_type = excluded.supervision_type, agency_id = excluded.agency_id, start_at = excluded.start_at,
                expected_end_at = excluded.expected_end_at, occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_cases.occurred_at
            """,
            [.text(payload.caseId)] + (try person.values())
                + [.text(payload.supervisionType.rawValue), .text(payload.supervisingAgencyId), .integer(startAt),
                   payload.expectedEndDate.map { .integer(ViewTime.start(of: $0)) } ?? .null, .integer(occurredAt)])
        if let officer = payload.officer {
            // The first officer supervises from the start (or from when the case was opened, if earlier).
            try saveOfficer(officer, caseId: payload.caseId, personKey: person.personKey, effectiveAt: min(occurredAt, startAt), transaction)
        }
        if let address = payload.address {
            try saveAddress(address, household: .null, caseId: payload.caseId, personKey: person.personKey,
                            effectiveAt: startAt, occurredAt: occurredAt, transaction)
        }
    }

    func caseEnded(_ ended: EventEnvelope<CaseEnded>, _ transaction: any StorageTransaction) throws {
        let person = try PersonKey(subject: ended.subject)
        try transaction.send(
            """
            INSERT INTO caseload_case_ends (case_id, person_key, end_at, end_reason, occurred_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (case_id) DO UPDATE SET person_key = excluded.person_key, end_at = excluded.end_at,
                end_reason = excluded.end_reason, occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_case_ends.occurred_at
            """,
            [.text(ended.payload.caseId), .text(person.value), .integer(ViewTime.start(of: ended.payload.endDate)),
             .text(ended.payload.endReason.rawValue), .integer(ViewTime.milliseconds(ended.occurredAt))])
    }

    /// Two assignments at the same moment: the greater officer id is kept, whichever was read
    /// first (the same officer's details: the last read).
    func saveOfficer(
        _ officer: Officer, caseId: String, personKey: String, effectiveAt: Int64, _ transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO caseload_officers (case_id, effective_at, person_key, officer_id, officer_name, officer_phone, officer_email)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (case_id, effective_at) DO UPDATE SET person_key = excluded.person_key, officer_id = excluded.officer_id,
                officer_name = excluded.officer_name, officer_phone = excluded.officer_phone, officer_email = excluded.officer_email
            WHERE excluded.officer_id >= caseload_officers.officer_id
            """,
            [.text(caseId), .integer(effectiveAt), .text(personKey), .text(officer.officerId), .text(officer.name),
             officer.phone.sqlValue, officer.email.sqlValue])
    }

    func conditionsSet(_ set: EventEnvelope<ConditionsSet>, _ transaction: any StorageTransaction) throws {
        let person = try PersonKey(subject: set.subject)
        try transaction.send(
            """
            INSERT INTO caseload_conditions (case_id, effective_at, person_key, conditions, occurred_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (case_id, effective_at) DO UPDATE SET person_key = excluded.person_key, conditions = excluded.conditions,
                occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_conditions.occurred_at
            """,
            [.text(set.payload.caseId), .integer(ViewTime.start(of: set.payload.effectiveDate)), .text(person.value),
             try StoredColumn.json(set.payload.conditions), .integer(ViewTime.milliseconds(set.occurredAt))])
    }

    func addressChanged(_ changed: EventEnvelope<AddressChanged>, _ transaction: any StorageTransaction) throws {
        let personKey = try PersonKey(subject: changed.subject).value
        try saveAddress(
            changed.payload.address, household: try StoredColumn.optionalJSON(changed.payload.householdMembers),
            caseId: changed.payload.caseId, personKey: personKey, effectiveAt: ViewTime.start(of: changed.payload.effectiveDate),
            occurredAt: ViewTime.milliseconds(changed.occurredAt), transaction)
    }

    private func saveAddress(
        _ address: Address, household: SQLValue, caseId: String, personKey: String, effectiveAt: Int64, occurredAt: Int64,
        _ transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO caseload_addresses (case_id, effective_at, person_key, line1, line2, city, state, postal_code,
                latitude, longitude, household, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (case_id, effective_at) DO UPDATE SET person_key = excluded.person_key, line1 = excluded.line1,
                line2 = excluded.line2, city = excluded.city, state = excluded.state, postal_code = excluded.postal_code,
                latitude = excluded.latitude, longitude = excluded.longitude, household = excluded.household,
                occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_addresses.occurred_at
            """,
            [.text(caseId), .integer(effectiveAt), .text(personKey), .text(address.line1), address.line2.sqlValue,
             .text(address.city), .text(address.state), address.postalCode.sqlValue,
             address.coordinates.map { .real($0.latitude) } ?? .null, address.coordinates.map { .real($0.longitude) } ?? .null,
             household, .integer(occurredAt)])
    }

    func assessmentCompleted(_ completed: EventEnvelope<AssessmentCompleted>, _ transaction: any StorageTransaction) throws {
        let person = try PersonOnRecord(subject: completed.subject)
        let payload = completed.payload
        try transaction.send(
            """
            INSERT INTO caseload_assessments (assessment_id, \(PersonOnRecord.identifierColumns), instrument, risk_level,
                completed_at, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (assessment_id) DO UPDATE SET person_key = excluded.person_key, state_id = excluded.state_id,
                fbi_number = excluded.fbi_number, instrument = excluded.instrument, risk_level = excluded.risk_level,
                completed_at = excluded.completed_at, occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_assessments.occurred_at
            """,
            [.text(payload.assessmentId)] + person.identifierValues
                + [.text(payload.instrument), .text(payload.riskLevel.rawValue), .integer(ViewTime.start(of: payload.completedOn)),
                   .integer(ViewTime.milliseconds(completed.occurredAt))])
    }
}
