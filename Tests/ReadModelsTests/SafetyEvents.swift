import Contracts
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// Events and places for the safety-check tests, and a migrated database to apply them to.
enum SafetyEvents {
    /// 2025-06-15T15:06:40Z.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func at(days: Double) -> Date { now.addingTimeInterval(days * 86_400) }
    static func day(_ days: Double) -> CalendarDate { CalendarDate(utcDayOf: at(days: days)) }

    /// The visited home's coordinates (4410 Troost Ave, Kansas City).
    static let home = Coordinates(latitude: 39.0451, longitude: -94.5716)

    /// The point `metres` north of `home` (along the meridian, so exactly that far by haversine).
    static func north(_ metres: Double) -> Coordinates {
        Coordinates(latitude: home.latitude + metres / 6_371_008.8 * 180 / .pi, longitude: home.longitude)
    }

    /// The point `metres` east of `home` (along its parallel: a little less far by haversine).
    static func east(_ metres: Double) -> Coordinates {
        Coordinates(latitude: home.latitude, longitude: home.longitude + metres / (6_371_008.8 * cos(home.latitude * .pi / 180)) * 180 / .pi)
    }

    /// `north` metres north and `east` metres east of `home`: about √(north² + east²) away.
    static func offset(north: Double, east: Double) -> Coordinates {
        Coordinates(latitude: self.north(north).latitude, longitude: self.east(east).longitude)
    }

    static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", docNumber: "1198734", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
    static let okafor = SubjectIdentifiers(stateId: "MO7654321", name: PersonName(given: "Chidi", family: "Okafor"))
    /// Known only by an FBI number.
    static let byFBI = SubjectIdentifiers(fbiNumber: "734591KA2", name: PersonName(given: "Lena", family: "Marsh"))
    static let angela = HouseholdMember(name: PersonName(given: "Angela", family: "Reyes"), relationship: "mother")

    /// Reyes's registered home: no coordinates, so only its key can match it.
    static let troost = Address(line1: "4410 North Troost Avenue", line2: "Apt. 2B", city: "Kansas City", state: "MO", postalCode: "64110")
    static let troostOnMap = Address(
        line1: "4410 N Troost Ave", line2: "Apt 2B", city: "Kansas City", state: "MO", postalCode: "64110", coordinates: home)
    static let thirtyFirst = Address(line1: "1200 E. 31st Street", city: "Kansas City", state: "MO")
    static let prospect = Address(line1: "3300 Prospect Ave", city: "Kansas City", state: "MO")

    private static let supervision = SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision)
    private static let police = SourceAgency(agencyId: "MO-KCPD", agencyKind: .police)
    private static let topics: [String: String] = [
        CaseStarted.eventType: SafetyStore.casesTopic, CaseEnded.eventType: SafetyStore.casesTopic,
        AddressChanged.eventType: SafetyStore.casesTopic, ViolentIncidentReported.eventType: SafetyStore.incidentsTopic,
        InvestigationOpened.eventType: SafetyStore.investigationsTopic, InvestigationUpdated.eventType: SafetyStore.investigationsTopic,
        InvestigationClosed.eventType: SafetyStore.investigationsTopic,
    ]

    /// `payload` in an envelope, encoded and admitted as the runtime would hand it over.
    static func event<Payload: EventPayload>(_ payload: Payload, subject: SubjectIdentifiers?, at occurredAt: Date) throws -> AdmittedEvent {
        let source = subject == nil ? police : supervision
        let envelope = EventEnvelope(occurredAt: occurredAt, recordedAt: occurredAt, source: source, subject: subject, payload: payload)
        return try ReleaseTestEvents.admitted(envelope, topic: try #require(topics[Payload.eventType], "no topic for \(Payload.eventType)"))
    }

    // MARK: supervision.cases

    static func caseStarted(
        _ caseId: String = "PP-1", _ subject: SubjectIdentifiers = reyes, start: CalendarDate = day(-60), address: Address? = troost,
        at: Date? = nil
    ) throws -> AdmittedEvent {
        try event(
            CaseStarted(caseId: caseId, supervisionType: .parole, startDate: start, supervisingAgencyId: "MO-DOC-PP", address: address),
            subject: subject, at: at ?? self.at(days: -60))
    }

    static func addressChanged(
        _ caseId: String = "PP-1", _ subject: SubjectIdentifiers = reyes, to address: Address = troost, effective: CalendarDate = day(-40),
        household: [HouseholdMember]? = [angela], at: Date? = nil
    ) throws -> AdmittedEvent {
        try event(
            AddressChanged(caseId: caseId, address: address, effectiveDate: effective, householdMembers: household),
            subject: subject, at: at ?? self.at(days: -40))
    }

    static func caseEnded(_ caseId: String = "PP-1", _ subject: SubjectIdentifiers = reyes, on end: CalendarDate = day(-5)) throws -> AdmittedEvent {
        try event(CaseEnded(caseId: caseId, endDate: end, endReason: .completed), subject: subject, at: at(days: -5))
    }

    // MARK: police.incidents, police.investigations

    static func incident(
        _ id: String, at coordinates: Coordinates?, address: Address? = nil, daysAgo: Double = 2, victims: [InvolvedPerson]? = nil,
        suspects: [InvolvedPerson]? = nil, kind: ViolentIncidentKind = .shooting, reportedAt: Date? = nil
    ) throws -> AdmittedEvent {
        let when = at(days: -daysAgo)
        return try event(
            ViolentIncidentReported(
                incidentId: id, incidentKind: kind, incidentAt: when, location: Location(address: address, coordinates: coordinates),
                victims: victims, suspects: suspects, reportNumber: "R-\(id)"),
            subject: nil, at: reportedAt ?? when.addingTimeInterval(3_600))
    }

    static func opened(
        _ id: String, area: InvestigationArea?, people: [InvolvedPerson] = [], sensitivity: InvestigationSensitivity = .routine,
        summary: String? = "Armed robberies near 31st and Prospect.", at: Date = at(days: -20)
    ) throws -> AdmittedEvent {
        try event(
            InvestigationOpened(
                investigationId: id, leadAgencyId: "MO-KCPD", sensitivity: sensitivity, summary: summary, personsOfInterest: people,
                area: area, contact: Officer(officerId: "KCPD-2210", name: "Det. R. Okafor", phone: "+1 816 234 5110")),
            subject: nil, at: at)
    }

    static func updated(
        _ id: String, area: InvestigationArea? = nil, people: [InvolvedPerson]? = nil, sensitivity: InvestigationSensitivity? = nil,
        summary: String? = nil, at: Date = at(days: -10)
    ) throws -> AdmittedEvent {
        try event(
            InvestigationUpdated(investigationId: id, sensitivity: sensitivity, summary: summary, personsOfInterest: people, area: area),
            subject: nil, at: at)
    }

    static func closed(_ id: String, at: Date = at(days: -1)) throws -> AdmittedEvent {
        try event(InvestigationClosed(investigationId: id), subject: nil, at: at)
    }

    static func area(_ centre: Coordinates, radius: Int) -> InvestigationArea {
        InvestigationArea(center: centre, radiusMeters: radius)
    }

    static let reyesNamed = InvolvedPerson(stateId: "MO1234567", underSupervision: true)
    static let angelaNamed = InvolvedPerson(name: PersonName(given: "angela", family: "REYES"))
}

/// The safety store over a migrated database (the views' shared harness): apply events one
/// transaction each, ask the check, and read every table.
typealias SafetyHarness = ReleaseViewHarness<SafetyStore>

extension ReleaseViewHarness where Store == SafetyStore {
    init(on database: any StorageDatabase) async throws {
        let store = SafetyStore()
        try await self.init(store, tables: store.tables, on: database)
    }

    /// Applies each event in its own transaction, in order.
    func apply(_ events: [AdmittedEvent]) async throws {
        for event in events { try await apply(event) }
    }

    func check(
        _ address: String, coordinates: Coordinates? = nil, radius: Int = 500, asOf: Date = SafetyEvents.now
    ) async throws -> SafetyCheckResult {
        try await read { store, transaction in
            try store.check(address: .text(address), coordinates: coordinates, radiusMeters: radius, asOf: asOf, in: transaction)
        }
    }
}
