import Contracts
import Foundation
import Pipeline

/// The scenario of `dev --demo` and of the end-to-end tests: first the agency directory
/// (`reference.agencies`: the Missouri police departments the releases go to, and the courts,
/// prosecutors and agencies the events name), then flow A (a supervisee is arrested), flow B
/// (a scheduled release with an active warrant, then the warrant recalled) and its variant (a
/// jail releases on bail a person with an active warrant, unscheduled).
///
/// Each step names the service that must have read it before the next step is published:
/// flow B is a sequence in time (the recall comes weeks after the schedule), which the two
/// topics alone cannot order.
public struct DemoScenario: Sendable {
    public struct Step: Sendable {
        public var name: String
        public var event: ScenarioEvent
        public var readBy: ServiceName
        /// Publish only once the inbox has read every notification the services delivered so
        /// far (a tick that escalates what is in the inbox: `withDemoClock()`).
        public var afterInboxCaughtUp = false
    }

    /// All times are relative to `now`; ids depend only on the step names and `run`.
    public let now: Date
    public let run: String
    public internal(set) var steps: [Step] = []

    public init(now: Date, run: String = "demo") throws {
        self.now = now
        self.run = run
        steps = try Self.directory.map { entry in
            Step(name: "D \(entry.agencyId) described", event: try Self.agencyDescribed(entry, now: now, id: id("D-\(entry.agencyId)")),
                 readBy: .warrantResolver)
        }
        steps += [
            Step(name: "A1 case started", event: try Self.caseStarted(Self.reyes, caseId: "PP-KC-2025-3391", officer: Self.brooks,
                                                                    startDate: Self.day(now, -30), now: now, id: id("A1")), readBy: .router),
            Step(name: "A2 arrest", event: try Self.arrest(Self.reyes, arrestId: "KCPD-A-25-018832", at: now.addingTimeInterval(-3_600),
                                                           now: now, id: id("A2")), readBy: .router),
            Step(name: "B1 warrant issued", event: try Self.warrantIssued(Self.hill, warrantId: "1616-CR-02291-W1", kind: .failureToAppear,
                                                                          agency: "MO-CIRCUIT16", now: now, id: id("B1")), readBy: .warrantResolver),
            Step(name: "B2 release scheduled", event: try Self.releaseScheduled(Self.hill, releaseId: "WERDCC-2025-0117", facility: Self.werdcc,
                                                                                at: now.addingTimeInterval(60 * 86_400), to: Self.kansasCity,
                                                                                now: now, id: id("B2")), readBy: .warrantResolver),
            Step(name: "B3 warrant recalled", event: try Self.warrantRecalled(Self.hill, warrantId: "1616-CR-02291-W1", now: now, id: id("B3")),
                 readBy: .warrantResolver),
            Step(name: "C1 warrant issued", event: try Self.warrantIssued(Self.grant, warrantId: "0716-CR-00412-W2", kind: .probationViolation,
                                                                          agency: "MO-CIRCUIT7", now: now, id: id("C1")), readBy: .warrantResolver),
            Step(name: "C2 released on bail", event: try Self.releaseCompleted(Self.grant, releaseId: "JCDC-B-88213", facility: Self.jacksonJail,
                                                                               at: now, type: .bailBond, to: Self.independence,
                                                                               now: now, id: id("C2")), readBy: .warrantResolver),
        ]
        steps += try Self.releaseSteps(now: now, run: run)
    }

    private func id(_ step: String) -> UUID { ScenarioEvent.eventId("\(run)/\(step)") }

    // MARK: People, places, agencies

    public static let reyes = SubjectIdentifiers(
        stateId: "MO1234567", fbiNumber: "734591KA2", docNumber: "1198734", name: PersonName(given: "Darnell", family: "Reyes"),
        dateOfBirth: CalendarDate("1990-07-14"))
    public static let hill = SubjectIdentifiers(
        stateId: "MO7654321", docNumber: "1204411", name: PersonName(given: "Marcus", family: "Hill"), dateOfBirth: CalendarDate("1985-02-03"))
    public static let grant = SubjectIdentifiers(
        stateId: "MO5550123", bookingNumber: "JC-25-004471", name: PersonName(given: "Alicia", family: "Grant"),
        dateOfBirth: CalendarDate("1996-11-21"))
    public static let brooks = Officer(officerId: "PP-KC-118", name: "P.O. Tanya Brooks", phone: "+1 816 889 2700")
    public static let werdcc = Facility(facilityId: "MO-DOC-WERDCC", name: "Western Reception, Diagnostic and Correctional Center", kind: .prison)
    public static let jacksonJail = Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail)
    public static let kansasCity = Address(line1: "4410 Troost Ave", city: "Kansas City", state: "MO", postalCode: "64110")
    public static let independence = Address(line1: "215 N Liberty St", city: "Independence", state: "MO", postalCode: "64050")

    /// The agency directory of the scenario: the police departments of the Missouri cities it
    /// releases to (and two more), the courts and prosecutors its warrants name, and the
    /// agencies that send its events.
    public static let directory: [AgencyDescribed] = [
        police("MO-KCPD", "Kansas City Missouri Police Department", counties: ["Jackson", "Clay", "Platte", "Cass"], places: ["Kansas City"],
               phone: "+1 816 234 5000"),
        police("MO-SLMPD", "St. Louis Metropolitan Police Department", counties: ["St. Louis City"], places: ["St. Louis"],
               phone: "+1 314 231 1212"),
        police("MO-IPD", "Independence Police Department", counties: ["Jackson"], places: ["Independence"], phone: "+1 816 325 7300"),
        police("MO-SPD", "Springfield Police Department", counties: ["Greene"], places: ["Springfield"], phone: "+1 417 864 1810"),
        police("MO-CPD", "Columbia Police Department", counties: ["Boone"], places: ["Columbia"], phone: "+1 573 874 7652"),
        AgencyDescribed(agencyId: "MO-CIRCUIT16", kind: .court, name: "16th Judicial Circuit Court of Missouri (Jackson County)",
                        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]), dutyContact: DutyContact(phone: "+1 816 881 3926")),
        AgencyDescribed(agencyId: "MO-CIRCUIT7", kind: .court, name: "7th Judicial Circuit Court of Missouri (Clay County)",
                        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Clay"]), dutyContact: DutyContact(phone: "+1 816 407 3900")),
        AgencyDescribed(agencyId: "MO-JCPO", kind: .prosecutor, name: "Jackson County Prosecuting Attorney",
                        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]), dutyContact: DutyContact(phone: "+1 816 881 3555"),
                        courts: ["MO-CIRCUIT16"]),
        AgencyDescribed(agencyId: "MO-CCPO", kind: .prosecutor, name: "Clay County Prosecuting Attorney",
                        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Clay"]), dutyContact: DutyContact(phone: "+1 816 407 3100"),
                        courts: ["MO-CIRCUIT7"]),
        AgencyDescribed(agencyId: "MO-DOC", kind: .prison, name: "Missouri Department of Corrections",
                        jurisdiction: AgencyJurisdiction(state: "MO", statewide: true), dutyContact: DutyContact(phone: "+1 573 751 2389")),
        AgencyDescribed(agencyId: "MO-DOC-PP", kind: .communitySupervision, name: "Missouri Division of Probation and Parole",
                        jurisdiction: AgencyJurisdiction(state: "MO", statewide: true), dutyContact: DutyContact(phone: "+1 573 751 8488")),
        AgencyDescribed(agencyId: "MO-JCSO", kind: .jail, name: "Jackson County Detention Center (Jackson County Sheriff's Office)",
                        jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"]), dutyContact: DutyContact(phone: "+1 816 881 4200")),
    ]

    private static func police(_ id: String, _ name: String, counties: [String], places: [String], phone: String) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: .police, name: name, jurisdiction: AgencyJurisdiction(state: "MO", counties: counties, places: places),
                        dutyContact: DutyContact(phone: phone))
    }

    // MARK: Event builders (also used by tests)

    /// An agency's directory entry, as the agency asked for it.
    public static func agencyDescribed(_ entry: AgencyDescribed, now: Date, id: UUID) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "reference.agencies", key: entry.agencyId, EventEnvelope(
            eventId: id, occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: entry.agencyId, agencyKind: entry.kind),
            subject: nil, payload: entry))
    }

    public static func day(_ date: Date, _ offsetDays: Int) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let shifted = calendar.date(byAdding: .day, value: offsetDays, to: date)!
        let parts = calendar.dateComponents([.year, .month, .day], from: shifted)
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    public static func caseStarted(
        _ subject: SubjectIdentifiers, caseId: String, officer: Officer?, startDate: CalendarDate, now: Date, id: UUID,
        address: Address = kansasCity, supervisingAgencyId: String = "MO-DOC-PP"
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "supervision.cases", EventEnvelope(
            eventId: id, occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC-PP", agencyKind: .communitySupervision),
            subject: subject,
            payload: CaseStarted(caseId: caseId, supervisionType: .parole, startDate: startDate, supervisingAgencyId: supervisingAgencyId,
                                 officer: officer, address: address)))
    }

    public static func arrest(_ subject: SubjectIdentifiers, arrestId: String, at: Date, now: Date, id: UUID) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "police.arrests", EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: SubjectIdentifiers(stateId: subject.stateId, fbiNumber: subject.fbiNumber, name: subject.name, dateOfBirth: subject.dateOfBirth),
            payload: ArrestMade(
                arrestId: arrestId, arrestedAt: at, arrestingAgencyId: "MO-KCPD",
                location: Location(address: Address(line1: "3100 Prospect Ave", city: "Kansas City", state: "MO", postalCode: "64128")),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)],
                reportNumber: "KCPD-25-0118832")))
    }

    public static func warrantIssued(
        _ subject: SubjectIdentifiers, warrantId: String, kind: WarrantKind, agency: String, now: Date, id: UUID
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "courts.warrants", EventEnvelope(
            eventId: id, occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: agency, agencyKind: .court), subject: subject,
            payload: WarrantIssued(warrantId: warrantId, warrantKind: kind, issuedOn: day(now, -10), issuingAgencyId: agency)))
    }

    public static func warrantRecalled(_ subject: SubjectIdentifiers, warrantId: String, now: Date, id: UUID) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "courts.warrants", EventEnvelope(
            eventId: id, occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-CIRCUIT16", agencyKind: .court), subject: subject,
            payload: WarrantRecalled(warrantId: warrantId, recalledOn: day(now, 0), reason: "Defendant appeared; case set for hearing")))
    }

    public static func releaseScheduled(
        _ subject: SubjectIdentifiers, releaseId: String, facility: Facility, at: Date, to destination: Address, now: Date, id: UUID,
        supervisingAgencyId: String = "MO-DOC-PP"
    ) throws -> ScenarioEvent {
        try ScenarioEvent(topic: "custody.releases", EventEnvelope(
            eventId: id, occurredAt: now, recordedAt: now, source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison), subject: subject,
            payload: ReleaseScheduled(releaseId: releaseId, facility: facility, expectedAt: at, releaseType: .parole, destination: destination,
                                      supervisionType: .parole, supervisingAgencyId: supervisingAgencyId)))
    }

    /// Completed by the agency that runs `facility`: the prison system (MO-DOC, which
    /// schedules its releases, `releaseScheduled`) for a prison, the county's jail (MO-JCSO)
    /// otherwise. Only the agency that scheduled a release completes it (`RecordAuthority`).
    public static func releaseCompleted(
        _ subject: SubjectIdentifiers, releaseId: String, facility: Facility, at: Date, type: ReleaseType, to destination: Address,
        now: Date, id: UUID
    ) throws -> ScenarioEvent {
        let source = facility.kind == .prison ? SourceAgency(agencyId: "MO-DOC", agencyKind: .prison) : SourceAgency(agencyId: "MO-JCSO", agencyKind: .jail)
        return try ScenarioEvent(topic: "custody.releases", EventEnvelope(
            eventId: id, occurredAt: at, recordedAt: now, source: source, subject: subject,
            payload: ReleaseCompleted(releaseId: releaseId, facility: facility, releasedAt: at, releaseType: type, destination: destination)))
    }
}
