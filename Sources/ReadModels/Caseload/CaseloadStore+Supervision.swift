import Contracts
import ServiceKit
import Storage

/// How `supervision.cases` and `supervision.assessments` events change the caseload's tables.
extension CaseloadStore {
    func caseStarted(_ started: EventEnvelope<CaseStarted>, _ transaction: any StorageTransaction) throws {
        let person = try KeyedPerson(subject: started.subject)
        let payload = started.payload
        let eventMilliseconds = ViewTime.milliseconds(started.occurredAt)
        let startMilliseconds = ViewTime.milliseconds(payload.startDate)
        try transaction.execute(
            """
            INSERT INTO caseload_cases (case_id, person_key, state_id, fbi_number, name_given, name_middle, name_family, name_suffix,
                supervision_type, agency_id, start_ms, expected_end_ms, event_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (case_id) DO UPDATE SET person_key = excluded.person_key, state_id = excluded.state_id,
                fbi_number = excluded.fbi_number, name_given = excluded.name_given, name_middle = excluded.name_middle,
                name_family = excluded.name_family, name_suffix = excluded.name_suffix,
                supervision_type = excluded.supervision_type, agency_id = excluded.agency_id, start_ms = excluded.start_ms,
                expected_end_ms = excluded.expected_end_ms, event_ms = excluded.event_ms
            WHERE excluded.event_ms >= caseload_cases.event_ms
            """,
            [.text(payload.caseId)] + person.identifierValues + person.nameValues
                + [.text(payload.supervisionType.rawValue), .text(payload.supervisingAgencyId), .integer(startMilliseconds),
                   payload.expectedEndDate.map { .integer(ViewTime.milliseconds($0)) } ?? .null, .integer(eventMilliseconds)])
        if let officer = payload.officer {
            // The first officer supervises from the start (or from when the case was opened, if earlier).
            try saveOfficer(officer, caseId: payload.caseId, person: person,
                            effectiveMilliseconds: min(eventMilliseconds, startMilliseconds), transaction)
        }
        if let address = payload.address {
            try saveAddress(address, household: .null, caseId: payload.caseId, person: person,
                            effectiveMilliseconds: startMilliseconds, eventMilliseconds: eventMilliseconds, transaction)
        }
    }

    func caseEnded(_ ended: EventEnvelope<CaseEnded>, _ transaction: any StorageTransaction) throws {
        let person = try KeyedPerson(subject: ended.subject)
        try transaction.execute(
            """
            INSERT INTO caseload_case_ends (case_id, person_key, end_ms, end_reason, event_ms) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (case_id) DO UPDATE SET person_key = excluded.person_key, end_ms = excluded.end_ms,
                end_reason = excluded.end_reason, event_ms = excluded.event_ms
            WHERE excluded.event_ms >= caseload_case_ends.event_ms
            """,
            [.text(ended.payload.caseId), .text(person.key), .integer(ViewTime.milliseconds(ended.payload.endDate)),
             .text(ended.payload.endReason.rawValue), .integer(ViewTime.milliseconds(ended.occurredAt))])
    }

    /// Two assignments at the same moment: the greater officer id is kept, whichever was read
    /// first (the same officer's details: the last read).
    func saveOfficer(
        _ officer: Officer, caseId: String, person: KeyedPerson, effectiveMilliseconds: Int64, _ transaction: any StorageTransaction
    ) throws {
        try transaction.execute(
            """
            INSERT INTO caseload_officers (case_id, effective_ms, person_key, officer_id, officer_name, officer_phone, officer_email)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (case_id, effective_ms) DO UPDATE SET person_key = excluded.person_key, officer_id = excluded.officer_id,
                officer_name = excluded.officer_name, officer_phone = excluded.officer_phone, officer_email = excluded.officer_email
            WHERE excluded.officer_id >= caseload_officers.officer_id
            """,
            [.text(caseId), .integer(effectiveMilliseconds), .text(person.key), .text(officer.officerId), .text(officer.name),
             officer.phone.sqlValue, officer.email.sqlValue])
    }

    func conditionsSet(_ set: EventEnvelope<ConditionsSet>, _ transaction: any StorageTransaction) throws {
        let person = try KeyedPerson(subject: set.subject)
        try transaction.execute(
            """
            INSERT INTO caseload_conditions (case_id, effective_ms, person_key, conditions, event_ms) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (case_id, effective_ms) DO UPDATE SET person_key = excluded.person_key, conditions = excluded.conditions,
                event_ms = excluded.event_ms
            WHERE excluded.event_ms >= caseload_conditions.event_ms
            """,
            [.text(set.payload.caseId), .integer(ViewTime.milliseconds(set.payload.effectiveDate)), .text(person.key),
             try StoredColumn.json(set.payload.conditions), .integer(ViewTime.milliseconds(set.occurredAt))])
    }

    func addressChanged(_ changed: EventEnvelope<AddressChanged>, _ transaction: any StorageTransaction) throws {
        let person = try KeyedPerson(subject: changed.subject)
        try saveAddress(
            changed.payload.address, household: try changed.payload.householdMembers.map { try StoredColumn.json($0) } ?? .null,
            caseId: changed.payload.caseId, person: person, effectiveMilliseconds: ViewTime.milliseconds(changed.payload.effectiveDate),
            eventMilliseconds: ViewTime.milliseconds(changed.occurredAt), transaction)
    }

    private func saveAddress(
        _ address: Address, household: SQLValue, caseId: String, person: KeyedPerson, effectiveMilliseconds: Int64,
        eventMilliseconds: Int64, _ transaction: any StorageTransaction
    ) throws {
        try transaction.execute(
            """
            INSERT INTO caseload_addresses (case_id, effective_ms, person_key, line1, line2, city, state, postal_code,
                latitude, longitude, household, event_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (case_id, effective_ms) DO UPDATE SET person_key = excluded.person_key, line1 = excluded.line1,
                line2 = excluded.line2, city = excluded.city, state = excluded.state, postal_code = excluded.postal_code,
                latitude = excluded.latitude, longitude = excluded.longitude, household = excluded.household,
                event_ms = excluded.event_ms
            WHERE excluded.event_ms >= caseload_addresses.event_ms
            """,
            [.text(caseId), .integer(effectiveMilliseconds), .text(person.key), .text(address.line1), address.line2.sqlValue,
             .text(address.city), .text(address.state), address.postalCode.sqlValue,
             address.coordinates.map { .real($0.latitude) } ?? .null, address.coordinates.map { .real($0.longitude) } ?? .null,
             household, .integer(eventMilliseconds)])
    }

    func assessmentCompleted(_ completed: EventEnvelope<AssessmentCompleted>, _ transaction: any StorageTransaction) throws {
        let person = try KeyedPerson(subject: completed.subject)
        let payload = completed.payload
        try transaction.execute(
            """
            INSERT INTO caseload_assessments (assessment_id, person_key, state_id, fbi_number, instrument, risk_level,
                completed_ms, event_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (assessment_id) DO UPDATE SET person_key = excluded.person_key, state_id = excluded.state_id,
                fbi_number = excluded.fbi_number, instrument = excluded.instrument, risk_level = excluded.risk_level,
                completed_ms = excluded.completed_ms, event_ms = excluded.event_ms
            WHERE excluded.event_ms >= caseload_assessments.event_ms
            """,
            [.text(payload.assessmentId)] + person.identifierValues
                + [.text(payload.instrument), .text(payload.riskLevel.rawValue), .integer(ViewTime.milliseconds(payload.completedOn)),
                   .integer(ViewTime.milliseconds(completed.occurredAt))])
    }
}
