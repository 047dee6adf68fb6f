import Contracts
import Demo
import Foundation
import Pipeline
import TestSupport
import Testing

/// The person index on the embedded broker: a supervision case and an arrest of the same person
/// (state ID) and a violent incident naming him as a victim without one, produced to Kafka; the
/// index's decisions read from `bus.identity` with kcat, as an operator's tool would.
///
/// An arrest without a state ID (police.arrests v2), routed to the officer through the index's
/// link, is `PersonIndexRoutingEndToEndTests`.
@Suite("Person index end to end on the embedded broker", .enabled(if: kcatAvailable, "kcat is not installed"))
struct PersonIndexEndToEndTests {
    @Test func aCaseAndAnArrestAreLinkedByTheStateIdAndAVictimWithoutOneIsScored() async throws {
        let bus = try await TestBus()
        try await within(.seconds(120), "person index end to end") {
            let index = try bus.start(.personIndex)
            let id = { (name: String) in ScenarioEvent.eventId("person-index/\(name)") }
            let reyes = DemoScenario.reyes
            try await bus.publish([
                try DemoScenario.caseStarted(reyes, caseId: "PP-2025-9", officer: nil, startDate: DemoScenario.day(scenarioNow, -30), now: scenarioNow, id: id("case")),
            ])
            await bus.waitUntilCaughtUp(index)
            try await bus.publish([
                try DemoScenario.arrest(reyes, arrestId: "KCPD-A-9", at: scenarioNow, now: scenarioNow, id: id("arrest")),
            ])
            await bus.waitUntilCaughtUp(index)
            try await bus.publish([
                try DemoScenario.violentIncident(
                    incidentId: "KCPD-I-250009", kind: .shooting, victims: [InvolvedPerson(name: reyes.name, dateOfBirth: reyes.dateOfBirth)],
                    suspects: [InvolvedPerson(name: PersonName(given: "Jamal", family: "Carter"), dateOfBirth: CalendarDate("1988-11-02"))], at: scenarioNow, now: scenarioNow, id: id("incident")),
            ])
            await bus.waitUntilCaughtUp(index)

            await index.service.progress.wait { ($0.published[BusTopic.identity] ?? 0) >= 2 }
            let values = try await kcat(["-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.identity, "-e", "-q", "-f", "%h\\t%s\\n"])
            let lines = values.split(separator: "\n").map(String.init)
            let events: [(type: String, body: [String: Any])] = try lines.map { line in
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                let type = parts[0].split(separator: ",").first { $0.hasPrefix("event-type=") }.map { String($0.dropFirst("event-type=".count)) } ?? "?"
                return (type, try #require(try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any]))
            }
            let linked = events.filter { $0.type == "bus.identity.linked" }
            // The arrest (no agency number of its own: a digest id) joins the case's record (its DOC number) by the state ID.
            let byStateId = try #require(linked.first { $0.body["decisionSource"] as? String == "strong_identifier" }, "\(lines)")
            #expect(byStateId.body["personId"] as? String == "MO-DOC-PP/doc/1198734")
            #expect(byStateId.body["linkedTo"] as? String == "MO-DOC-PP/doc/1198734")
            #expect((byStateId.body["recordId"] as? String)?.hasPrefix("MO-KCPD/p/") == true)
            #expect((byStateId.body["agreed"] as? [String])?.contains("stateId") == true)
            // The victim, named and born the same, is linked by the model or sent to review: never silently dropped.
            let victim = events.filter { event in
                [event.body["recordId"], event.body["a"], event.body["b"]].contains { ($0 as? String)?.hasPrefix("MO-KCPD/p/") == true }
                    && event.body["decisionSource"] as? String != "strong_identifier"
            }
            #expect(victim.contains { $0.type == "bus.identity.linked" || $0.type == "bus.identity.review-requested" }, "\(lines)")
            // The values compared never travel.
            #expect(!values.contains("Darnell") && !values.contains("1990-07-14"))
            try await index.stop()
        }
    }
}
