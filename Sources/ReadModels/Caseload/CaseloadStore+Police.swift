import Contracts
import Foundation
import ServiceKit
import Storage

/// How `police.arrests`, `police.contacts` and `police.incidents` events become flags.
extension CaseloadStore {
    func arrestMade(_ arrest: EventEnvelope<ArrestMade>, _ transaction: any StorageTransaction) throws {
        let payload = arrest.payload
        try saveFlag(
            .arrest, payload.arrestId, person: try PersonOnRecord(subject: arrest.subject), at: payload.arrestedAt,
            agencyId: payload.arrestingAgencyId,
            detail: payload.charges.isEmpty ? nil : payload.charges.map(\.description).joined(separator: "; "),
            occurredAt: ViewTime.milliseconds(arrest.occurredAt), transaction)
    }

    func bookingRecorded(_ booking: EventEnvelope<BookingRecorded>, _ transaction: any StorageTransaction) throws {
        let payload = booking.payload
        try saveFlag(
            .booking, payload.bookingNumber, person: try PersonOnRecord(subject: booking.subject), at: payload.bookedAt,
            agencyId: payload.facility.facilityId, detail: payload.facility.name,
            occurredAt: ViewTime.milliseconds(booking.occurredAt), transaction)
    }

    /// Filed under the subject (the supervisee) whoever police met; the flag records whom.
    func contactRecorded(_ contact: EventEnvelope<ContactRecorded>, _ transaction: any StorageTransaction) throws {
        let payload = contact.payload
        try saveFlag(
            .policeContact, payload.contactId, person: try PersonOnRecord(subject: contact.subject), at: payload.contactedAt,
            agencyId: contact.source.agencyId, detail: payload.contactKind.rawValue,
            relationToSubject: payload.relationToSubject, atSubjectResidence: payload.atSubjectResidence,
            occurredAt: ViewTime.milliseconds(contact.occurredAt), transaction)
    }

    /// One flag per victim and per suspect named by state ID; the others cannot be matched.
    /// A person a sealing order applied here covers (the incident occurred before it) is not
    /// flagged (``SealedMentions``). The incident's latest report (occurredAt, then event id)
    /// names its people: a later one replaces the flags of an earlier one (someone no longer
    /// named loses theirs, a suspect found to be a victim is one no more), and an earlier one
    /// read later changes nothing.
    func incidentReported(_ incident: EventEnvelope<ViolentIncidentReported>, _ transaction: any StorageTransaction) throws {
        let payload = incident.payload
        let (occurredAt, eventId) = (ViewTime.milliseconds(incident.occurredAt), incident.eventId.uuidString.lowercased())
        if let latest = try transaction.fetchOne(
            "SELECT occurred_at, event_id FROM caseload_incident_reports WHERE incident_id = $1", [.text(payload.incidentId)])
        {
            guard (try latest.get("occurred_at", as: Int64.self), try latest.get("event_id", as: String.self)) < (occurredAt, eventId) else { return }
        }
        try transaction.send(
            """
            INSERT INTO caseload_incident_reports (incident_id, occurred_at, event_id) VALUES ($1, $2, $3)
            ON CONFLICT (incident_id) DO UPDATE SET occurred_at = excluded.occurred_at, event_id = excluded.event_id
            """, [.text(payload.incidentId), .integer(occurredAt), .text(eventId)])
        try transaction.send(
            "DELETE FROM caseload_flags WHERE record_id = $1 AND kind IN ($2, $3)",
            [.text(payload.incidentId), .text(CaseloadFlag.Kind.violentIncidentVictim.rawValue), .text(CaseloadFlag.Kind.violentIncidentSuspect.rawValue)])
        let sealing = try SealedMentions(transaction, occurredAt: ViewTime.milliseconds(incident.occurredAt))
        let victims = try sealing.uncovered(payload.victims ?? []), suspects = try sealing.uncovered(payload.suspects ?? [])
        let named = victims.compactMap { PersonOnRecord(involved: $0) }.map { (CaseloadFlag.Kind.violentIncidentVictim, $0) }
            + suspects.compactMap { PersonOnRecord(involved: $0) }.map { (CaseloadFlag.Kind.violentIncidentSuspect, $0) }
        for (kind, person) in named {
            try saveFlag(
                kind, payload.incidentId, person: person, at: payload.incidentAt, agencyId: incident.source.agencyId,
                detail: payload.incidentKind.rawValue, occurredAt: ViewTime.milliseconds(incident.occurredAt), transaction)
        }
    }

    private func saveFlag(
        _ kind: CaseloadFlag.Kind, _ recordId: String, person: PersonOnRecord, at date: Date, agencyId: String?, detail: String?,
        relationToSubject: RelationToSubject? = nil, atSubjectResidence: Bool? = nil, occurredAt: Int64,
        _ transaction: any StorageTransaction
    ) throws {
        try transaction.send(
            """
            INSERT INTO caseload_flags (kind, record_id, \(PersonOnRecord.identifierColumns), flag_at, agency_id, detail,
                relation_to_subject, at_subject_residence, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (kind, record_id, person_key) DO UPDATE SET state_id = excluded.state_id, fbi_number = excluded.fbi_number,
                flag_at = excluded.flag_at, agency_id = excluded.agency_id, detail = excluded.detail,
                relation_to_subject = excluded.relation_to_subject, at_subject_residence = excluded.at_subject_residence,
                occurred_at = excluded.occurred_at
            WHERE excluded.occurred_at >= caseload_flags.occurred_at
            """,
            [.text(kind.rawValue), .text(recordId)] + person.identifierValues
                + [.integer(ViewTime.milliseconds(date)), agencyId.sqlValue, detail.sqlValue, relationToSubject.map { .text($0.rawValue) } ?? .null,
                   atSubjectResidence.sqlValue, .integer(occurredAt)])
    }
}
