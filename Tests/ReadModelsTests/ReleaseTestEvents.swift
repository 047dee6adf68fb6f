import Contracts
import Foundation
import Kafka
import ServiceKit
import Storage

@testable import ReadModels

/// Events for the police, release-board and high-needs tests, built from the Contracts types
/// and encoded as a service would receive them (`AdmittedEvent`). Event ids are derived from
/// a name, so building the same event twice gives the same id (a redelivery).
enum ReleaseTestEvents {
    /// The moment most tests ask about: 2026-03-01 15:00 UTC.
    static let asOf = instant("2026-03-01T15:00:00Z")

    static func instant(_ text: String) -> Date {
        guard let date = EventCodec.parseInstant(text) else { preconditionFailure("bad test instant \(text)") }
        return date
    }

    static func day(_ text: String) -> CalendarDate {
        guard let day = CalendarDate(text) else { preconditionFailure("bad test day \(text)") }
        return day
    }

    /// `asOf` plus whole days and hours.
    static func later(days: Double, hours: Double = 0) -> Date {
        asOf.addingTimeInterval(days * 86_400 + hours * 3_600)
    }

    // MARK: People and places

    static func person(_ stateId: String, family: String = "Reyes") -> SubjectIdentifiers {
        SubjectIdentifiers(stateId: stateId, name: PersonName(given: "Darnell", family: family), dateOfBirth: day("1990-05-14"))
    }

    /// A person known by the FBI number, with or without a state ID (a transferee from another
    /// state is known by the FBI number alone until one is assigned here).
    static func person(_ stateId: String?, fbiNumber: String, family: String = "Reyes") -> SubjectIdentifiers {
        SubjectIdentifiers(
            stateId: stateId, fbiNumber: fbiNumber, name: PersonName(given: "Darnell", family: family), dateOfBirth: day("1990-05-14"))
    }

    static let nobody = SubjectIdentifiers(docNumber: "DOC-77", name: PersonName(family: "Unknown"))

    static let kansasCity = JurisdictionPlace(state: "MO", city: "Kansas City")
    static let stLouis = JurisdictionPlace(state: "MO", city: "St. Louis")

    static func address(_ line: String = "1200 Main St", city: String = "Kansas City", state: String = "MO") -> Address {
        Address(line1: line, city: city, state: state, postalCode: "64105")
    }

    static let werdcc = Facility(facilityId: "MO-WERDCC", name: "Women's Eastern Reception Center", kind: .prison)
    static let jail = Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail)

    // MARK: Releases

    static func scheduled(
        _ releaseId: String, _ subject: SubjectIdentifiers, expectedAt: Date, facility: Facility = werdcc,
        to destination: Address? = address(), occurredAt: Date = instant("2026-02-01T10:00:00Z"), id: String? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId(id ?? "scheduled-\(releaseId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: source(.prison),
            subject: subject,
            payload: ReleaseScheduled(
                releaseId: releaseId, facility: facility, expectedAt: expectedAt, releaseType: .parole, destination: destination,
                supervisionType: .parole, supervisingAgencyId: "MO-DOC-PP")), topic: "custody.releases")
    }

    static func changed(
        _ releaseId: String, _ subject: SubjectIdentifiers, expectedAt: Date? = nil, to destination: Address? = nil,
        occurredAt: Date = instant("2026-02-10T10:00:00Z"), id: String? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId(id ?? "changed-\(releaseId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: source(.prison),
            subject: subject,
            payload: ReleaseChanged(releaseId: releaseId, reason: "Parole date moved", expectedAt: expectedAt, destination: destination)),
            topic: "custody.releases")
    }

    /// Cancelled by `agency` (the prison's, which scheduled it, unless a test says otherwise).
    static func cancelled(
        _ releaseId: String, _ subject: SubjectIdentifiers, occurredAt: Date = instant("2026-02-20T10:00:00Z"), by agency: SourceAgency = source(.prison),
        id: String? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId(id ?? "cancelled-\(releaseId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: agency,
            subject: subject, payload: ReleaseCancelled(releaseId: releaseId, reason: "Parole rescinded")), topic: "custody.releases")
    }

    static func completed(
        _ releaseId: String, _ subject: SubjectIdentifiers, releasedAt: Date, facility: Facility = werdcc, to destination: Address? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("completed-\(releaseId)"), occurredAt: releasedAt, recordedAt: releasedAt, source: source(.prison),
            subject: subject,
            payload: ReleaseCompleted(releaseId: releaseId, facility: facility, releasedAt: releasedAt, releaseType: .parole, destination: destination)),
            topic: "custody.releases")
    }

    // MARK: Supervision

    static func caseStarted(
        _ caseId: String, _ subject: SubjectIdentifiers, startDate: String = "2025-06-01", at address: Address? = address(),
        officer: Officer? = Officer(officerId: "PP-KC-118", name: "Officer Lane", phone: "+1 816 555 0100")
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("started-\(caseId)"), occurredAt: instant("\(startDate)T09:00:00Z"), source: source(.communitySupervision),
            subject: subject,
            payload: CaseStarted(
                caseId: caseId, supervisionType: .parole, startDate: day(startDate), supervisingAgencyId: "MO-DOC-PP", officer: officer,
                address: address)), topic: "supervision.cases")
    }

    static func caseEnded(_ caseId: String, _ subject: SubjectIdentifiers, endDate: String) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("ended-\(caseId)-\(endDate)"), occurredAt: instant("\(endDate)T09:00:00Z"), source: source(.communitySupervision),
            subject: subject, payload: CaseEnded(caseId: caseId, endDate: day(endDate), endReason: .completed)), topic: "supervision.cases")
    }

    static func addressChanged(_ caseId: String, _ subject: SubjectIdentifiers, to address: Address, effective: String) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("moved-\(caseId)-\(effective)"), occurredAt: instant("\(effective)T09:00:00Z"), source: source(.communitySupervision),
            subject: subject, payload: AddressChanged(caseId: caseId, address: address, effectiveDate: day(effective))), topic: "supervision.cases")
    }

    static func conditionsSet(_ caseId: String, _ subject: SubjectIdentifiers, _ kinds: [ConditionKind], effective: String) throws -> AdmittedEvent {
        let conditions = kinds.map { SupervisionCondition(kind: $0, description: $0 == .noContact ? "No contact with the victim, T. Moss" : nil) }
        return try admitted(EventEnvelope(
            eventId: eventId("conditions-\(caseId)-\(effective)"), occurredAt: instant("\(effective)T09:00:00Z"),
            source: source(.communitySupervision), subject: subject,
            payload: ConditionsSet(caseId: caseId, effectiveDate: day(effective), conditions: conditions)), topic: "supervision.cases")
    }

    static func officerAssigned(_ caseId: String, _ subject: SubjectIdentifiers, _ officer: Officer, at occurredAt: Date) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("officer-\(caseId)-\(officer.officerId)"), occurredAt: occurredAt, source: source(.communitySupervision),
            subject: subject, payload: OfficerAssigned(caseId: caseId, officer: officer)), topic: "supervision.cases")
    }

    static func assessment(
        _ assessmentId: String, _ subject: SubjectIdentifiers, risk: RiskLevel, completedOn: String, needs: [AssessedNeed]? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("assessment-\(assessmentId)"), occurredAt: instant("\(completedOn)T12:00:00Z"), source: source(.communitySupervision),
            subject: subject,
            payload: AssessmentCompleted(
                assessmentId: assessmentId, instrument: "ORAS-CST", completedOn: day(completedOn), riskLevel: risk, needs: needs)),
            topic: "supervision.assessments")
    }

    // MARK: Bulletins

    static let policeScope = "Kansas City Police Department patrol and crisis intervention team"

    static func bulletinPublished(
        _ bulletinId: String, _ subject: SubjectIdentifiers, granted: String = "2025-04-20", expires: String = "2026-04-20",
        scope: String = policeScope, occurredAt: Date = instant("2025-04-21T10:00:00Z"), id: String? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId(id ?? "bulletin-\(bulletinId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: source(.communitySupervision),
            subject: subject,
            payload: MentalHealthBulletinPublished(
                bulletinId: bulletinId, consent: BulletinConsent(grantedOn: day(granted), expiresOn: day(expires), scope: scope),
                baseline: BulletinBaseline(summary: "Calm when well; withdrawn when unwell.", triggers: ["Raised voices"], whatHelps: ["Speak slowly"]),
                keyContacts: [KeyContact(name: "Angela Reyes", relationship: "mother", phone: "+1 816 555 0142")])),
            topic: "supervision.mental-health-bulletins")
    }

    static func bulletinWithdrawn(
        _ bulletinId: String, _ subject: SubjectIdentifiers?, occurredAt: Date = instant("2025-09-01T10:00:00Z")
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("withdrawn-\(bulletinId)"), occurredAt: occurredAt, recordedAt: occurredAt, source: source(.communitySupervision),
            subject: subject, payload: MentalHealthBulletinWithdrawn(bulletinId: bulletinId, reason: .consentRevoked)),
            topic: "supervision.mental-health-bulletins")
    }

    // MARK: Warrants and detainers

    static func warrantIssued(
        _ warrantId: String, _ subject: SubjectIdentifiers, issuedOn: String = "2026-01-15", kind: WarrantKind = .bench
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("issued-\(warrantId)"), occurredAt: instant("\(issuedOn)T16:00:00Z"), source: source(.court), subject: subject,
            payload: WarrantIssued(
                warrantId: warrantId, warrantKind: kind, issuedOn: day(issuedOn), issuingAgencyId: "MO-JACKSON-CC",
                caseNumber: "1616-CR-02291", charges: [Charge(code: "575.150", description: "Resisting arrest", level: .misdemeanor)])),
            topic: "courts.warrants")
    }

    /// Recalled by `agency` (the issuing court, unless a test says otherwise).
    static func warrantRecalled(
        _ warrantId: String, _ subject: SubjectIdentifiers, on recalledOn: String, by agency: SourceAgency = source(.court), id: String? = nil
    ) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId(id ?? "recalled-\(warrantId)"), occurredAt: instant("\(recalledOn)T16:00:00Z"), source: agency, subject: subject,
            payload: WarrantRecalled(warrantId: warrantId, recalledOn: day(recalledOn), reason: "Appeared in court")), topic: "courts.warrants")
    }

    static func warrantServed(_ warrantId: String, _ subject: SubjectIdentifiers, at servedAt: Date) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("served-\(warrantId)"), occurredAt: servedAt, source: source(.police), subject: subject,
            payload: WarrantServed(warrantId: warrantId, servedAt: servedAt, servingAgencyId: "MO-KCPD")), topic: "courts.warrants")
    }

    static func warrantQuashed(_ warrantId: String, _ subject: SubjectIdentifiers, on quashedOn: String) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("quashed-\(warrantId)"), occurredAt: instant("\(quashedOn)T16:00:00Z"), source: source(.court), subject: subject,
            payload: WarrantQuashed(warrantId: warrantId, quashedOn: day(quashedOn), reason: "Issued in error")), topic: "courts.warrants")
    }

    /// The agency that asks for the tests' holds, and alone lifts them.
    static let holdingSheriff = SourceAgency(agencyId: "KS-JOCO-SO", agencyKind: .sheriff)

    static func detainerLodged(_ detainerId: String, _ subject: SubjectIdentifiers, lodgedOn: String = "2026-02-01") throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("lodged-\(detainerId)"), occurredAt: instant("\(lodgedOn)T16:00:00Z"), source: holdingSheriff, subject: subject,
            payload: DetainerLodged(
                detainerId: detainerId, detainerKind: .otherJurisdiction, requestingAgencyId: "KS-JOCO-SO", lodgedOn: day(lodgedOn),
                facility: werdcc)), topic: "courts.warrants")
    }

    static func detainerLifted(_ detainerId: String, _ subject: SubjectIdentifiers, liftedOn: String) throws -> AdmittedEvent {
        try admitted(EventEnvelope(
            eventId: eventId("lifted-\(detainerId)"), occurredAt: instant("\(liftedOn)T16:00:00Z"), source: holdingSheriff, subject: subject,
            payload: DetainerLifted(detainerId: detainerId, liftedOn: day(liftedOn))), topic: "courts.warrants")
    }

    // MARK: Incidents

    static func incident(
        _ incidentId: String, at incidentAt: Date, victims: [String] = [], suspects: [String] = [], unnamed: Int = 0,
        victimsByFBINumber: [String] = [], reportedAt: Date? = nil, id: String? = nil
    ) throws -> AdmittedEvent {
        let reported = reportedAt ?? incidentAt.addingTimeInterval(3_600)
        let victimList = victims.map { InvolvedPerson(stateId: $0) } + victimsByFBINumber.map { InvolvedPerson(fbiNumber: $0) }
            + (0..<unnamed).map { _ in InvolvedPerson(name: PersonName(family: "Doe")) }
        return try admitted(EventEnvelope(
            eventId: eventId(id ?? "incident-\(incidentId)"), occurredAt: reported, recordedAt: reported, source: source(.police), subject: nil,
            payload: ViolentIncidentReported(
                incidentId: incidentId, incidentKind: .shooting, incidentAt: incidentAt,
                location: Location(address: address("31st St and Prospect Ave")),
                victims: victimList.isEmpty ? nil : victimList, suspects: suspects.isEmpty ? nil : suspects.map { InvolvedPerson(stateId: $0) })),
            topic: "police.incidents", key: incidentId)
    }

    // MARK: Encoding

    static func source(_ kind: AgencyKind) -> SourceAgency {
        switch kind {
        case .prison: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison)
        case .communitySupervision: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision)
        case .court: SourceAgency(agencyId: "MO-JACKSON-CC", agencyKind: .court)
        default: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police)
        }
    }

    /// A UUID derived from `name` (two FNV-1a hashes), so one name is one event id.
    static func eventId(_ name: String) -> UUID {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in name.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
        let high = fnv(0xcbf2_9ce4_8422_2325)
        let low = fnv(0x8422_2325_cbf2_9ce4)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static func admitted<Payload>(_ envelope: EventEnvelope<Payload>, topic: String, key: String? = nil) throws -> AdmittedEvent {
        AdmittedEvent(
            topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(0),
            key: key ?? envelope.subject?.stateId ?? "", eventType: envelope.eventType, schemaVersion: envelope.schemaVersion,
            eventId: envelope.eventId.uuidString.lowercased(), value: try EventCodec.encode(envelope), timestampMilliseconds: nil)
    }
}
