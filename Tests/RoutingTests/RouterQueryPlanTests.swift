import Contracts
import Foundation
import Notifications
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import Routing

/// The router looks a person up at almost every event, so each such lookup must find the
/// person's rows through the person's indexes, whatever else its query asks. SQLite's planner
/// otherwise takes another index the query constrains (a status, a time window) and reads every
/// row matching that, once per event: a replay then slows down as its tables grow. It did for
/// the due releases (every scheduled release read for each case started), the active
/// subscriptions and the published bulletins, each found this way. No other statement of the
/// scenario reads a whole table either (the forgetting after each batch did, in two tables).
@Suite struct RouterQueryPlanTests {
    @Test func everyLookupOfAPersonSearchesThePersonsIndexes() async throws {
        let router = try ProjectionHarness(RouterProjection(signingKey: .random()))
        let timings = try #require(try await router.database.timeStatements())
        func apply(_ topic: String, _ event: EventEnvelope<some EventPayload>) async throws {
            try await router.apply(Events.admitted(event, topic: topic))
        }
        try await apply("reference.agencies", Events.kcpdEntry)
        try await apply(RouterProjection.subscriptionsTopic, Events.subscription(
            SubscriptionSubject(person: SubscribedPerson(stateId: "MO1000001")), subscriber: "officer:KCPD-77", kinds: [.releases, .arrests], id: "person"))
        try await apply(RouterProjection.subscriptionsTopic, Events.subscription(
            SubscriptionSubject(place: SubscribedPlace(state: "MO", place: "Kansas City")), id: "place"))
        for n in 0..<3 {
            let person = SubjectIdentifiers(
                stateId: "MO\(1_000_000 + n)", fbiNumber: "\(734_500 + n)KA2", name: PersonName(given: "Dana", family: "Roe\(n)"),
                dateOfBirth: CalendarDate("1990-07-14"))
            try await apply(BulletinRules.bulletinsTopic, Events.bulletinPublished(person, id: "bulletin-\(n)"))
            try await apply(ReleaseRules.assessmentsTopic, Events.assessment(person, risk: .high, id: "assessment-\(n)"))
            try await apply(ReleaseRules.releasesTopic, Events.releaseScheduled(person, releaseId: "R-\(n)", expected: Events.at(days: 30), id: "release-\(n)"))
            try await apply(RouterProjection.casesTopic, Events.caseStarted(person, address: Events.kansasCity, caseId: "C-\(n)", id: "case-\(n)"))
            try await apply(RouterProjection.arrestsTopic, Events.arrest(person, id: "arrest-\(n)"))
        }

        let lookups = timings.slowest(10_000).map(\.sql).filter(Self.looksUpAPerson)
        // The lookups this scenario must have exercised, among others.
        for table in ["releases_known", "subscriptions", "bulletins_current", "router_cases", "releases_assessment_history"] {
            #expect(lookups.contains { $0.contains("FROM \(table)") }, "no lookup of a person in \(table) ran")
        }
        for sql in lookups {
            let plan = try await QueryPlan.lines(of: sql, in: router.database)
            let searches = plan.filter { $0.hasPrefix("SEARCH ") || $0.hasPrefix("SCAN ") }
            // A table joined to the person's rows is searched by its primary key from them (a
            // case's officer assignments), which reads only those rows too.
            let offPerson = searches.filter {
                !($0.contains("(state_id=") || $0.contains("(fbi_number=")) && !($0.contains(" USING PRIMARY KEY (") && $0.hasSuffix(" LEFT-JOIN"))
            }
            #expect(!searches.isEmpty && offPerson.isEmpty, "\(QueryPlan.oneLine(sql))\n  plan: \(plan.joined(separator: " | "))")
        }
        // And no statement of the scenario reads a whole table, but for the agency directory a
        // bulletin's consent scope is read against (`BulletinConsentScope`: whether the scope
        // names another agency than the one serving the address decides who may see it, so every
        // agency's name is needed; reference data of a few hundred rows, read only when a person
        // with a bulletin is delivered to, not at each event).
        let reads = try await QueryPlan.wholeTableReads(
            QueryPlan.statementsReadingRows(timings), in: router.database, wideSearches: ["(status=?)"],
            allowed: [QueryPlan.AllowedRead("directory_agencies", by: "SELECT entry FROM directory_agencies WHERE status = 'active'")])
        #expect(reads.isEmpty, "\(reads.map(\.description).joined(separator: "\n"))")
    }

    /// A statement reading or changing rows (not an insert) whose condition names a person's
    /// state ID or FBI number.
    private static func looksUpAPerson(_ sql: String) -> Bool {
        let text = QueryPlan.oneLine(sql)
        guard !text.hasPrefix("INSERT"), let condition = text.range(of: " WHERE ") else { return false }
        let rest = text[condition.upperBound...]
        return rest.contains("state_id = $") || rest.contains("fbi_number = $")
    }
}
