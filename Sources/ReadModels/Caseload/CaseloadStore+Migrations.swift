import Storage

extension CaseloadStore {
    /// The caseload's tables, in the shared dialect. Shipped steps are never edited: add one.
    ///
    /// Facts are kept per person or per case as they arrive and joined when read, so the
    /// order in which topics are read does not matter. Times are as ``ViewTime`` stores them
    /// (`*_at`, milliseconds since 1970; a calendar day is its 00:00 UTC). Every row carries
    /// `person_key` and the id of its source record (case, arrest, booking, contact, incident,
    /// assessment, warrant, detainer or release), for sealing. Warrants, detainers and releases
    /// are kept as the shared ledgers keep them (``WarrantLedger``, ``ReleaseLedger``); since
    /// `caseload-v2` and `-v3`, in the ledgers every view shares (``ReleaseLedger/views``,
    /// ``WarrantLedger/views``).
    static let migrationSteps: [StorageMigration] = [
        .script("caseload-v1", """
            CREATE TABLE caseload_cases (
                case_id TEXT PRIMARY KEY NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                name TEXT,
                date_of_birth BIGINT,
                supervision_type TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                start_at BIGINT NOT NULL,
                expected_end_at BIGINT,
                occurred_at BIGINT NOT NULL
            );
            CREATE INDEX caseload_cases_by_agency ON caseload_cases (agency_id);
            CREATE INDEX caseload_cases_by_state_id ON caseload_cases (state_id);
            CREATE INDEX caseload_cases_by_fbi_number ON caseload_cases (fbi_number);
            CREATE INDEX caseload_cases_by_person ON caseload_cases (person_key);

            CREATE TABLE caseload_case_ends (
                case_id TEXT PRIMARY KEY NOT NULL,
                person_key TEXT NOT NULL,
                end_at BIGINT NOT NULL,
                end_reason TEXT NOT NULL,
                occurred_at BIGINT NOT NULL
            );
            CREATE INDEX caseload_case_ends_by_person ON caseload_case_ends (person_key);

            CREATE TABLE caseload_officers (
                case_id TEXT NOT NULL,
                effective_at BIGINT NOT NULL,
                person_key TEXT NOT NULL,
                officer_id TEXT NOT NULL,
                officer_name TEXT NOT NULL,
                officer_phone TEXT,
                officer_email TEXT,
                PRIMARY KEY (case_id, effective_at)
            );
            CREATE INDEX caseload_officers_by_officer ON caseload_officers (officer_id);
            CREATE INDEX caseload_officers_by_person ON caseload_officers (person_key);

            CREATE TABLE caseload_addresses (
                case_id TEXT NOT NULL,
                effective_at BIGINT NOT NULL,
                person_key TEXT NOT NULL,
                line1 TEXT NOT NULL,
                line2 TEXT,
                city TEXT NOT NULL,
                state TEXT NOT NULL,
                postal_code TEXT,
                latitude DOUBLE PRECISION,
                longitude DOUBLE PRECISION,
                household TEXT,
                occurred_at BIGINT NOT NULL,
                PRIMARY KEY (case_id, effective_at)
            );
            CREATE INDEX caseload_addresses_by_person ON caseload_addresses (person_key);

            CREATE TABLE caseload_conditions (
                case_id TEXT NOT NULL,
                effective_at BIGINT NOT NULL,
                person_key TEXT NOT NULL,
                conditions TEXT NOT NULL,
                occurred_at BIGINT NOT NULL,
                PRIMARY KEY (case_id, effective_at)
            );
            CREATE INDEX caseload_conditions_by_person ON caseload_conditions (person_key);

            CREATE TABLE caseload_assessments (
                assessment_id TEXT PRIMARY KEY NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                instrument TEXT NOT NULL,
                risk_level TEXT NOT NULL,
                completed_at BIGINT NOT NULL,
                occurred_at BIGINT NOT NULL
            );
            CREATE INDEX caseload_assessments_by_state_id ON caseload_assessments (state_id);
            CREATE INDEX caseload_assessments_by_fbi_number ON caseload_assessments (fbi_number);
            CREATE INDEX caseload_assessments_by_person ON caseload_assessments (person_key);

            CREATE TABLE caseload_flags (
                kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                person_key TEXT NOT NULL,
                state_id TEXT,
                fbi_number TEXT,
                flag_at BIGINT NOT NULL,
                agency_id TEXT,
                detail TEXT,
                relation_to_subject TEXT,
                at_subject_residence BIGINT,
                occurred_at BIGINT NOT NULL,
                PRIMARY KEY (kind, record_id, person_key)
            );
            CREATE INDEX caseload_flags_by_state_id ON caseload_flags (state_id);
            CREATE INDEX caseload_flags_by_fbi_number ON caseload_flags (fbi_number);
            CREATE INDEX caseload_flags_by_person ON caseload_flags (person_key)
            """ + ";\n" + WarrantLedger(prefix: "caseload", keepsDetainers: true).schema + ";\n" + ReleaseLedger(prefix: "caseload").schema),
        ReleaseLedger.sharedStep,
        ReleaseLedger.movedStep(from: ReleaseLedger(prefix: "caseload"), id: "caseload-v2"),
        WarrantLedger.sharedStep,
        WarrantLedger.movedStep(from: WarrantLedger(prefix: "caseload", keepsDetainers: true), id: "caseload-v3"),
        // v4: each incident's latest report read (occurredAt, then event id), so that a later
        // report replaces the victims and suspects flagged from an earlier one and an earlier
        // one read later changes nothing. No person in it: an incident id and two times.
        .script("caseload-v4", """
            CREATE TABLE caseload_incident_reports (
                incident_id TEXT PRIMARY KEY NOT NULL,
                occurred_at BIGINT NOT NULL,
                event_id TEXT NOT NULL
            )
            """),
    ]
}
