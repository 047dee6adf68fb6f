import Contracts
import Demo
import Foundation
import Kafka
import Notifications
import Pipeline
import PersonIndexStore
import Storage
import TestSupport
import Testing

/// Issue 19, item 3 on the embedded broker: the router, the person index and the inbox running;
/// a supervisee's case, then an arrest that names no state ID and no FBI number (police.arrests
/// v2: a records-system number, the name and the date of birth). Once the index links the
/// arrest's record to the case's, the supervising officer's inbox holds the arrest, saying how
/// sure the link is and which fields agreed. A reviewer then decides the two records are
/// different people: the officer receives a retraction naming the earlier notice, once.
///
/// The index decides the pair by its model: a link when the score clears the upper threshold,
/// otherwise a review request, which a reviewer settles with `link`. A reviewer's decision goes
/// the way an operator's does: `reentrybus persons link|distinct` publishes it on
/// `bus.person-decisions`, the running index applies it and announces the result on
/// `bus.identity` through its outbox, and the router follows.
@Suite("Routing through the person index end to end on the embedded broker")
struct PersonIndexRoutingEndToEndTests {
    static let officer = Recipient.officer(DemoScenario.brooks.officerId)
    /// Reyes as the police's records system knows him: no state ID, no FBI number.
    static let unidentified = SubjectIdentifiers(rmsNumber: "KC-25-40117", name: DemoScenario.reyes.name, dateOfBirth: DemoScenario.reyes.dateOfBirth)
    static let caseRecord = "MO-DOC-PP/doc/1198734"
    static let arrestRecord = "MO-KCPD/rms/KC-25-40117"

    @Test func anArrestWithoutAStateIdReachesTheOfficerThroughTheIndexAndAnUnlinkRetractsIt() async throws {
        let bus = try await TestBus()
        try await within(.seconds(150), "routing through the person index") {
            let router = try bus.start(.router)
            let index = try bus.start(.personIndex)
            let inbox = try bus.start(.inbox)
            let id = { (name: String) in ScenarioEvent.eventId("person-routing/\(name)") }
            try await bus.publish([
                try DemoScenario.caseStarted(
                    DemoScenario.reyes, caseId: "PP-KC-2025-77", officer: DemoScenario.brooks, startDate: DemoScenario.day(scenarioNow, -30),
                    now: scenarioNow, id: id("case")),
            ])
            await bus.waitUntilCaughtUp(index)
            await bus.waitUntilCaughtUp(router)
            try await bus.publish([try Self.arrest(id: id("arrest"))])
            await bus.waitUntilCaughtUp(index)
            var decisions = Int64(index.service.progress.snapshot.published[BusTopic.identity] ?? 0)
            await Self.untilRead(decisions, by: router)
            await bus.waitUntilCaughtUp(router)

            // The model linked the pair, or sent it to review and a reviewer links it.
            let linkedBy = try bus.read(.personIndex) { storage in
                try PersonIndexStore().personId(of: Self.arrestRecord, storage) == PersonIndexStore().personId(of: Self.caseRecord, storage)
            } ? "model score" : "decided by a reviewer"
            if linkedBy == "decided by a reviewer" {
                decisions = try await Self.decide(.link, on: bus, index: index)
                await Self.untilRead(decisions, by: router)
            }
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])
            let arrested = try bus.inbox().filter { $0.reason.rule == "supervisee-arrested" }
            #expect(arrested.map(\.recipient) == [Self.officer])
            let notice = try #require(arrested.first)
            #expect(notice.reason.matched == [MatchedIdentifier("personIndex", linkedBy == "model score" ? "model" : "human")])
            let match = try #require(notice.facts.first(where: { $0.label == "match" })?.value, "\(notice.facts)")
            #expect(match.hasPrefix(linkedBy), "\(match)")
            // The fields that agreed are named (never their values).
            #expect(match.contains("agreed: ") && match.contains("familyName") && match.contains("dateOfBirth"), "\(match)")
            #expect(!match.contains("Reyes") && !match.contains("1990"))
            #expect(notice.reason.explanation.contains("named no state ID"))

            // A reviewer decides they are different people: the officer is told, once.
            decisions = try await Self.decide(.distinct, on: bus, index: index)
            await Self.untilRead(decisions, by: router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])
            let retractions = try bus.inbox().filter { $0.reason.rule == "supervisee-arrested-retracted" }
            #expect(retractions.map(\.recipient) == [notice.recipient])
            let retraction = try #require(retractions.first)
            #expect(retraction.facts.contains(NotificationFact("retracts", notice.id)))
            #expect(retraction.summary.contains("concerned a different person"))
            #expect(router.service.progress.snapshot.deadLettered == 0)
            #expect(index.service.progress.snapshot.deadLettered == 0)
            // A decision about a record the index does not hold is refused, and the command says why.
            let (refused, refusal) = try await runReentrybus([
                "persons", "link", Self.caseRecord, "MO-KCPD/rms/KC-00-00000", "--by", "analyst.e2e",
                "--bootstrap", bus.kafka.bootstrapServers, "--dir", topicsDirectory.path, "--connect-timeout", "20", "--log-level", "error",
            ])
            #expect(refused.status == 1)
            #expect(refusal.errors.value.contains("the person index refused the decision") && refusal.errors.value.contains("no record MO-KCPD/rms/KC-00-00000"),
                    "\(refusal.errors.value)")
            #expect(index.service.progress.snapshot.deadLettered == 1)
            // The reviewers' decisions are in the index's own record of who decided what.
            let recorded = try bus.read(.personIndex) { storage in try PersonIndexStore().decisions(Self.caseRecord, Self.arrestRecord, storage) }
            #expect(recorded.last?.kind == .distinct && recorded.last?.decidedBy == "analyst.e2e", "\(recorded)")
            try await index.stop()
            try await inbox.stop()
            try await router.stop()
        }
    }

    /// Waits until `router` has read `count` identity decisions.
    static func untilRead(_ count: Int64, by router: RunningService) async {
        await router.service.progress.wait { $0.consumed(BusTopic.identity) >= count }
    }

    /// The arrest as a v2 event: keyed `rms:MO-KCPD:…` (`SubjectKey`), no state ID to match on.
    static func arrest(id: UUID) throws -> ScenarioEvent {
        var event = try ScenarioEvent(topic: "police.arrests", EventEnvelope(
            eventId: id, occurredAt: scenarioNow, recordedAt: scenarioNow, source: SourceAgency(agencyId: "MO-KCPD", agencyKind: .police),
            subject: unidentified,
            payload: ArrestMade(
                arrestId: "KCPD-A-40117", arrestedAt: scenarioNow, arrestingAgencyId: "MO-KCPD",
                location: Location(address: Address(line1: "3100 Prospect Ave", city: "Kansas City", state: "MO", postalCode: "64128")),
                charges: [Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony)])))
        event.schemaVersion = 2
        return event
    }

    /// A reviewer's decision about the arrest's and the case's records, as an operator makes it:
    /// `reentrybus persons KIND A B --by …` against the running cluster. Returns how many
    /// `bus.identity` events the index has published once it applied the decision.
    static func decide(_ kind: HumanDecision.Kind, on bus: TestBus, index: RunningService) async throws -> Int64 {
        let before = index.service.progress.snapshot
        let applied = before.consumed(PersonDecision.topic)
        let published = before.published[BusTopic.identity] ?? 0
        let (status, process) = try await runReentrybus([
            "persons", kind.rawValue, arrestRecord, caseRecord, "--by", "analyst.e2e",
            "--bootstrap", bus.kafka.bootstrapServers, "--dir", topicsDirectory.path, "--connect-timeout", "20", "--log-level", "error",
        ])
        #expect(status.status == 0, "\(process.errors.value)")
        #expect(process.output.value.contains("published decision"), "\(process.output.value)")
        // The command waited for the index's verdict.
        #expect(process.output.value.contains("applied by the person index: \(kind.rawValue)"), "\(process.output.value)")
        await index.service.progress.wait { $0.consumed(PersonDecision.topic) > applied }
        // The decision's own event and at least one link, merge, split or unlink.
        await index.service.progress.wait { ($0.published[BusTopic.identity] ?? 0) >= published + 2 }
        return Int64(index.service.progress.snapshot.published[BusTopic.identity] ?? 0)
    }
}
