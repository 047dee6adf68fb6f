extension SafetyStore {
    /// The tables of `safety-v1`. Times are milliseconds since 1970; a place is the columns of
    /// ``SafetyPlace/columns``; JSON columns hold the bus's own encoding of a contract value.
    ///
    /// - `safety_cases`: each case's start (newest report wins), for "is a case active";
    /// - `safety_case_ends`: each end read; a case has ended once any end is dated by then;
    /// - `safety_addresses`: each registered address with the day it took effect and the
    ///   subject as the event named them; a person's address is the last in effect, over all
    ///   their cases;
    /// - `safety_household`: the household members an address change listed, by its event;
    /// - `safety_incidents`, `safety_incident_people`: each incident's latest report, and the
    ///   victims and suspects it names (`person_key` when named by state ID, else NULL);
    /// - `safety_investigations`: each open investigation, every field from the newest event
    ///   that set it (`*_at`/`*_event`), its area as centre, radius and bounding rectangle;
    ///   `safety_investigation_people`: the persons of interest of its newest list;
    /// - `safety_closed_investigations`: the ids of closed ones, so that nothing arriving later
    ///   brings one back. It holds no person's data.
    static let schema = """
        CREATE TABLE safety_cases (
            case_id TEXT PRIMARY KEY NOT NULL,
            person_key TEXT NOT NULL,
            start_at BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX safety_cases_by_person ON safety_cases (person_key);
        CREATE TABLE safety_case_ends (
            case_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            end_at BIGINT NOT NULL,
            PRIMARY KEY (case_id, event_id)
        );
        CREATE INDEX safety_case_ends_by_person ON safety_case_ends (person_key);
        CREATE TABLE safety_addresses (
            event_id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            subject TEXT,
            effective_at BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            address TEXT NOT NULL,
            address_key TEXT,
            building_key TEXT,
            units TEXT NOT NULL,
            zip TEXT,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION
        );
        CREATE INDEX safety_addresses_by_person ON safety_addresses (person_key, effective_at);
        CREATE INDEX safety_addresses_by_building ON safety_addresses (building_key);
        CREATE INDEX safety_addresses_by_point ON safety_addresses (latitude, longitude);
        CREATE INDEX safety_addresses_by_case ON safety_addresses (case_id);
        CREATE TABLE safety_household (
            event_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            case_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            name TEXT NOT NULL,
            relationship TEXT NOT NULL,
            PRIMARY KEY (event_id, position)
        );
        CREATE INDEX safety_household_by_person ON safety_household (person_key);
        CREATE TABLE safety_incidents (
            incident_id TEXT PRIMARY KEY NOT NULL,
            incident_kind TEXT NOT NULL,
            incident_at BIGINT NOT NULL,
            report_number TEXT,
            address TEXT,
            address_key TEXT,
            building_key TEXT,
            units TEXT NOT NULL,
            zip TEXT,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE INDEX safety_incidents_by_time ON safety_incidents (incident_at);
        CREATE INDEX safety_incidents_by_point ON safety_incidents (latitude, longitude);
        CREATE INDEX safety_incidents_by_building ON safety_incidents (building_key);
        CREATE TABLE safety_incident_people (
            incident_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            role TEXT NOT NULL,
            person_key TEXT,
            name_key TEXT,
            person TEXT NOT NULL,
            PRIMARY KEY (incident_id, position)
        );
        CREATE INDEX safety_incident_people_by_person ON safety_incident_people (person_key);
        CREATE INDEX safety_incident_people_by_name ON safety_incident_people (name_key);
        CREATE TABLE safety_investigations (
            investigation_id TEXT PRIMARY KEY NOT NULL,
            first_at BIGINT NOT NULL,
            lead_agency_id TEXT,
            contact TEXT,
            opened_at BIGINT,
            opened_event TEXT,
            sensitivity TEXT,
            sensitivity_at BIGINT,
            sensitivity_event TEXT,
            summary TEXT,
            summary_at BIGINT,
            summary_event TEXT,
            people_at BIGINT,
            people_event TEXT,
            center_latitude DOUBLE PRECISION,
            center_longitude DOUBLE PRECISION,
            radius_meters BIGINT,
            min_latitude DOUBLE PRECISION,
            max_latitude DOUBLE PRECISION,
            min_longitude DOUBLE PRECISION,
            max_longitude DOUBLE PRECISION,
            area_at BIGINT,
            area_event TEXT
        );
        CREATE INDEX safety_investigations_by_area ON safety_investigations (min_latitude, max_latitude);
        CREATE TABLE safety_investigation_people (
            investigation_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            person_key TEXT,
            name_key TEXT,
            person TEXT NOT NULL,
            PRIMARY KEY (investigation_id, position)
        );
        CREATE INDEX safety_investigation_people_by_person ON safety_investigation_people (person_key);
        CREATE INDEX safety_investigation_people_by_name ON safety_investigation_people (name_key);
        CREATE TABLE safety_closed_investigations (
            investigation_id TEXT PRIMARY KEY NOT NULL,
            closed_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        )
        """

    /// The second step (`safety-v2`; the first is `schema`, shipped as it stands): the
    /// person's state ID and FBI number beside `person_key` in the cases, the registered
    /// addresses and the people incidents and investigations name, so that a resident is found
    /// and recognised by either number, as the other views join a person's facts. Rows kept
    /// before get the number of their key; the other stays NULL until `replay views`.
    static let numbersStep = [
        PersonKey.numbersColumnsSQL(in: Table.cases),
        PersonKey.numbersColumnsSQL(in: Table.addresses, indexedWith: "effective_at"),
        PersonKey.numbersColumnsSQL(in: Table.incidentPeople),
        PersonKey.numbersColumnsSQL(in: Table.investigationPeople),
    ].joined(separator: ";\n")

    /// The third step (`safety-v3`): the household members by case, which a sealing order
    /// removes with the person's cases (without it, the order read every household listed).
    static let householdByCaseStep = "CREATE INDEX \(Table.household)_by_case ON \(Table.household) (case_id)"
}
