import Contracts
import Foundation
import Kafka
import Notifications
import ServiceKit
import Storage

@testable import ReadModels

/// The people, events and orders of the sealing tests: two people (Reyes, to be sealed, and
/// Okafor, who must stay) each in every kind of record every view keeps, all before the
/// order. Event ids are derived from names (`ReleaseTestEvents.eventId`), so a test can name
/// the events a row derives from.
enum SealingEvents {
    typealias E = ReleaseTestEvents

    /// When the orders are recorded: 2026-03-01 15:00 UTC, the moment the views are asked about.
    static let orderedAt = E.asOf

    static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"),
        dateOfBirth: CalendarDate("1990-07-14"))
    /// What identifies Reyes in any row or answer: both numbers and the given name.
    static let reyesIdentifiers = ["MO1234567", "734591KA2", "Darnell"]
    static let okafor = SubjectIdentifiers(stateId: "MO7654321", name: PersonName(given: "Chidi", family: "Okafor"))
    static let okaforIdentifiers = ["MO7654321", "Chidi"]

    static let home = E.address()
    static let officer = Officer(officerId: "PP-KC-118", name: "Officer Lane", phone: "+1 816 555 0100")
    static let court = "MO-JACKSON-CC"

    /// The court case both are charged in (co-defendants): a `listed_cases` order for Reyes
    /// must leave Okafor's warrant of it.
    static let sharedCourtCase = "1616-CR-SEALED"

    // MARK: Everything before the order

    /// Reyes's records: two supervision cases (the first with conditions, a move with his
    /// household, a reassignment; the second ended), an assessment, an arrest, a booking, a
    /// police contact, two warrants (one of the shared court case, with a detainer resting on
    /// it; one served), a release, a bulletin, a withdrawn bulletin, and notifications about
    /// him, his release and his warrant.
    static func reyesRecords() throws -> [AdmittedEvent] {
        [
            try caseStarted("CASE-R1", reyes), try caseStarted("CASE-R2", reyes), try caseEnded("CASE-R2", reyes),
            try E.conditionsSet("CASE-R1", reyes, [.curfew, .noContact], effective: "2025-07-01"),
            try addressChanged("CASE-R1", reyes, household: [HouseholdMember(name: PersonName(given: "Angela", family: "Reyes"), relationship: "mother")]),
            try E.officerAssigned("CASE-R1", reyes, officer, at: E.instant("2025-08-01T09:00:00Z")),
            try E.assessment("AS-R", reyes, risk: .high, completedOn: "2026-01-10", needs: [AssessedNeed(domain: .housing, level: .high)]),
            try police(ArrestMade(
                arrestId: "ARR-R", arrestedAt: E.instant("2026-02-10T22:00:00Z"), arrestingAgencyId: "MO-KCPD", location: Location(address: home),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]), reyes, topic: "police.arrests"),
            try police(BookingRecorded(
                bookingNumber: "BK-R", facility: E.jail, bookedAt: E.instant("2026-02-11T01:00:00Z"), arrestId: "ARR-R", charges: []),
                reyes, topic: "police.arrests"),
            try police(ContactRecorded(
                contactId: "CON-R", contactedAt: E.instant("2026-02-12T18:00:00Z"), contactKind: .welfareCheck, relationToSubject: .subject,
                location: Location(address: home), atSubjectResidence: true), reyes, topic: "police.contacts"),
            try warrantIssued("W-R1", reyes, caseNumber: sharedCourtCase),
            try warrantIssued("W-R2", reyes, caseNumber: "1616-CR-OTHER"),
            try E.warrantServed("W-R2", reyes, at: E.instant("2026-02-15T10:00:00Z")),
            try detainerLodged("D-R1", reyes, restingOn: "W-R1"),
            try E.scheduled("REL-R", reyes, expectedAt: E.later(days: 10)),
            try E.changed("REL-R", reyes, expectedAt: E.later(days: 12)),
            try E.bulletinPublished("B-R", reyes),
            try E.bulletinPublished("B-R2", reyes, id: "bulletin-B-R2"),
            try E.bulletinWithdrawn("B-R2", reyes),
            try notice("N-R-PERSON", about: reyes.stateId, source: "arrest-ARR-R", sourceType: ArrestMade.eventType),
            try notice("N-R-RELEASE", about: nil, source: "scheduled-REL-R", sourceType: ReleaseScheduled.eventType, releaseId: "REL-R"),
            try notice("N-R-WARRANT", about: nil, source: "issued-W-R1", sourceType: WarrantIssued.eventType),
            try ReleaseBoardScenario.admitted(reyesCaseNotice),
        ]
    }

    /// Okafor's records, of the same kinds, under the same officer, court and facility; his
    /// warrant is of the court case he shares with Reyes.
    static func okaforRecords() throws -> [AdmittedEvent] {
        [
            try caseStarted("CASE-O1", okafor),
            try E.conditionsSet("CASE-O1", okafor, [.curfew], effective: "2025-07-01"),
            try E.assessment("AS-O", okafor, risk: .veryHigh, completedOn: "2026-01-12"),
            try police(ArrestMade(
                arrestId: "ARR-O", arrestedAt: E.instant("2026-02-10T23:00:00Z"), arrestingAgencyId: "MO-KCPD", location: Location(address: home),
                charges: []), okafor, topic: "police.arrests"),
            try warrantIssued("W-O1", okafor, caseNumber: sharedCourtCase),
            try E.scheduled("REL-O", okafor, expectedAt: E.later(days: 20)),
            try E.bulletinPublished("B-O", okafor),
            try notice("N-O-PERSON", about: okafor.stateId, source: "scheduled-REL-O", sourceType: ReleaseScheduled.eventType),
        ]
    }

    /// Events naming both in their payload only: an incident (Reyes a victim, Okafor a
    /// suspect) and an investigation (both persons of interest).
    static func sharedRecords() throws -> [AdmittedEvent] {
        [
            try incident("INC-1", victims: [reyes], suspects: [okafor], reportedAt: E.instant("2026-02-20T23:00:00Z")),
            try investigation("INV-1", naming: [reyes, okafor], at: E.instant("2026-02-01T10:00:00Z")),
        ]
    }

    static func everything() throws -> [AdmittedEvent] {
        try reyesRecords() + okaforRecords() + sharedRecords()
    }

    // MARK: Orders

    /// A court's order about Reyes, recorded at ``orderedAt`` (known by both numbers unless
    /// `subject` says otherwise).
    static func order(
        _ kind: SealingOrder.Kind, _ scope: RecordOrderScope, cases: [String]? = nil, subject: SubjectIdentifiers = reyes,
        id: String = "1616-CV-771-SEAL"
    ) throws -> AdmittedEvent {
        let source = SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court)
        let orderedOn = CalendarDate(utcDayOf: orderedAt)
        switch kind {
        case .sealed:
            return try E.admitted(EventEnvelope(
                eventId: E.eventId("order-\(id)"), occurredAt: orderedAt, recordedAt: orderedAt, source: source, subject: subject,
                payload: RecordSealed(orderId: id, orderedOn: orderedOn, issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)),
                topic: ViewsProjection.sealingTopic)
        case .expunged:
            return try E.admitted(EventEnvelope(
                eventId: E.eventId("order-\(id)"), occurredAt: orderedAt, recordedAt: orderedAt, source: source, subject: subject,
                payload: RecordExpunged(orderId: id, orderedOn: orderedOn, issuingCourtId: "MO-CIRCUIT16", scope: scope, caseNumbers: cases)),
                topic: ViewsProjection.sealingTopic)
        }
    }

    // MARK: Builders

    static func caseStarted(_ caseId: String, _ subject: SubjectIdentifiers) throws -> AdmittedEvent {
        try E.caseStarted(caseId, subject, startDate: "2025-06-01", at: home, officer: officer)
    }

    static func caseEnded(_ caseId: String, _ subject: SubjectIdentifiers) throws -> AdmittedEvent {
        try E.caseEnded(caseId, subject, endDate: "2025-12-01")
    }

    static func addressChanged(_ caseId: String, _ subject: SubjectIdentifiers, household: [HouseholdMember]) throws -> AdmittedEvent {
        let at = E.instant("2025-09-01T09:00:00Z")
        return try E.admitted(EventEnvelope(
            eventId: E.eventId("moved-\(caseId)"), occurredAt: at, recordedAt: at, source: E.source(.communitySupervision), subject: subject,
            payload: AddressChanged(caseId: caseId, address: home, effectiveDate: E.day("2025-09-01"), householdMembers: household)),
            topic: "supervision.cases")
    }

    static func warrantIssued(_ warrantId: String, _ subject: SubjectIdentifiers, caseNumber: String) throws -> AdmittedEvent {
        let at = E.instant("2026-01-15T16:00:00Z")
        return try E.admitted(EventEnvelope(
            eventId: E.eventId("issued-\(warrantId)"), occurredAt: at, recordedAt: at, source: E.source(.court), subject: subject,
            payload: WarrantIssued(
                warrantId: warrantId, warrantKind: .bench, issuedOn: E.day("2026-01-15"), issuingAgencyId: court, caseNumber: caseNumber,
                charges: [Charge(code: "575.150", description: "Resisting arrest", level: .misdemeanor)])),
            topic: "courts.warrants")
    }

    static func detainerLodged(_ detainerId: String, _ subject: SubjectIdentifiers, restingOn warrantId: String) throws -> AdmittedEvent {
        let at = E.instant("2026-02-01T16:00:00Z")
        return try E.admitted(EventEnvelope(
            eventId: E.eventId("lodged-\(detainerId)"), occurredAt: at, recordedAt: at, source: E.holdingSheriff, subject: subject,
            payload: DetainerLodged(
                detainerId: detainerId, detainerKind: .otherJurisdiction, requestingAgencyId: "KS-JOCO-SO", lodgedOn: E.day("2026-02-01"),
                facility: E.werdcc, warrantId: warrantId)),
            topic: "courts.warrants")
    }

    static func police<Payload: EventPayload>(_ payload: Payload, _ subject: SubjectIdentifiers, topic: String) throws -> AdmittedEvent {
        let id: String = switch payload {
        case let arrest as ArrestMade: "arrest-\(arrest.arrestId)"
        case let booking as BookingRecorded: "booking-\(booking.bookingNumber)"
        case let contact as ContactRecorded: "contact-\(contact.contactId)"
        default: "\(Payload.eventType)-\(subject.stateId ?? "")"
        }
        let at = E.instant("2026-02-13T09:00:00Z")
        return try E.admitted(
            EventEnvelope(eventId: E.eventId(id), occurredAt: at, recordedAt: at, source: E.source(.police), subject: subject, payload: payload),
            topic: topic)
    }

    /// The person as an incident or investigation names them: by state ID; by the FBI number
    /// only when there is no state ID (version 2 of an incident allows it, no investigation does).
    static func involved(_ subject: SubjectIdentifiers) -> InvolvedPerson {
        InvolvedPerson(
            stateId: subject.stateId, fbiNumber: subject.stateId == nil ? subject.fbiNumber : nil, name: subject.name,
            dateOfBirth: subject.dateOfBirth)
    }

    static func incident(
        _ incidentId: String, victims: [SubjectIdentifiers], suspects: [SubjectIdentifiers], reportedAt: Date
    ) throws -> AdmittedEvent {
        try E.admitted(EventEnvelope(
            eventId: E.eventId("incident-\(incidentId)-\(reportedAt.timeIntervalSince1970)"), occurredAt: reportedAt, recordedAt: reportedAt,
            source: E.source(.police), subject: nil,
            payload: ViolentIncidentReported(
                incidentId: incidentId, incidentKind: .shooting, incidentAt: E.instant("2026-02-20T22:00:00Z"),
                location: Location(address: home), victims: victims.map(involved), suspects: suspects.map(involved))),
            topic: "police.incidents", key: incidentId)
    }

    static func investigation(_ investigationId: String, naming people: [SubjectIdentifiers], at: Date) throws -> AdmittedEvent {
        try E.admitted(EventEnvelope(
            eventId: E.eventId("opened-\(investigationId)"), occurredAt: at, recordedAt: at, source: E.source(.police), subject: nil,
            payload: InvestigationOpened(
                investigationId: investigationId, leadAgencyId: "MO-KCPD", sensitivity: .routine, summary: "Shootings near Main St.",
                personsOfInterest: people.map(involved))),
            topic: "police.investigations", key: investigationId)
    }

    /// A signed notification (the release board trusts only those), sourced from the event
    /// named `source` (``ReleaseTestEvents/eventId(_:)``).
    static func notice(
        _ name: String, about stateId: String?, source: String, sourceType: String, releaseId: String? = nil, scope: String = ""
    ) throws -> AdmittedEvent {
        try ReleaseBoardScenario.admitted(notification(name, about: stateId, source: source, sourceType: sourceType, releaseId: releaseId, scope: scope))
    }

    /// The router's notice to the police of Reyes's arrival under supervision case CASE-R1: its
    /// id derives from the case (`scope`), which is how a `listed_cases` order finds it.
    static let reyesCaseNotice = notification(
        "N-R-CASE", about: reyes.stateId, source: "arrest-ARR-R", sourceType: ArrestMade.eventType, releaseId: nil, scope: "CASE-R1")

    static func notification(
        _ name: String, about stateId: String?, source: String, sourceType: String, releaseId: String?, scope: String
    ) -> BusNotification {
        BusNotification(
            recipient: .agency("MO-KCPD"), priority: .high, summary: "Someone is releasing",
            reason: NotificationReason(
                rule: "rule-\(name)", explanation: "Because.", matched: releaseId.map { [MatchedIdentifier("releaseId", $0)] } ?? []),
            facts: [NotificationFact("who", "someone")], occurredAt: E.instant("2026-02-14T10:00:00Z"), subjectStateId: stateId,
            sourceEventId: E.eventId(source).uuidString.lowercased(), sourceEventType: sourceType, scope: scope)
    }
}
