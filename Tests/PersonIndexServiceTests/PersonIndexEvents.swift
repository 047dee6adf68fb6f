import Contracts
import Foundation
import Kafka
import ServiceKit

/// Agency events for the person index's tests, with fixed ids and times.
enum PersonIndexEvents {
    /// 2025-06-15T15:06:40Z.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let nowMilliseconds: Int64 = 1_750_000_000_000

    static let troost = Address(line1: "4410 Troost Ave", city: "Kansas City", state: "MO", postalCode: "64110")
    static let reyesName = PersonName(given: "Darnell", family: "Reyes")
    static let reyesBirth = CalendarDate("1990-07-14")!
    /// The supervisee as probation knows him: state ID, DOC number, name, date of birth.
    static let reyes = SubjectIdentifiers(stateId: "MO1234567", fbiNumber: "734591KA2", docNumber: "1198734", name: reyesName, dateOfBirth: reyesBirth)

    static func id(_ name: String) -> UUID {
        UUID(uuidString: SHA256.derivedUUID("person-index-tests\u{0}\(name)"))!
    }

    static func caseStarted(_ subject: SubjectIdentifiers = reyes, address: Address? = troost) -> EventEnvelope<CaseStarted> {
        EventEnvelope(
            eventId: id("case"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: subject,
            payload: CaseStarted(caseId: "PP-2025-1", supervisionType: .probation, startDate: CalendarDate("2025-06-01")!,
                                 supervisingAgencyId: "MO-DOC-PP", address: address))
    }

    /// A booking at the county jail before fingerprints were matched: no state ID.
    static func booking(_ number: String = "JCDC-B-2025-0412", subject: SubjectIdentifiers? = nil) -> EventEnvelope<BookingRecorded> {
        EventEnvelope(
            eventId: id("booking-\(number)"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-JCDC", agencyKind: .jail),
            subject: subject ?? SubjectIdentifiers(bookingNumber: number, name: reyesName, dateOfBirth: reyesBirth),
            payload: BookingRecorded(
                bookingNumber: number, facility: Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail),
                bookedAt: now, charges: [Charge(code: "565.050", description: "Assault", level: .felony)]))
    }

    static func arrest(_ subject: SubjectIdentifiers = SubjectIdentifiers(stateId: "MO1234567", rmsNumber: "KCPD-77120", name: reyesName, dateOfBirth: reyesBirth))
        -> EventEnvelope<ArrestMade>
    {
        EventEnvelope(
            eventId: id("arrest"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: subject,
            payload: ArrestMade(arrestId: "A-1", arrestedAt: now, arrestingAgencyId: "MO-KCPD", location: Location(address: troost),
                                charges: [Charge(code: "565.050", description: "Assault", level: .felony)]))
    }

    /// A household contact: the subject by state ID only, the brother met by name.
    static func householdContact() -> EventEnvelope<ContactRecorded> {
        EventEnvelope(
            eventId: id("contact"), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: SubjectIdentifiers(stateId: "MO1234567"),
            payload: ContactRecorded(
                contactId: "C-1", contactedAt: now, contactKind: .domesticDisturbance, relationToSubject: .householdMember,
                personContacted: InvolvedPerson(name: PersonName(given: "Andre", family: "Reyes")), location: Location(address: troost),
                atSubjectResidence: true))
    }

    /// A prison's intake assessment; by default under the DOC number only (version 2).
    static func assessment(_ subject: SubjectIdentifiers = SubjectIdentifiers(docNumber: "1198734", name: reyesName, dateOfBirth: reyesBirth), id name: String = "assessment") -> EventEnvelope<AssessmentCompleted> {
        EventEnvelope(
            eventId: id(name), occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison), subject: subject,
            payload: AssessmentCompleted(assessmentId: "ORAS-\(name)", instrument: "ORAS-PIT", completedOn: CalendarDate("2025-06-10")!, riskLevel: .high))
    }

    static func expunged(_ stateId: String = "MO1234567", at: Date = now.addingTimeInterval(86_400)) -> EventEnvelope<RecordExpunged> {
        EventEnvelope(
            eventId: id("expunged-\(stateId)"), occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court),
            subject: SubjectIdentifiers(stateId: stateId),
            payload: RecordExpunged(orderId: "SEAL-1", orderedOn: CalendarDate("2025-06-16")!, issuingCourtId: "MO-CIRCUIT16", scope: .allRecords))
    }

    /// `event` as the runtime hands it to a projection.
    static func admitted<Payload>(_ event: EventEnvelope<Payload>, kafkaTime: Int64 = nowMilliseconds) throws -> AdmittedEvent {
        let topic = switch Payload.self {
        case is CaseStarted.Type: "supervision.cases"
        case is RecordExpunged.Type: "records.sealing"
        case is AssessmentCompleted.Type: "supervision.assessments"
        default: "police.arrests"
        }
        return AdmittedEvent(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(0), key: event.subject?.stateId ?? "",
            eventType: event.eventType, schemaVersion: event.schemaVersion, eventId: event.eventId.uuidString.lowercased(), value: try EventCodec.encode(event),
            timestampMilliseconds: kafkaTime)
    }
}
