import Contracts
import Foundation
import ReadModels
import ServiceKit
import Storage
import Testing

/// Events for the caseload and court view tests, as the runtime hands them to a store, and
/// what the tests do with a database: migrate, apply, read every table.
enum CaseloadEvents {
    /// 2025-06-15T15:06:40Z.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// `now` moved by a number of days.
    static func at(days: Int) -> Date { now.addingTimeInterval(Double(days) * 86_400) }
    /// `now` moved by a number of hours.
    static func at(hours: Int) -> Date { now.addingTimeInterval(Double(hours) * 3_600) }
    /// The UTC day `days` from today.
    static func day(_ days: Int) -> CalendarDate { CalendarDate(utcDayOf: at(days: days)) }
    /// 00:00 UTC of that day.
    static func startOf(_ day: CalendarDate) -> Date { EventCodec.parseInstant("\(day)T00:00:00Z")! }

    static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
    static let okafor = SubjectIdentifiers(stateId: "MO7654321", name: PersonName(given: "Chidi", family: "Okafor"))
    static let lindqvist = SubjectIdentifiers(stateId: "MO5550001", name: PersonName(given: "Ana", family: "Lindqvist"))
    /// Known only by the FBI number Reyes also has.
    static let reyesByFBI = SubjectIdentifiers(fbiNumber: "734591KA2")
    /// Names nobody a view can key: a DOC number only.
    static let docOnly = SubjectIdentifiers(docNumber: "1198734")

    static let brooks = Officer(officerId: "PP-KC-118", name: "P.O. Tanya Brooks", phone: "+1 816 889 2700")
    static let medina = Officer(officerId: "PP-KC-204", name: "P.O. Luis Medina", email: "l.medina@doc.mo.example")
    static let agency = "MO-DOC-PP"
    static let court = "MO-CIRCUIT16"
    static let otherCourt = "MO-CIRCUIT7"

    static let home = Address(line1: "1200 E 31st St", city: "Kansas City", state: "MO", postalCode: "64109")
    static let troost = Address(
        line1: "4410 Troost Ave", line2: "Apt 2", city: "Kansas City", state: "MO", postalCode: "64110",
        coordinates: Coordinates(latitude: 39.0451, longitude: -94.5716))
    static let prospect = Address(line1: "3300 Prospect Ave", city: "Kansas City", state: "MO")
    static let werdcc = Facility(facilityId: "MO-WERDCC", name: "Western Reception Diagnostic Correctional Center", kind: .prison)
    static let jail = Facility(facilityId: "MO-JACKSON-DC", name: "Jackson County Detention Center", kind: .jail)

    private static let supervision = SourceAgency(agencyId: agency, agencyKind: .communitySupervision)
    private static let police = SourceAgency(agencyId: "MO-KCPD", agencyKind: .police)
    private static let prison = SourceAgency(agencyId: "MO-DOC", agencyKind: .prison)
    private static func courtSource(_ id: String) -> SourceAgency { SourceAgency(agencyId: id, agencyKind: .court) }

    private static let topics: [String: String] = [
        CaseStarted.eventType: "supervision.cases", CaseEnded.eventType: "supervision.cases",
        OfficerAssigned.eventType: "supervision.cases", ConditionsSet.eventType: "supervision.cases",
        AddressChanged.eventType: "supervision.cases", AssessmentCompleted.eventType: "supervision.assessments",
        ArrestMade.eventType: "police.arrests", BookingRecorded.eventType: "police.arrests",
        ContactRecorded.eventType: "police.contacts", ViolentIncidentReported.eventType: "police.incidents",
        WarrantIssued.eventType: "courts.warrants", WarrantServed.eventType: "courts.warrants",
        WarrantRecalled.eventType: "courts.warrants", WarrantQuashed.eventType: "courts.warrants",
        DetainerLodged.eventType: "courts.warrants", DetainerLifted.eventType: "courts.warrants",
        ReleaseScheduled.eventType: "custody.releases", ReleaseChanged.eventType: "custody.releases",
        ReleaseCancelled.eventType: "custody.releases", ReleaseCompleted.eventType: "custody.releases",
    ]

    /// `payload` in an envelope, encoded and admitted as the runtime would hand it over.
    static func event<Payload: EventPayload>(
        _ payload: Payload, subject: SubjectIdentifiers?, at occurredAt: Date, source: SourceAgency
    ) throws -> AdmittedEvent {
        let envelope = EventEnvelope(occurredAt: occurredAt, recordedAt: occurredAt, source: source, subject: subject, payload: payload)
        let topic = try #require(topics[Payload.eventType], "no topic for \(Payload.eventType)")
        return AdmittedEvent(
            topicPartition: .init(topic: topic, partition: 0), offset: .init(0), key: subject?.stateId ?? "",
            eventType: Payload.eventType, schemaVersion: envelope.schemaVersion, eventId: envelope.eventId.uuidString.lowercased(),
            value: try EventCodec.encode(envelope), timestampMilliseconds: Int64(occurredAt.timeIntervalSince1970 * 1000))
    }

    // MARK: supervision.cases, supervision.assessments

    static func caseStarted(
        _ caseId: String = "PP-1", _ subject: SubjectIdentifiers? = reyes, officer: Officer? = brooks, start: CalendarDate = day(-30),
        agency: String = agency, address: Address? = home, type: SupervisionType = .parole, at: Date? = nil
    ) throws -> AdmittedEvent {
        try event(
            CaseStarted(caseId: caseId, supervisionType: type, startDate: start, expectedEndDate: day(700), supervisingAgencyId: agency,
                        officer: officer, address: address),
            subject: subject, at: at ?? startOf(start), source: SourceAgency(agencyId: agency, agencyKind: .communitySupervision))
    }

    static func caseEnded(_ caseId: String = "PP-1", _ subject: SubjectIdentifiers? = reyes, on endDate: CalendarDate, at: Date = now) throws -> AdmittedEvent {
        try event(CaseEnded(caseId: caseId, endDate: endDate, endReason: .completed), subject: subject, at: at, source: supervision)
    }

    static func officerAssigned(_ officer: Officer, _ caseId: String = "PP-1", _ subject: SubjectIdentifiers? = reyes, at: Date) throws -> AdmittedEvent {
        try event(OfficerAssigned(caseId: caseId, officer: officer), subject: subject, at: at, source: supervision)
    }

    static func conditionsSet(
        _ conditions: [SupervisionCondition], effective: CalendarDate, _ caseId: String = "PP-1", _ subject: SubjectIdentifiers? = reyes,
        at: Date = now
    ) throws -> AdmittedEvent {
        try event(ConditionsSet(caseId: caseId, effectiveDate: effective, conditions: conditions), subject: subject, at: at, source: supervision)
    }

    static func addressChanged(
        _ address: Address, effective: CalendarDate, household: [HouseholdMember]?, _ caseId: String = "PP-1",
        _ subject: SubjectIdentifiers? = reyes, at: Date = now
    ) throws -> AdmittedEvent {
        try event(AddressChanged(caseId: caseId, address: address, effectiveDate: effective, householdMembers: household),
                  subject: subject, at: at, source: supervision)
    }

    static func assessment(
        _ id: String, _ subject: SubjectIdentifiers? = reyes, risk: RiskLevel, completedOn: CalendarDate, at: Date = now
    ) throws -> AdmittedEvent {
        try event(
            AssessmentCompleted(assessmentId: id, instrument: "ORAS-CST", completedOn: completedOn, riskLevel: risk, score: 21,
                                needs: [AssessedNeed(domain: .housing, level: .high)]),
            subject: subject, at: at, source: supervision)
    }

    // MARK: police.arrests, police.contacts, police.incidents

    static func arrest(_ id: String, _ subject: SubjectIdentifiers? = reyes, at: Date) throws -> AdmittedEvent {
        try event(
            ArrestMade(arrestId: id, arrestedAt: at, arrestingAgencyId: "MO-KCPD", location: Location(address: prospect),
                       charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)]),
            subject: subject, at: at, source: police)
    }

    static func booking(_ number: String, _ subject: SubjectIdentifiers? = reyes, at: Date) throws -> AdmittedEvent {
        try event(BookingRecorded(bookingNumber: number, facility: jail, bookedAt: at, charges: []),
                  subject: subject, at: at, source: SourceAgency(agencyId: "MO-JACKSON-SO", agencyKind: .jail))
    }

    static func contact(
        _ id: String, _ subject: SubjectIdentifiers? = reyes, relation: RelationToSubject, atResidence: Bool, kind: ContactKind,
        at: Date
    ) throws -> AdmittedEvent {
        let met = relation == .subject ? nil : InvolvedPerson(name: PersonName(given: "Marcus", family: "Reyes"))
        return try event(
            ContactRecorded(contactId: id, contactedAt: at, contactKind: kind, relationToSubject: relation, personContacted: met,
                            location: Location(address: home), atSubjectResidence: atResidence),
            subject: subject, at: at, source: police)
    }

    static func incident(_ id: String, victims: [InvolvedPerson]?, suspects: [InvolvedPerson]?, at: Date) throws -> AdmittedEvent {
        try event(
            ViolentIncidentReported(incidentId: id, incidentKind: .shooting, incidentAt: at, location: Location(address: prospect),
                                    victims: victims, suspects: suspects),
            subject: nil, at: at, source: police)
    }

    static func involved(_ subject: SubjectIdentifiers) -> InvolvedPerson {
        InvolvedPerson(stateId: subject.stateId, name: subject.name, underSupervision: true)
    }

    // MARK: courts.warrants

    static func warrantIssued(
        _ id: String, _ subject: SubjectIdentifiers? = reyes, court: String = court, kind: WarrantKind = .failureToAppear,
        issuedOn: CalendarDate, charges: [Charge]? = nil, at: Date? = nil
    ) throws -> AdmittedEvent {
        try event(
            WarrantIssued(warrantId: id, warrantKind: kind, issuedOn: issuedOn, issuingAgencyId: court, caseNumber: "1616-CR02291",
                          charges: charges, bondAmount: 2500),
            subject: subject, at: at ?? startOf(issuedOn), source: courtSource(court))
    }

    static func warrantServed(_ id: String, _ subject: SubjectIdentifiers? = reyes, at: Date) throws -> AdmittedEvent {
        try event(WarrantServed(warrantId: id, servedAt: at, servingAgencyId: "MO-KCPD"), subject: subject, at: at, source: police)
    }

    static func warrantRecalled(_ id: String, _ subject: SubjectIdentifiers? = reyes, on day: CalendarDate) throws -> AdmittedEvent {
        try event(WarrantRecalled(warrantId: id, recalledOn: day, reason: "Defendant appeared"), subject: subject, at: startOf(day),
                  source: courtSource(court))
    }

    static func warrantQuashed(_ id: String, _ subject: SubjectIdentifiers? = reyes, on day: CalendarDate) throws -> AdmittedEvent {
        try event(WarrantQuashed(warrantId: id, quashedOn: day, reason: "Issued in error"), subject: subject, at: startOf(day),
                  source: courtSource(court))
    }

    static func detainerLodged(_ id: String, _ subject: SubjectIdentifiers? = reyes, lodgedOn: CalendarDate) throws -> AdmittedEvent {
        try event(DetainerLodged(detainerId: id, detainerKind: .otherJurisdiction, requestingAgencyId: "KS-JOCO-SO", lodgedOn: lodgedOn),
                  subject: subject, at: startOf(lodgedOn), source: SourceAgency(agencyId: "KS-JOCO-SO", agencyKind: .sheriff))
    }

    static func detainerLifted(_ id: String, _ subject: SubjectIdentifiers? = reyes, on day: CalendarDate) throws -> AdmittedEvent {
        try event(DetainerLifted(detainerId: id, liftedOn: day), subject: subject, at: startOf(day),
                  source: SourceAgency(agencyId: "KS-JOCO-SO", agencyKind: .sheriff))
    }

    // MARK: custody.releases

    static func releaseScheduled(
        _ id: String, _ subject: SubjectIdentifiers? = reyes, facility: Facility = werdcc, expectedAt: Date, at: Date
    ) throws -> AdmittedEvent {
        try event(ReleaseScheduled(releaseId: id, facility: facility, expectedAt: expectedAt, releaseType: .parole, destination: home),
                  subject: subject, at: at, source: prison)
    }

    static func releaseChanged(_ id: String, _ subject: SubjectIdentifiers? = reyes, expectedAt: Date?, at: Date) throws -> AdmittedEvent {
        try event(ReleaseChanged(releaseId: id, reason: "Board date moved", expectedAt: expectedAt), subject: subject, at: at, source: prison)
    }

    static func releaseCancelled(_ id: String, _ subject: SubjectIdentifiers? = reyes, at: Date) throws -> AdmittedEvent {
        try event(ReleaseCancelled(releaseId: id, reason: "Parole rescinded"), subject: subject, at: at, source: prison)
    }

    static func releaseCompleted(_ id: String, _ subject: SubjectIdentifiers? = reyes, facility: Facility = werdcc, at: Date) throws -> AdmittedEvent {
        try event(ReleaseCompleted(releaseId: id, facility: facility, releasedAt: at, releaseType: .parole), subject: subject, at: at, source: prison)
    }
}

/// What the view tests do with a database.
enum ViewDatabase {
    /// Runs `store`'s migrations (after the runtime's own: ``ViewMigrations``).
    static func migrate(_ store: some ReadModelStore, _ database: any StorageDatabase) async throws {
        _ = try await database.write { try StorageMigrator.migrate(ViewMigrations.of(store), in: $0) }
    }

    /// Applies `events` in order, in one transaction.
    static func apply(_ store: some ReadModelStore, _ events: [AdmittedEvent], _ database: any StorageDatabase) async throws {
        try await database.write { transaction in
            for event in events { try store.apply(event, in: transaction) }
        }
    }

    /// Applies `event` and returns the poison message's reason (nil when it was accepted);
    /// the transaction commits either way, so whatever `apply` wrote before refusing would stay.
    static func poisonReason(_ store: some ReadModelStore, _ event: AdmittedEvent, _ database: any StorageDatabase) async throws -> String? {
        try await database.write { transaction in
            do {
                try store.apply(event, in: transaction)
                return nil
            } catch let poison as PoisonMessage {
                return poison.reason
            }
        }
    }

    /// Every row of every table whose name starts with one of `prefixes`, by table (a view's
    /// own prefix and `views_`, the release ledger the views share).
    static func tables(_ database: any StorageDatabase, prefixes: [String]) async throws -> [String: Set<StorageRow>] {
        try await database.write { transaction in
            var names: [String] = []
            for prefix in prefixes {
                switch transaction.dialect {
                case .sqlite:
                    names += try transaction.fetchAll(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE $1", [.text(prefix + "%")]
                    ).map { try $0.get("name", as: String.self) }
                case .postgres:
                    names += try transaction.fetchAll(
                        "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1",
                        [.text(prefix + "%")]
                    ).map { try $0.get("name", as: String.self) }
                }
            }
            var tables: [String: Set<StorageRow>] = [:]
            for name in names { tables[name] = Set(try transaction.fetchAll("SELECT * FROM \(name)")) }
            return tables
        }
    }
}
