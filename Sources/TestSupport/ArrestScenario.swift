import Contracts
import Demo
import Foundation
import Notifications
import Routing

/// Supervisees each with a case and, within it, an arrest: 2 × `supervisees` events, and two
/// notifications each whose ids are known in advance (`BusNotification.id`) whatever the order
/// in which the router reads cases and arrests: the arrest's, for the supervising officer (the
/// arrest's event id, the rule, the case, the officer), and the case's new resident, for the
/// police of its registered address (no directory here: the city's fallback address). An inbox
/// holding exactly these ids lost nothing and holds nothing twice. The kill -9 tests on the
/// embedded and on the real broker share it.
///
/// Notifications are keyed by recipient, so each recipient's land in one partition. The
/// registered addresses spread over ``places`` cities so that no partition holds more than a few
/// thousand of them: the embedded broker keeps only about 5 MiB a partition and drops older
/// messages silently (shared/notes/embedded-broker.md). With every case in Kansas City, the
/// 10,000 notices of the kill -9 test (~600 bytes each) overfilled one partition, and an inbox
/// lagging after kills found its next offsets gone.
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
            let started = try DemoScenario.caseStarted(
                person, caseId: "RB-\(index)", officer: Officer(officerId: officer, name: "Officer \(index % 31)"),
                startDate: DemoScenario.day(now, -30), now: now, id: ScenarioEvent.eventId("\(run)/case-\(index)"),
                address: DemoScenario.address(person: index, among: Self.places))
            events.append(started)
            expected.insert(BusNotification.id(sourceEventId: started.eventId, rule: Self.residentRule, scope: "RB-\(index)",
                                               recipient: .agency("police:MO:\(DemoScenario.placeName(index % Self.places))")))
            let arrest = try DemoScenario.arrest(person, arrestId: "RBA-\(index)", at: now, now: now, id: ScenarioEvent.eventId("\(run)/arrest-\(index)"))
            events.append(arrest)
            expected.insert(BusNotification.id(sourceEventId: arrest.eventId, rule: RouterProjection.rule, scope: "RB-\(index)", recipient: .officer(officer)))
        }
        self.events = events
        self.expected = expected
    }

    public static let routerTopics = [RouterProjection.casesTopic, RouterProjection.arrestsTopic]
    /// The rule telling a place's police of a supervisee registered there (`Sources/Routing/Residents`).
    static let residentRule = "resident-supervision-started"

    /// The cities the registered addresses take in turn (`DemoScenario.address`): each one's
    /// police is a recipient.
    public static let places = DemoScenario.missouriCities.count

}
