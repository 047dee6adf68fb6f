import Contracts
import ServiceKit
import Storage

extension SafetyStore {
    /// Keeps an incident's report when it is the newest of that incident (occurredAt, then
    /// event id): its kind, time, place and the victims and suspects it names, replacing an
    /// older report's; an older report read later changes nothing. A person a sealing order
    /// applied here covers (the report occurred before it) is not kept (``SealedMentions``).
    ///
    /// - Throws: `PoisonMessage` when it does not decode or its coordinates are off the globe.
    func applyIncident(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let reported = try event.decode(ViolentIncidentReported.self)
        let incident = reported.payload
        let occurredAt = ViewTime.milliseconds(reported.occurredAt)
        let place = try SafetyPlace(incident.location.address, coordinates: incident.location.coordinates, field: "payload.location.coordinates")
        if let stored = try transaction.fetchOne(
            "SELECT occurred_at, event_id FROM safety_incidents WHERE incident_id = $1", [.text(incident.incidentId)])
        {
            let storedOrder = (try stored.get("occurred_at", as: Int64.self), try stored.get("event_id", as: String.self))
            guard storedOrder < (occurredAt, event.eventId) else { return }
        }
        try transaction.send(
            """
            INSERT INTO safety_incidents (
                incident_id, incident_kind, incident_at, report_number, address, \(SafetyPlace.columns), occurred_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (incident_id) DO UPDATE SET
                incident_kind = excluded.incident_kind, incident_at = excluded.incident_at, report_number = excluded.report_number,
                address = excluded.address, address_key = excluded.address_key, building_key = excluded.building_key,
                units = excluded.units, zip = excluded.zip, latitude = excluded.latitude, longitude = excluded.longitude,
                occurred_at = excluded.occurred_at, event_id = excluded.event_id
            """,
            [
                .text(incident.incidentId), .text(incident.incidentKind.rawValue), .integer(ViewTime.milliseconds(incident.incidentAt)),
                incident.reportNumber.sqlValue, try StoredColumn.optionalJSON(incident.location.address),
            ] + place.values + [.integer(occurredAt), .text(event.eventId)])
        try transaction.send("DELETE FROM safety_incident_people WHERE incident_id = $1", [.text(incident.incidentId)])
        let sealing = try SealedMentions(transaction, occurredAt: occurredAt)
        let named = try sealing.uncovered(incident.victims ?? []).map { ($0, SafetyMention.Role.victim) }
            + sealing.uncovered(incident.suspects ?? []).map { ($0, SafetyMention.Role.suspect) }
        for (position, (person, role)) in named.enumerated() {
            try transaction.send(
                """
                INSERT INTO safety_incident_people (incident_id, position, role, \(PersonOnRecord.identifierColumns), name_key, person)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [.text(incident.incidentId), .integer(Int64(position)), .text(role.rawValue)] + SafetyPerson.identifierValues(person)
                    + [SafetyPerson.nameKey(person.name).sqlValue, try StoredColumn.json(person)])
        }
    }
}
