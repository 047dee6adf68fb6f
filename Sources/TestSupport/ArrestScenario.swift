import Contracts
import Demo
import Foundation
import Notifications
import Routing

/// Supervisees each with a case and, within it, an arrest: 2 × `supervisees` events, and one
/// notification per arrest for the supervising officer, whose id is known in advance
/// (`BusNotification.id`: the arrest's event id, the rule, the case, the officer) whatever the
/// order in which the router reads cases and arrests. An inbox holding exactly these ids lost
/// nothing and holds nothing twice.
/// The kill -9 tests on the embedded and on the real broker share it.
public struct ArrestScenario: Sendable {
    public let events: [ScenarioEvent]
    public let expected: Set<String>

    /// `run` makes the event ids of one test's scenario its own.
    public init(supervisees: Int, run: String) throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        var events: [ScenarioEvent] = []
        var expected: Set<String> = []
        for index in 0..<supervisees {
            let person = SubjectIdentifiers(stateId: "MO7\(String(format: "%07d", index))", name: PersonName(given: "Real", family: "Broker\(index)"))
            let officer = "PO-\(index % 31)"
            events.append(try DemoScenario.caseStarted(
                person, caseId: "RB-\(index)", officer: Officer(officerId: officer, name: "Officer \(index % 31)"),
                startDate: DemoScenario.day(now, -30), now: now, id: ScenarioEvent.eventId("\(run)/case-\(index)")))
            let arrest = try DemoScenario.arrest(person, arrestId: "RBA-\(index)", at: now, now: now, id: ScenarioEvent.eventId("\(run)/arrest-\(index)"))
            events.append(arrest)
            expected.insert(BusNotification.id(sourceEventId: arrest.eventId, rule: RouterProjection.rule, scope: "RB-\(index)", recipient: .officer(officer)))
        }
        self.events = events
        self.expected = expected
    }

    public static let routerTopics = [RouterProjection.casesTopic, RouterProjection.arrestsTopic]
}
