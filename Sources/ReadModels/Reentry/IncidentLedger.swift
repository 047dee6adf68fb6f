import Contracts
import ServiceKit
import Storage

/// Who was named in violent incidents, from `police.incidents`: each incident's latest report
/// (`<prefix>_incidents`: kind, when, which report) and the people it names as victim or
/// suspect (`<prefix>_incident_people`, keyed `sid:<state id>`, else `fbi:<FBI number>`
/// (version 2 of the event), with both numbers beside the key). A later report of the same
/// incident (occurredAt, then event id) replaces the people of the earlier one; an earlier one
/// read later changes nothing.
///
/// People are matched on either number: one named by neither cannot be matched with a
/// release and is not kept (the incident itself stays valid for the other people it names).
/// Nor is one a sealing order applied here covers (``SealedMentions``).
struct IncidentLedger: Sendable {
    let prefix: String

    var incidentsTable: String { "\(prefix)_incidents" }
    var peopleTable: String { "\(prefix)_incident_people" }
    var tables: [String] { [incidentsTable, peopleTable] }

    var schema: String {
        """
        CREATE TABLE \(incidentsTable) (
            incident_id TEXT PRIMARY KEY NOT NULL,
            incident_kind TEXT NOT NULL,
            incident_at BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE TABLE \(peopleTable) (
            incident_id TEXT NOT NULL,
            person_key TEXT NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (incident_id, person_key, role)
        );
        CREATE INDEX \(peopleTable)_by_person ON \(peopleTable) (person_key)
        """
    }

    /// The second step of the people table (the first is `schema`, shipped as it stands): both
    /// numbers beside the key, so that an incident naming someone by the FBI number meets a
    /// release filed under their state ID. Rows kept before have the number of their key only;
    /// `replay views` restores the other.
    var numbersStep: String { PersonKey.numbersColumnsSQL(in: peopleTable) }

    /// Keeps a report's people when it is the incident's latest report.
    ///
    /// - Throws: `PoisonMessage` when it does not decode.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let reported = try event.decode(ViolentIncidentReported.self)
        let incident = reported.payload
        let occurredAt = ViewTime.milliseconds(reported.occurredAt)
        if let stored = try transaction.fetchOne(
            "SELECT occurred_at, event_id FROM \(incidentsTable) WHERE incident_id = $1", [.text(incident.incidentId)])
        {
            let storedOrder = (try stored.get("occurred_at", as: Int64.self), try stored.get("event_id", as: String.self))
            guard storedOrder < (occurredAt, event.eventId) else { return }
        }
        try transaction.send(
            """
            INSERT INTO \(incidentsTable) (incident_id, incident_kind, incident_at, occurred_at, event_id) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (incident_id) DO UPDATE SET
                incident_kind = excluded.incident_kind, incident_at = excluded.incident_at, occurred_at = excluded.occurred_at,
                event_id = excluded.event_id
            """,
            [
                .text(incident.incidentId), .text(incident.incidentKind.rawValue), .integer(ViewTime.milliseconds(incident.incidentAt)),
                .integer(occurredAt), .text(event.eventId),
            ])
        try transaction.send("DELETE FROM \(peopleTable) WHERE incident_id = $1", [.text(incident.incidentId)])
        let sealing = try SealedMentions(transaction, occurredAt: occurredAt)
        let named = try sealing.uncovered(incident.victims ?? []).map { ($0, IncidentRole.victim) }
            + sealing.uncovered(incident.suspects ?? []).map { ($0, IncidentRole.suspect) }
        for (involved, role) in named {
            guard let person = PersonOnRecord(involved: involved) else { continue }  // not matchable: see the type's documentation
            try transaction.send(
                """
                INSERT INTO \(peopleTable) (incident_id, person_key, state_id, fbi_number, role) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (incident_id, person_key, role) DO NOTHING
                """,
                [.text(incident.incidentId), .text(person.personKey), person.stateId.sqlValue, person.fbiNumber.sqlValue, .text(role.rawValue)])
        }
    }
}

/// How an incident names a person.
public enum IncidentRole: String, Codable, Sendable, Hashable, CaseIterable {
    case victim
    case suspect
}
