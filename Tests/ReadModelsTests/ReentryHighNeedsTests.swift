import Contracts
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// The high-needs list's scenarios, each written once and run on SQLite (here) and PostgreSQL
/// (`ReleaseViewsOnPostgresTests`).
enum HighNeedsScenario: String, CaseIterable, Sendable {
    case listEntersOnDay60AndLeavesOnDay61
    case eachRowSaysWhichRulesApplied
    case incidentsCountForTwelveMonths
    case assessmentsAndReleaseEventsMoveTheList
    case laterIncidentReportReplacesItsPeople
    case factsReadBeforeTheRelease
    case factsNamingTheOtherNumberCount
    case rowsKeptBeforeTheNumbersStep
    case eventNamingNobodyIsPoison
    case sameEventsTwiceChangeNothing

    typealias E = ReleaseTestEvents
    typealias View = ReleaseViewHarness<HighNeedsStore>

    func run(on database: any StorageDatabase) async throws {
        if self == .rowsKeptBeforeTheNumbersStep { return try await Self.rowsKeptBeforeTheNumbersStep(database) }
        let store = HighNeedsStore()
        let view = try await ReleaseViewHarness(store, tables: store.tables, on: database)
        switch self {
        case .listEntersOnDay60AndLeavesOnDay61: try await Self.listEntersOnDay60AndLeavesOnDay61(view)
        case .eachRowSaysWhichRulesApplied: try await Self.eachRowSaysWhichRulesApplied(view)
        case .incidentsCountForTwelveMonths: try await Self.incidentsCountForTwelveMonths(view)
        case .assessmentsAndReleaseEventsMoveTheList: try await Self.assessmentsAndReleaseEventsMoveTheList(view)
        case .laterIncidentReportReplacesItsPeople: try await Self.laterIncidentReportReplacesItsPeople(view)
        case .factsReadBeforeTheRelease: try await Self.factsReadBeforeTheRelease(view)
        case .factsNamingTheOtherNumberCount: try await Self.factsNamingTheOtherNumberCount(view)
        case .rowsKeptBeforeTheNumbersStep: break  // above, before the harness migrates
        case .eventNamingNobodyIsPoison: try await Self.eventNamingNobodyIsPoison(view)
        case .sameEventsTwiceChangeNothing: try await Self.sameEventsTwiceChangeNothing(view)
        }
    }

    static func list(_ view: View, asOf: Date = E.asOf) async throws -> [HighNeedsRow] {
        try await view.read { try $0.highNeeds(asOf: asOf, in: $1) }
    }

    static func ids(_ view: View, asOf: Date = E.asOf) async throws -> [String] {
        try await list(view, asOf: asOf).map(\.releaseId)
    }

    /// A release under the state ID that carries the FBI number meets an incident (version 2)
    /// and an assessment naming the person by the FBI number alone; the latest assessment is
    /// the latest under either number; an incident naming the person once by each number
    /// counts once. A release without the FBI number does not meet an incident naming only it.
    static func factsNamingTheOtherNumberCount(_ view: View) async throws {
        let victim = E.person("MO3000051", fbiNumber: "51000F")
        let assessed = E.person("MO3000052", fbiNumber: "52000F")
        let unpaired = E.person("MO3000053")
        try await view.apply(
            try E.scheduled("R-VICTIM", victim, expectedAt: E.later(days: 10)),
            try E.scheduled("R-ASSESSED", assessed, expectedAt: E.later(days: 11)),
            try E.scheduled("R-UNPAIRED", unpaired, expectedAt: E.later(days: 12)),
            try E.incident("I-FBI", at: E.instant("2026-01-05T02:00:00Z"), victimsByFBINumber: ["51000F", "53000F"]),
            try E.incident("I-BOTH", at: E.instant("2026-01-06T02:00:00Z"), victims: ["MO3000051"], victimsByFBINumber: ["51000F"]),
            try E.assessment("A-SID", E.person("MO3000052"), risk: .moderate, completedOn: "2026-01-10"),
            try E.assessment("A-FBI", E.person(nil, fbiNumber: "52000F"), risk: .high, completedOn: "2026-02-20"))

        let rows = try await list(view)
        #expect(rows.map(\.releaseId) == ["R-VICTIM", "R-ASSESSED"])
        let victimRow = try #require(rows.first)
        #expect(victimRow.reasons == [.violentIncidentVictim])
        #expect(victimRow.incidents.map(\.incidentId) == ["I-FBI", "I-BOTH"])
        let assessedRow = try #require(rows.last)
        #expect(assessedRow.reasons == [.highRisk])
        #expect(assessedRow.latestAssessment?.assessmentId == "A-FBI")
        // Before the assessment under the FBI number, the one under the state ID is the latest.
        let earlier = try await list(view, asOf: E.instant("2026-02-10T12:00:00Z"))
        #expect(earlier.map(\.releaseId) == ["R-VICTIM"])
    }

    /// `reentry-v2` on rows written before it, which kept only a key: an assessment kept under
    /// `fbi:` and an incident naming the person under `sid:` meet a release carrying both
    /// numbers once the step has run.
    static func rowsKeptBeforeTheNumbersStep(_ database: any StorageDatabase) async throws {
        let store = HighNeedsStore()
        let steps = ViewMigrations.of(store)
        let before = Array(steps.prefix { $0.id != "reentry-v2" })
        #expect(before.count < steps.count, "reentry-v2 is one of the steps")
        let incidentAt = ViewTime.milliseconds(E.instant("2026-01-05T02:00:00Z"))
        try await database.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                """
                INSERT INTO reentry_assessments (assessment_id, person_key, instrument, completed_at, risk_level, needs, occurred_at, event_id)
                VALUES ('A-OLD', 'fbi:71000F', 'ORAS-CST', $1, 'high', NULL, $1, 'old-assessment')
                """,
                [.integer(ViewTime.start(of: E.day("2026-01-10")))])
            try db.execute(
                "INSERT INTO reentry_incidents (incident_id, incident_kind, incident_at, occurred_at, event_id) VALUES ('I-OLD', 'shooting', $1, $1, 'old-incident')",
                [.integer(incidentAt)])
            try db.execute("INSERT INTO reentry_incident_people (incident_id, person_key, role) VALUES ('I-OLD', 'sid:MO3000071', 'suspect')")
        }
        let view = try await ReleaseViewHarness(store, tables: store.tables, on: database)  // runs the rest
        try await view.apply(try E.scheduled("R-OLD", E.person("MO3000071", fbiNumber: "71000F"), expectedAt: E.later(days: 10)))
        let row = try #require(try await list(view).first)
        #expect(row.reasons == [.highRisk, .violentIncidentSuspect])
        #expect(row.latestAssessment?.assessmentId == "A-OLD")
        #expect(row.incidents.map(\.incidentId) == ["I-OLD"])
    }

    static func listEntersOnDay60AndLeavesOnDay61(_ view: View) async throws {
        let (a, b, c) = (E.person("MO3000001"), E.person("MO3000002"), E.person("MO3000003"))
        try await view.apply(
            try E.scheduled("R-DAY60", a, expectedAt: E.later(days: 60, hours: 8)),
            try E.scheduled("R-DAY61", b, expectedAt: E.later(days: 60, hours: 9.5)),
            try E.scheduled("R-TODAY", c, expectedAt: E.later(days: 0, hours: -9)),
            try E.assessment("A-A", a, risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-B", b, risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-C", c, risk: .veryHigh, completedOn: "2026-01-10"))
        #expect(try await ids(view) == ["R-TODAY", "R-DAY60"])
        #expect(try await ids(view, asOf: E.later(days: 1)) == ["R-DAY60", "R-DAY61"])
        #expect(try await view.read { try $0.highNeeds(asOf: E.asOf, withinDays: 0, in: $1) }.map(\.releaseId) == ["R-TODAY"])
    }

    static func eachRowSaysWhichRulesApplied(_ view: View) async throws {
        let p = (1...8).map { E.person("MO300001\($0)") }
        for (index, person) in p.enumerated() {
            try await view.apply(try E.scheduled("R-\(index + 1)", person, expectedAt: E.later(days: Double(10 + index))))
        }
        try await view.apply(
            try E.assessment("A-1", p[0], risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-2", p[1], risk: .veryHigh, completedOn: "2026-01-10", needs: [
                AssessedNeed(domain: .mentalHealth, level: .high), AssessedNeed(domain: .housing, level: .moderate),
            ]),
            try E.assessment("A-3", p[2], risk: .low, completedOn: "2026-01-10", needs: [AssessedNeed(domain: .housing, level: .veryHigh)]),
            try E.assessment("A-4", p[3], risk: .moderate, completedOn: "2026-01-10"),
            try E.assessment("A-6", p[5], risk: .moderate, completedOn: "2026-01-10", needs: [AssessedNeed(domain: .employment, level: .moderate)]),
            try E.incident("I-1", at: E.instant("2025-12-01T02:00:00Z"), victims: ["MO3000014"], suspects: ["MO3000015"]),
            try E.incident("I-2", at: E.instant("2025-10-01T02:00:00Z"), victims: ["MO3000018"]),
            try E.incident("I-3", at: E.instant("2026-01-01T02:00:00Z"), suspects: ["MO3000018"]))

        let rows = try await list(view)
        #expect(rows.map(\.releaseId) == ["R-1", "R-2", "R-3", "R-4", "R-5", "R-8"])
        #expect(rows.map(\.reasons) == [
            [.highRisk], [.highRisk, .highNeeds], [.highNeeds], [.violentIncidentVictim], [.violentIncidentSuspect],
            [.violentIncidentVictim, .violentIncidentSuspect],
        ])
        #expect(rows[1].highNeeds == [AssessedNeed(domain: .mentalHealth, level: .high)])
        #expect(rows[1].latestAssessment?.needs.count == 2)
        #expect(rows[2].latestAssessment?.riskLevel == .low)
        #expect(rows[3].incidents.map(\.incidentId) == ["I-1"])
        #expect(rows[3].latestAssessment?.riskLevel == .moderate)
        #expect(rows[4].latestAssessment == nil)
        #expect(rows[5].incidents.map(\.incidentId) == ["I-2", "I-3"])
        #expect(rows[5].incidents.map(\.role) == [.victim, .suspect])
        #expect(rows[5].incidents.first?.kind == .shooting)
        #expect(rows[0].facility == E.werdcc && rows[0].person.stateId == "MO3000011")
    }

    /// An incident at the same time of day 12 calendar months before `asOf` counts, a second
    /// earlier does not, and one after `asOf` does not yet.
    static func incidentsCountForTwelveMonths(_ view: View) async throws {
        let (a, b, c) = (E.person("MO3000021"), E.person("MO3000022"), E.person("MO3000023"))
        try await view.apply(
            try E.scheduled("R-A", a, expectedAt: E.later(days: 20)),
            try E.scheduled("R-B", b, expectedAt: E.later(days: 20)),
            try E.scheduled("R-C", c, expectedAt: E.later(days: 20)),
            try E.incident("I-A", at: E.instant("2025-03-01T15:00:00Z"), victims: ["MO3000021"]),
            try E.incident("I-B", at: E.instant("2025-03-01T14:59:59Z"), victims: ["MO3000022"]),
            try E.incident("I-C", at: E.later(days: 0, hours: 1), victims: ["MO3000023"]))
        #expect(try await ids(view) == ["R-A"])
        #expect(try await ids(view, asOf: E.later(days: 0, hours: 1)) == ["R-C"])
        #expect(try await ids(view, asOf: E.instant("2026-03-01T14:59:59Z")) == ["R-A", "R-B"])
    }

    static func assessmentsAndReleaseEventsMoveTheList(_ view: View) async throws {
        let (a, b, c) = (E.person("MO3000031"), E.person("MO3000032"), E.person("MO3000033"))
        try await view.apply(
            try E.scheduled("R-A", a, expectedAt: E.later(days: 20)),
            try E.scheduled("R-B", b, expectedAt: E.later(days: 21)),
            try E.scheduled("R-C", c, expectedAt: E.later(days: 22)),
            try E.assessment("A-A1", a, risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-B", b, risk: .high, completedOn: "2026-01-10"),
            try E.assessment("A-C", c, risk: .high, completedOn: "2026-01-10"))
        #expect(try await ids(view) == ["R-A", "R-B", "R-C"])

        try await view.apply(try E.assessment("A-A2", a, risk: .moderate, completedOn: "2026-02-20"))
        #expect(try await ids(view) == ["R-B", "R-C"])
        #expect(try await view.read { try $0.highNeeds(asOf: E.instant("2026-02-19T12:00:00Z"), withinDays: 90, in: $1) }.map(\.releaseId) == ["R-A", "R-B", "R-C"])

        try await view.apply(try E.cancelled("R-B", b), try E.changed("R-C", c, expectedAt: E.later(days: 75)))
        #expect(try await ids(view) == [])
        try await view.apply(try E.scheduled("R-D", c, expectedAt: E.later(days: 5), id: "second-release"))
        try await view.apply(try E.completed("R-D", c, releasedAt: E.later(days: 0, hours: -1)))
        #expect(try await ids(view) == [])
    }

    /// A later report of an incident replaces the people it names; an earlier report read
    /// after it changes nothing; people named without a state ID are not kept.
    static func laterIncidentReportReplacesItsPeople(_ view: View) async throws {
        let (a, b) = (E.person("MO3000041"), E.person("MO3000042"))
        try await view.apply(try E.scheduled("R-A", a, expectedAt: E.later(days: 5)), try E.scheduled("R-B", b, expectedAt: E.later(days: 6)))
        let at = E.instant("2026-01-20T03:00:00Z")
        let first = try E.incident("I-1", at: at, suspects: ["MO3000041"], unnamed: 2, reportedAt: E.instant("2026-01-20T05:00:00Z"), id: "report-1")
        let second = try E.incident("I-1", at: at, suspects: ["MO3000042"], reportedAt: E.instant("2026-01-21T05:00:00Z"), id: "report-2")
        try await view.apply(first)
        #expect(try await ids(view) == ["R-A"])
        #expect(try await view.count("reentry_incident_people") == 1)
        try await view.apply(second)
        #expect(try await ids(view) == ["R-B"])
        try await view.apply(first)
        #expect(try await ids(view) == ["R-B"])
    }

    /// Out of order: an assessment and an incident read before the release count once it is.
    static func factsReadBeforeTheRelease(_ view: View) async throws {
        let (a, b) = (E.person("MO3000051"), E.person("MO3000052"))
        try await view.apply(
            try E.assessment("A-A", a, risk: .veryHigh, completedOn: "2026-01-10"),
            try E.incident("I-1", at: E.instant("2026-01-02T03:00:00Z"), victims: ["MO3000052"]))
        #expect(try await ids(view) == [])
        try await view.apply(try E.scheduled("R-B", b, expectedAt: E.later(days: 8)), try E.scheduled("R-A", a, expectedAt: E.later(days: 9)))
        #expect(try await list(view).map(\.reasons) == [[.violentIncidentVictim], [.highRisk]])
    }

    static func eventNamingNobodyIsPoison(_ view: View) async throws {
        try await view.apply(try E.scheduled("R-A", E.person("MO3000061"), expectedAt: E.later(days: 5)))
        let before = try await view.snapshot()
        #expect(try await view.applyExpectingPoison(try E.cancelled("R-A", E.nobody))?.reason == PersonKey.missingIdentifiers)
        #expect(try await view.applyExpectingPoison(try E.assessment("A-X", E.nobody, risk: .high, completedOn: "2026-01-01"))?.reason
            == PersonKey.missingIdentifiers)
        #expect(try await view.snapshot() == before)
    }

    static func sameEventsTwiceChangeNothing(_ view: View) async throws {
        let a = E.person("MO3000071")
        let events = [
            try E.scheduled("R-A", a, expectedAt: E.later(days: 5)), try E.changed("R-A", a, expectedAt: E.later(days: 7)),
            try E.assessment("A-A", a, risk: .high, completedOn: "2026-01-10", needs: [AssessedNeed(domain: .substanceUse, level: .high)]),
            try E.incident("I-1", at: E.instant("2026-01-02T03:00:00Z"), victims: ["MO3000071"], suspects: ["MO3000071"]),
        ]
        for event in events { try await view.apply(event) }
        let once = try await view.snapshot()
        let answer = try await list(view)
        for event in events { try await view.apply(event) }
        #expect(try await view.snapshot() == once)
        #expect(try await list(view) == answer)
        #expect(answer.map(\.reasons) == [[.highRisk, .highNeeds, .violentIncidentVictim, .violentIncidentSuspect]])
    }
}

@Suite struct HighNeedsOnSQLiteTests {
    @Test(arguments: HighNeedsScenario.allCases)
    func scenario(_ scenario: HighNeedsScenario) async throws {
        try await scenario.run(on: try ReleaseViewDatabases.sqlite())
    }
}
