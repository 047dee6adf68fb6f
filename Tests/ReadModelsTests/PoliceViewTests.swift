import Contracts
import Directory
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// The police view's scenarios, each written once and run on SQLite (here) and PostgreSQL
/// (`ReleaseViewsOnPostgresTests`).
enum PoliceViewScenario: String, CaseIterable, Sendable {
    case releasesEnterAndLeaveByTheWindow
    case releasesEnterAndLeaveByTheirEvents
    case releaseChangeReadBeforeItsSchedule
    case caseAndAssessmentUnderTheOtherNumber
    case residentsUnderTheOtherNumber
    case rowsKeptBeforeTheNumbersStep
    case warrantsOfResidents
    case superviseesWithTheConditionsPoliceNeed
    case bulletinsWhileConsentIsInForce
    case withdrawnBulletinIsDeleted
    case poisonBulletinLeavesTablesUnchanged
    case eventNamingNobodyIsPoison
    case sameEventsTwiceChangeNothing

    typealias E = ReleaseTestEvents

    func run(on database: any StorageDatabase) async throws {
        if self == .rowsKeptBeforeTheNumbersStep { return try await Self.rowsKeptBeforeTheNumbersStep(database) }
        let store = PoliceViewStore()
        let view = try await ReleaseViewHarness(store, tables: store.tables, on: database)
        // The agency directory the bulletins' scopes are read against, as the views service keeps it.
        _ = try await database.write { transaction in
            try StorageMigrator.migrate(ViewMigrations.of(store) + DirectoryStore.migrations, in: transaction)
            for entry in [PoliceBulletinScopeTests.kcpd, PoliceBulletinScopeTests.stLouisPD] { try DirectoryStore(transaction).describe(entry) }
        }
        switch self {
        case .releasesEnterAndLeaveByTheWindow: try await Self.releasesEnterAndLeaveByTheWindow(view)
        case .releasesEnterAndLeaveByTheirEvents: try await Self.releasesEnterAndLeaveByTheirEvents(view)
        case .releaseChangeReadBeforeItsSchedule: try await Self.releaseChangeReadBeforeItsSchedule(view)
        case .caseAndAssessmentUnderTheOtherNumber: try await Self.caseAndAssessmentUnderTheOtherNumber(view)
        case .residentsUnderTheOtherNumber: try await Self.residentsUnderTheOtherNumber(view)
        case .rowsKeptBeforeTheNumbersStep: break  // below, before the harness migrates
        case .warrantsOfResidents: try await Self.warrantsOfResidents(view)
        case .superviseesWithTheConditionsPoliceNeed: try await Self.superviseesWithTheConditionsPoliceNeed(view)
        case .bulletinsWhileConsentIsInForce: try await Self.bulletinsWhileConsentIsInForce(view)
        case .withdrawnBulletinIsDeleted: try await Self.withdrawnBulletinIsDeleted(view)
        case .poisonBulletinLeavesTablesUnchanged: try await Self.poisonBulletinLeavesTablesUnchanged(view)
        case .eventNamingNobodyIsPoison: try await Self.eventNamingNobodyIsPoison(view)
        case .sameEventsTwiceChangeNothing: try await Self.sameEventsTwiceChangeNothing(view)
        }
    }

    typealias View = ReleaseViewHarness<PoliceViewStore>

    static func releaseIds(_ view: View, into places: [JurisdictionPlace] = [E.kansasCity], asOf: Date = E.asOf) async throws -> [String] {
        try await view.read { try $0.releases(into: places, asOf: asOf, in: $1) }.map(\.releaseId)
    }

    /// Day 60 after `asOf` is in (any time that day, UTC), day 61 out; a release earlier on
    /// `asOf`'s day is still in; another city's release is only in that city's list; the risk
    /// level is the latest assessment completed by `asOf`, and the active case is shown.
    static func releasesEnterAndLeaveByTheWindow(_ view: View) async throws {
        let (a, b, c, d) = (E.person("MO1000001"), E.person("MO1000002"), E.person("MO1000003"), E.person("MO1000004"))
        try await view.apply(
            try E.scheduled("R-DAY60", a, expectedAt: E.later(days: 60, hours: 8)),  // 2026-04-30 23:00
            try E.scheduled("R-DAY61", b, expectedAt: E.later(days: 60, hours: 9.5)),  // 2026-05-01 00:30
            try E.scheduled("R-TODAY", c, expectedAt: E.later(days: 0, hours: -9)),  // 2026-03-01 06:00
            try E.scheduled("R-STL", d, expectedAt: E.later(days: 10), to: E.address(city: "Saint Louis")),
            try E.assessment("A-1", a, risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-2", a, risk: .moderate, completedOn: "2026-02-20", needs: [AssessedNeed(domain: .mentalHealth, level: .high)]),
            try E.assessment("A-3", a, risk: .veryHigh, completedOn: "2026-03-05"),
            try E.caseStarted("C-A", a, startDate: "2025-06-01"))

        #expect(try await releaseIds(view) == ["R-TODAY", "R-DAY60"])
        #expect(try await releaseIds(view, into: [E.stLouis]) == ["R-STL"])
        #expect(try await releaseIds(view, into: [E.kansasCity, E.stLouis]) == ["R-TODAY", "R-STL", "R-DAY60"])
        #expect(try await releaseIds(view, into: []) == [])
        let nextDay = E.later(days: 1)
        #expect(try await releaseIds(view, asOf: nextDay) == ["R-DAY60", "R-DAY61"])

        let row = try #require(try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }.last)
        #expect(row.person.stateId == "MO1000001")
        #expect(row.person.name?.family == "Reyes")
        #expect(row.facility == E.werdcc)
        #expect(row.expectedAt == E.later(days: 60, hours: 8))
        #expect(row.supervisionType == .parole)
        #expect(row.activeCase?.caseId == "C-A")
        #expect(row.latestAssessment?.assessmentId == "A-2")
        #expect(row.latestAssessment?.riskLevel == .moderate)
        #expect(row.latestAssessment?.needs == [])
        // Needs are health information the police view has no use for: never stored.
        #expect(try await view.read { try $1.fetchOne("SELECT COUNT(*) AS n FROM police_assessments WHERE needs IS NOT NULL")?.get("n", as: Int.self) } == 0)
        // The releases were scheduled on 2026-02-01 at 10:00: asked about before, they are not listed yet.
        #expect(try await releaseIds(view, asOf: E.instant("2026-02-01T09:59:59Z")) == [])
        let earlier = try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.instant("2026-02-01T12:00:00Z"), withinDays: 90, in: $1) }
        #expect(earlier.first { $0.releaseId == "R-DAY60" }?.latestAssessment?.riskLevel == .high)
        #expect(earlier.first { $0.releaseId == "R-DAY60" }?.activeCase?.caseId == "C-A")
        #expect(earlier.first { $0.releaseId == "R-DAY61" }?.activeCase == nil)
    }

    /// A release under the state ID that carries the FBI number shows the case and the
    /// assessment of a transferee filed under the FBI number alone (the Kansas City list's
    /// risk level and supervision); a release without the FBI number does not meet them.
    static func caseAndAssessmentUnderTheOtherNumber(_ view: View) async throws {
        let transferee = E.person(nil, fbiNumber: "61000F")
        try await view.apply(
            try E.caseStarted("C-TRANSFER", transferee, startDate: "2025-06-01"),
            try E.assessment("A-TRANSFER", transferee, risk: .veryHigh, completedOn: "2026-01-10"),
            try E.scheduled("R-PAIRED", E.person("MO1000061", fbiNumber: "61000F"), expectedAt: E.later(days: 20)),
            try E.scheduled("R-UNPAIRED", E.person("MO1000062"), expectedAt: E.later(days: 21)))

        let rows = try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(rows.map(\.releaseId) == ["R-PAIRED", "R-UNPAIRED"])
        let paired = try #require(rows.first)
        #expect(paired.activeCase?.caseId == "C-TRANSFER")
        #expect(paired.latestAssessment?.assessmentId == "A-TRANSFER")
        #expect(paired.latestAssessment?.riskLevel == .veryHigh)
        let unpaired = try #require(rows.last)
        #expect(unpaired.activeCase == nil)
        #expect(unpaired.latestAssessment == nil)
    }

    /// A transferee registered at a Kansas City address under the FBI number alone: a warrant
    /// and a bulletin naming the state ID with the FBI number are a resident's, and a case
    /// under both numbers finds that address; a warrant under a state ID alone does not meet
    /// an address registered under the FBI number.
    static func residentsUnderTheOtherNumber(_ view: View) async throws {
        let transferee = E.person(nil, fbiNumber: "63000F")
        let known = E.person("MO1000063", fbiNumber: "63000F")
        try await view.apply(
            try E.caseStarted("C-FBI", transferee, startDate: "2025-06-01"),
            try E.caseStarted("C-BOTH", known, startDate: "2025-07-01", at: nil),
            try E.warrantIssued("W-BOTH", known, issuedOn: "2026-01-15"),
            try E.bulletinPublished("MHB-BOTH", known, granted: "2025-04-20", expires: "2026-04-20"),
            try E.caseStarted("C-OTHER", E.person(nil, fbiNumber: "64000F"), startDate: "2025-06-01"),
            try E.warrantIssued("W-SID", E.person("MO1000064"), issuedOn: "2026-01-15"))

        let warrants = try await view.read { try $0.warrants(in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(warrants.map(\.warrant.warrantId) == ["W-BOTH"])
        #expect(warrants.first?.registeredAddress == E.address())
        let bulletins = try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(bulletins.map(\.bulletinId) == ["MHB-BOTH"])
        let supervisees = try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(supervisees.map(\.caseId).sorted() == ["C-BOTH", "C-FBI", "C-OTHER"])
    }

    /// `police-v2` on rows written before it, which kept only a key: an assessment and a
    /// registered address kept under `fbi:` meet a release and a warrant carrying both numbers
    /// once the step has run.
    static func rowsKeptBeforeTheNumbersStep(_ database: any StorageDatabase) async throws {
        let store = PoliceViewStore()
        let steps = ViewMigrations.of(store)
        let before = Array(steps.prefix { $0.id != "police-v2" })
        #expect(before.count < steps.count, "police-v2 is one of the steps")
        try await database.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                """
                INSERT INTO police_assessments (assessment_id, person_key, instrument, completed_at, risk_level, needs, occurred_at, event_id)
                VALUES ('A-OLD', 'fbi:65000F', 'ORAS-CST', $1, 'high', NULL, $1, 'old-assessment')
                """,
                [.integer(ViewTime.start(of: E.day("2026-01-10")))])
            try db.execute(
                """
                INSERT INTO police_addresses (event_id, case_id, person_key, effective_at, occurred_at, address, place)
                VALUES ('old-address', 'C-OLD', 'fbi:65000F', $1, $1, $2, $3)
                """,
                [.integer(ViewTime.start(of: E.day("2025-06-01"))), try StoredColumn.json(E.address()), .text(E.kansasCity.key)])
        }
        let view = try await ReleaseViewHarness(store, tables: store.tables, on: database)  // runs the rest
        let known = E.person("MO1000065", fbiNumber: "65000F")
        try await view.apply(try E.scheduled("R-OLD", known, expectedAt: E.later(days: 20)), try E.warrantIssued("W-OLD", known))
        let release = try #require(try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }.first)
        #expect(release.latestAssessment?.assessmentId == "A-OLD")
        #expect(try await view.read { try $0.warrants(in: [E.kansasCity], asOf: E.asOf, in: $1) }.map(\.warrant.warrantId) == ["W-OLD"])
    }

    /// A change moves a release out of the window and back, or to another city; a cancellation
    /// and a completion take it off.
    static func releasesEnterAndLeaveByTheirEvents(_ view: View) async throws {
        let (a, b) = (E.person("MO1000001"), E.person("MO1000002"))
        try await view.apply(try E.scheduled("R-1", a, expectedAt: E.later(days: 30)), try E.scheduled("R-2", b, expectedAt: E.later(days: 20)))
        #expect(try await releaseIds(view) == ["R-2", "R-1"])

        try await view.apply(try E.changed("R-1", a, expectedAt: E.later(days: 70), occurredAt: E.instant("2026-02-10T10:00:00Z")))
        #expect(try await releaseIds(view) == ["R-2"])
        try await view.apply(try E.changed("R-1", a, expectedAt: E.later(days: 40), occurredAt: E.instant("2026-02-11T10:00:00Z"), id: "back"))
        let back = try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(back.map(\.releaseId) == ["R-2", "R-1"])
        #expect(back.last?.status == .changed)
        #expect(back.last?.expectedAt == E.later(days: 40))

        try await view.apply(try E.changed("R-1", a, to: E.address(city: "ST LOUIS"), occurredAt: E.instant("2026-02-12T10:00:00Z"), id: "moved"))
        #expect(try await releaseIds(view) == ["R-2"])
        #expect(try await releaseIds(view, into: [E.stLouis]) == ["R-1"])

        try await view.apply(try E.cancelled("R-1", a))
        #expect(try await releaseIds(view, into: [E.stLouis]) == [])
        try await view.apply(try E.completed("R-2", b, releasedAt: E.later(days: -1)))
        #expect(try await releaseIds(view) == [])
    }

    /// Out of order: a change read before the schedule it changes still moves it, and a case
    /// read after the release still shows as the person's supervision.
    static func releaseChangeReadBeforeItsSchedule(_ view: View) async throws {
        let a = E.person("MO1000001")
        try await view.apply(try E.changed("R-1", a, expectedAt: E.later(days: 15)))
        #expect(try await releaseIds(view) == [])  // no facility or destination known yet
        try await view.apply(try E.scheduled("R-1", a, expectedAt: E.later(days: 90)))
        let rows = try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(rows.map(\.releaseId) == ["R-1"])
        #expect(rows.first?.expectedAt == E.later(days: 15))
        #expect(rows.first?.status == .changed)
        #expect(rows.first?.activeCase == nil)
        try await view.apply(try E.caseStarted("C-1", a, startDate: "2025-01-01"))
        #expect(try await view.read { try $0.releases(into: [E.kansasCity], asOf: E.asOf, in: $1) }.first?.activeCase?.caseId == "C-1")
    }

    /// Active warrants of people registered in the city: a recall, a service or a quash dated
    /// by `asOf` ends one; a move away takes the person off from the day it took effect; a
    /// resolution read before its warrant still resolves it.
    static func warrantsOfResidents(_ view: View) async throws {
        let (a, b, c, d) = (E.person("MO1000001"), E.person("MO1000002"), E.person("MO1000003"), E.person("MO1000004"))
        try await view.apply(
            try E.caseStarted("C-A", a), try E.caseStarted("C-B", b), try E.caseStarted("C-C", c),
            try E.warrantIssued("W-A", a, issuedOn: "2026-01-15"),
            try E.warrantIssued("W-B", b, issuedOn: "2026-01-20", kind: .probationViolation),
            try E.warrantIssued("W-D", d, issuedOn: "2026-01-20"),  // no registered address
            try E.warrantQuashed("W-C", c, on: "2026-01-25"),  // read before its warrant
            try E.warrantIssued("W-C", c, issuedOn: "2026-01-22"))
        func warrants(_ asOf: Date) async throws -> [String] {
            try await view.read { try $0.warrants(in: [E.kansasCity], asOf: asOf, in: $1) }.map(\.warrant.warrantId)
        }
        #expect(try await warrants(E.asOf) == ["W-A", "W-B"])
        #expect(try await warrants(E.instant("2026-01-14T23:59:59Z")) == [])
        #expect(try await warrants(E.instant("2026-01-22T12:00:00Z")) == ["W-A", "W-B", "W-C"])
        let row = try #require(try await view.read { try $0.warrants(in: [E.kansasCity], asOf: E.asOf, in: $1) }.last)
        #expect(row.warrant.kind == .probationViolation)
        #expect(row.warrant.issuingAgencyId == "MO-JACKSON-CC")
        #expect(row.warrant.charges.map(\.code) == ["575.150"])
        #expect(row.registeredAddress == E.address())
        #expect(row.person.stateId == "MO1000002")

        try await view.apply(try E.warrantRecalled("W-A", a, on: "2026-02-15"), try E.warrantServed("W-B", b, at: E.later(days: 2)))
        #expect(try await warrants(E.asOf) == ["W-B"])
        #expect(try await warrants(E.instant("2026-02-14T12:00:00Z")) == ["W-A", "W-B"])
        #expect(try await warrants(E.later(days: 2)) == [])

        try await view.apply(try E.addressChanged("C-B", b, to: E.address(city: "St Louis"), effective: "2026-02-25"))
        #expect(try await warrants(E.asOf) == [])
        #expect(try await warrants(E.instant("2026-02-24T12:00:00Z")) == ["W-B"])
        #expect(try await view.read { try $0.warrants(in: [E.stLouis], asOf: E.asOf, in: $1) }.map(\.warrant.warrantId) == ["W-B"])
    }

    /// People under supervision living in the city, with only the conditions police need;
    /// conditions set before the case was read still apply; a later list replaces it from its
    /// effective day; a reassignment changes the officer; an ended case leaves after its end day.
    static func superviseesWithTheConditionsPoliceNeed(_ view: View) async throws {
        let (a, b) = (E.person("MO1000001"), E.person("MO1000002"))
        try await view.apply(try E.conditionsSet("C-A", a, [.reporting, .curfew, .noContact, .drugTesting, .electronicMonitoring], effective: "2025-06-01"))
        #expect(try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.asOf, in: $1) }.isEmpty)
        try await view.apply(
            try E.caseStarted("C-A", a, startDate: "2025-06-01"),
            try E.caseStarted("C-B", b, startDate: "2026-03-10"))  // not started yet at asOf

        var rows = try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(rows.map(\.caseId) == ["C-A"])
        #expect(rows.first?.conditions.map(\.kind) == [.curfew, .noContact, .electronicMonitoring])
        #expect(rows.first?.conditions.first { $0.kind == .noContact }?.description == "No contact with the victim, T. Moss")
        #expect(rows.first?.officer?.officerId == "PP-KC-118")
        #expect(rows.first?.registeredAddress == E.address())
        #expect(rows.first?.supervisionType == .parole)
        #expect(rows.first?.startOn == E.day("2025-06-01"))

        try await view.apply(
            try E.conditionsSet("C-A", a, [.reporting, .exclusionZone], effective: "2026-03-15"),
            try E.officerAssigned("C-A", a, Officer(officerId: "PP-KC-204", name: "Officer Diaz"), at: E.instant("2026-02-01T09:00:00Z")))
        rows = try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(rows.first?.conditions.map(\.kind) == [.curfew, .noContact, .electronicMonitoring])
        #expect(rows.first?.officer?.officerId == "PP-KC-204")
        rows = try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.instant("2026-03-20T12:00:00Z"), in: $1) }
        #expect(rows.map(\.caseId) == ["C-A", "C-B"])
        #expect(rows.first?.conditions.map(\.kind) == [.exclusionZone])
        #expect(rows.last?.conditions == [])

        try await view.apply(try E.caseEnded("C-A", a, endDate: "2026-03-18"))
        #expect(try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.instant("2026-03-20T12:00:00Z"), in: $1) }.map(\.caseId) == ["C-B"])
        #expect(try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.instant("2026-03-17T12:00:00Z"), in: $1) }.map(\.caseId) == ["C-A", "C-B"])
        // The end day itself is still under supervision (UTC days, as the caseload and the
        // router count it): police keep the conditions through it.
        for lastDay in ["2026-03-18T00:00:00Z", "2026-03-18T23:59:59Z"] {
            #expect(try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.instant(lastDay), in: $1) }.map(\.caseId) == ["C-A", "C-B"], "\(lastDay)")
        }
        #expect(try await view.read { try $0.supervisees(in: [E.kansasCity], asOf: E.instant("2026-03-19T00:00:00Z"), in: $1) }.map(\.caseId) == ["C-B"])
        #expect(try await view.read { try $0.supervisees(in: [E.stLouis], asOf: E.asOf, in: $1) }.isEmpty)
    }

    /// A bulletin shows from its consent's grant day through its expiry day (UTC) for people
    /// registered in the city; a bulletin read before the person's case shows once it is read.
    static func bulletinsWhileConsentIsInForce(_ view: View) async throws {
        let (a, b) = (E.person("MO1000001"), E.person("MO1000002"))
        try await view.apply(
            try E.bulletinPublished("MHB-A", a, granted: "2025-04-20", expires: "2026-04-20"),
            try E.bulletinPublished("MHB-B", b, granted: "2026-03-05", expires: "2027-03-05"))
        func bulletins(_ asOf: Date) async throws -> [String] {
            try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: asOf, in: $1) }.map(\.bulletinId)
        }
        #expect(try await bulletins(E.asOf) == [])  // nobody registered yet
        try await view.apply(try E.caseStarted("C-A", a), try E.caseStarted("C-B", b))
        #expect(try await bulletins(E.asOf) == ["MHB-A"])
        #expect(try await bulletins(E.instant("2026-04-20T23:59:59Z")) == ["MHB-A", "MHB-B"])
        #expect(try await bulletins(E.instant("2026-04-21T00:00:00Z")) == ["MHB-B"])
        #expect(try await bulletins(E.instant("2026-03-04T23:59:59Z")) == ["MHB-A"])
        #expect(try await bulletins(E.instant("2026-03-05T00:00:00Z")) == ["MHB-A", "MHB-B"])
        #expect(try await view.read { try $0.bulletins(for: "MO-SLMPD", in: [E.stLouis], asOf: E.asOf, in: $1) }.isEmpty)

        let row = try #require(try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.asOf, in: $1) }.first)
        #expect(row.consent.scope == E.policeScope)
        #expect(row.baseline.triggers == ["Raised voices"])
        #expect(row.keyContacts.map(\.phone) == ["+1 816 555 0142"])
        #expect(row.person.stateId == "MO1000001")
    }

    /// A withdrawal deletes the bulletin, whatever moment is asked about; a version published
    /// before the withdrawal and read after it is not stored again; a later version is.
    static func withdrawnBulletinIsDeleted(_ view: View) async throws {
        let a = E.person("MO1000001")
        try await view.apply(try E.caseStarted("C-A", a), try E.bulletinPublished("MHB-A", a, occurredAt: E.instant("2025-04-21T10:00:00Z")))
        #expect(try await view.count("police_bulletins") == 1)
        try await view.apply(try E.bulletinWithdrawn("MHB-A", nil, occurredAt: E.instant("2025-09-01T10:00:00Z")))  // names nobody: still applied
        #expect(try await view.count("police_bulletins") == 0)
        #expect(try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.instant("2025-05-01T00:00:00Z"), in: $1) }.isEmpty)

        try await view.apply(try E.bulletinPublished("MHB-A", a, occurredAt: E.instant("2025-08-01T10:00:00Z"), id: "older-version"))
        #expect(try await view.count("police_bulletins") == 0)

        try await view.apply(try E.bulletinPublished(
            "MHB-A", a, granted: "2025-10-01", expires: "2026-10-01", occurredAt: E.instant("2025-10-01T10:00:00Z"), id: "renewed"))
        let rows = try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.asOf, in: $1) }
        #expect(rows.map(\.consent.grantedOn) == [E.day("2025-10-01")])
    }

    /// A bulletin whose consent does not allow police, or is in force on no day, is refused
    /// naming the field, and no table changes.
    static func poisonBulletinLeavesTablesUnchanged(_ view: View) async throws {
        let a = E.person("MO1000001")
        try await view.apply(try E.caseStarted("C-A", a), try E.bulletinPublished("MHB-A", a))
        let before = try await view.snapshot()

        let treatmentOnly = try await view.applyExpectingPoison(
            try E.bulletinPublished("MHB-A", a, scope: "ReDiscover treatment team only", occurredAt: E.instant("2025-06-01T10:00:00Z"), id: "treatment"))
        #expect(treatmentOnly?.reason.contains("payload.consent.scope") == true)
        let backwards = try await view.applyExpectingPoison(
            try E.bulletinPublished("MHB-B", a, granted: "2026-01-10", expires: "2026-01-09", id: "backwards"))
        #expect(backwards?.reason.contains("payload.consent.expiresOn") == true)
        let nobody = try await view.applyExpectingPoison(try E.bulletinPublished("MHB-C", E.nobody))
        #expect(nobody?.reason == "subject.stateId and subject.fbiNumber are both missing or say there is none (\"UNKNOWN\", zeros)")
        // A number that says there is none names nobody either.
        let unknown = try await view.applyExpectingPoison(
            try E.bulletinPublished("MHB-D", SubjectIdentifiers(stateId: "UNKNOWN", fbiNumber: "000000000"), id: "unknown"))
        #expect(unknown?.reason == PersonKey.missingIdentifiers)

        #expect(try await view.snapshot() == before)
        #expect(try await view.read { try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.asOf, in: $1) }.map(\.consent.scope) == [E.policeScope])
        #expect(BulletinConsentRule.allowsPolice("Sheriff's deputies; LAW   ENFORCEMENT crisis teams"))
        #expect(!BulletinConsentRule.allowsPolice("Treatment providers and the supervising officer"))
    }

    /// Person-keyed facts naming nobody are refused and leave nothing behind.
    static func eventNamingNobodyIsPoison(_ view: View) async throws {
        let before = try await view.snapshot()
        for event in [
            try E.scheduled("R-X", E.nobody, expectedAt: E.later(days: 5)), try E.caseStarted("C-X", E.nobody),
            try E.warrantIssued("W-X", E.nobody), try E.assessment("A-X", E.nobody, risk: .high, completedOn: "2026-01-01"),
        ] {
            #expect(try await view.applyExpectingPoison(event)?.reason == PersonKey.missingIdentifiers)
        }
        #expect(try await view.snapshot() == before)
    }

    /// Every event applied a second time (a redelivery) changes no row and no answer.
    static func sameEventsTwiceChangeNothing(_ view: View) async throws {
        let a = E.person("MO1000001")
        let events = [
            try E.scheduled("R-1", a, expectedAt: E.later(days: 10)), try E.changed("R-1", a, expectedAt: E.later(days: 12)),
            try E.caseStarted("C-A", a), try E.conditionsSet("C-A", a, [.curfew], effective: "2025-07-01"),
            try E.addressChanged("C-A", a, to: E.address("9 Troost Ave"), effective: "2025-08-01"),
            try E.officerAssigned("C-A", a, Officer(officerId: "PP-KC-204", name: "Officer Diaz"), at: E.instant("2025-09-01T09:00:00Z")),
            try E.assessment("A-1", a, risk: .high, completedOn: "2026-01-10"), try E.warrantIssued("W-1", a),
            try E.warrantRecalled("W-1", a, on: "2026-04-01"), try E.bulletinPublished("MHB-A", a),
        ]
        for event in events { try await view.apply(event) }
        let once = try await view.snapshot()
        let answer = try await view.read { try $0.view(of: [E.kansasCity], for: "MO-KCPD", asOf: E.asOf, in: $1) }
        for event in events { try await view.apply(event) }
        #expect(try await view.snapshot() == once)
        #expect(try await view.read { try $0.view(of: [E.kansasCity], for: "MO-KCPD", asOf: E.asOf, in: $1) } == answer)
        #expect(answer.releases.count == 1 && answer.warrants.count == 1 && answer.supervisees.count == 1 && answer.bulletins.count == 1)
        #expect(answer.supervisees.first?.registeredAddress.line1 == "9 Troost Ave")
    }
}

@Suite struct PoliceViewOnSQLiteTests {
    @Test(arguments: PoliceViewScenario.allCases)
    func scenario(_ scenario: PoliceViewScenario) async throws {
        try await scenario.run(on: try ReleaseViewDatabases.sqlite())
    }
}
