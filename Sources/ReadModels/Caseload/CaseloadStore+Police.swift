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
    /// flagged (``SealedMentions``).
    func incidentReported(_ incident: EventEnvelope<ViolentIncidentReported>, _ transaction: any StorageTransaction) throws {
        let payload = incident.payload
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
