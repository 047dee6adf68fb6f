import Contracts
import Demo
import Foundation
import GRDB
import Notifications
import Pipeline
import Routing
import ServiceKit
import TestSupport
import Storage
import Testing
import Warrants

@testable import Kafka

/// A fixed "now", so the expected notifications are the same on every run.
let scenarioNow = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15T15:06:40Z

@Suite("Pipeline end to end on the embedded broker", .enabled(if: kcatAvailable, "needs /usr/bin/kcat"))
struct EndToEndTests {
    /// Flows A, B, the variant and the release steps, published by kcat step by step; the inbox
    /// holds exactly the notifications they call for (`DemoNotificationKey.expected`). A poison
    /// message on the way is dead-lettered and the pipeline goes on.
    @Test func flowsAAndBAndTheVariant() async throws {
        try await Self.flowsAAndBAndTheVariant(on: try await TestBus())
    }

    /// `database`: the `--database` of the `view` commands (nil: the bus's data directory).
    static func flowsAAndBAndTheVariant(on bus: TestBus, database: String? = nil) async throws {
        try await within(.seconds(90), "flows A, B and the variant") {
            let router = try bus.start(.router)
            let resolver = try bus.start(.warrantResolver)
            let inbox = try bus.start(.inbox)
            let views = try bus.start(.views)
            let services: [ServiceName: RunningService] = [.router: router, .warrantResolver: resolver]
            let scenario = try DemoScenario(now: scenarioNow)
            for step in scenario.steps {
                try await bus.kcatPublish(step.event)
                await bus.waitUntilCaughtUp(services[step.readBy]!)
                if step.name == "A2 arrest" {
                    // A poison message: an arrest without charges (schema violation), with the
                    // documented headers.
                    var document = try JSONSerialization.jsonObject(with: Data(step.event.value)) as! [String: Any]
                    var payload = document["payload"] as! [String: Any]
                    payload["charges"] = nil
                    document["payload"] = payload
                    document["eventId"] = "6d1c1b5e-0000-4000-8000-000000000001"
                    var poison = step.event
                    poison.eventId = "6d1c1b5e-0000-4000-8000-000000000001"
                    try await bus.kcatPublish(poison, value: Array(try JSONSerialization.data(withJSONObject: document)))
                    await bus.waitUntilCaughtUp(router)
                }
            }
            await bus.waitUntilInboxCaughtUp(inbox, running: [router, resolver])
            await bus.waitUntilCaughtUp(views)
            let delivered = inbox.service.progress.snapshot.consumed(BusTopic.notifications)
            await views.service.progress.wait { $0.consumed(BusTopic.notifications) >= delivered }
            try await expectTheDemosViews(bus, database: database)
            try await views.stop()

            let notifications = try bus.inbox()
            #expect(notifications.count == DemoNotificationKey.expected.count)
            #expect(Set(notifications.map(DemoNotificationKey.init)) == DemoNotificationKey.expected)

            // Flow A: who, what, when, where, the arresting agency, and why.
            let arrest = try #require(notifications.first { $0.reason.rule == "supervisee-arrested" })
            let facts = Dictionary(uniqueKeysWithValues: arrest.facts.map { ($0.label, $0.value) })
            #expect(facts["who"] == "Darnell Reyes, born 1990-07-14, state ID MO1234567, FBI 734591KA2")
            #expect(facts["what"] == "arrested: Unlawful use of a weapon (felony)")
            #expect(facts["when"] == "2025-06-15T14:06:40Z")
            #expect(facts["where"] == "3100 Prospect Ave, Kansas City, MO 64128")
            #expect(facts["arresting agency"] == "MO-KCPD")
            #expect(arrest.reason.matched == [MatchedIdentifier("stateId", "MO1234567"), MatchedIdentifier("fbiNumber", "734591KA2")])
            #expect(arrest.reason.explanation.contains("PP-KC-2025-3391"))
            // Flow B: the check opened pending with the warrant listed, and is now clear.
            let pending = try #require(notifications.first { $0.reason.rule == "warrant-check-pending" })
            #expect(pending.summary.contains("1616-CR-02291-W1"))
            #expect(pending.reason.matched.contains(MatchedIdentifier("warrantId", "1616-CR-02291-W1")))
            let police = try #require(notifications.first { $0.reason.rule == "release-warrant-pending" })
            #expect(police.reason.matched.contains(MatchedIdentifier("city", "Kansas City, MO")))
            let check = try bus.read(.warrantResolver) { try WarrantResolverProjection.check("WERDCC-2025-0117", $0) }
            #expect(check?.status == "clear")
            let variantCheck = try bus.read(.warrantResolver) { try WarrantResolverProjection.check("JCDC-B-88213", $0) }
            #expect(variantCheck?.status == "pending")
            #expect(variantCheck?.scheduled == false)

            // The poison message went to the dead-letter topic with its reason, once from each
            // service that reads arrests (the router and the views); nothing else did.
            #expect(router.service.progress.snapshot.deadLettered == 1)
            #expect(views.service.progress.snapshot.deadLettered == 1)
            #expect(resolver.service.progress.snapshot.deadLettered == 0)
            let deadLetters = try await kcat(["-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.deadLetters, "-e", "-q", "-f", "%k %h\\n"])
            let lines = deadLetters.split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines {
                #expect(line.hasPrefix("MO1234567 "))
                #expect(line.contains("dead-letter-reason=invalid event"))
                #expect(line.contains("dead-letter-source=police.arrests["))
            }

            try await inbox.stop()
            try await resolver.stop()
            try await router.stop()
            // A graceful stop leaves no outbox behind: every row was acknowledged, then removed.
            for name in [ServiceName.router, .warrantResolver] {
                #expect(try bus.read(name) { try $0.fetchOne("SELECT count(*) AS n FROM kit_outbox")?.get("n", as: Int.self) } == 0)
            }
        }
    }

    /// The router stopped mid-stream and started again on the same data directory: no
    /// duplicate, no missing notification. Then its and the inbox's data directories are
    /// deleted and everything is replayed from the beginning: same state, same inbox.
    @Test func restartThenReplayFromScratch() async throws {
        let bus = try await TestBus(maxBatchSize: 7)
        try await within(.seconds(120), "restart and replay") {
            let count = 60
            let people = (0..<count).map { index in
                SubjectIdentifiers(stateId: "MO9\(String(format: "%06d", index))", name: PersonName(given: "Person", family: "Number\(index)"))
            }
            let cases = try people.enumerated().map { index, person in
                try DemoScenario.caseStarted(person, caseId: "CASE-\(index)", officer: Officer(officerId: "PO-\(index % 7)", name: "Officer \(index % 7)"),
                                             startDate: DemoScenario.day(scenarioNow, -100), now: scenarioNow, id: ScenarioEvent.eventId("case-\(index)"))
            }
            let arrests = try people.enumerated().map { index, person in
                try DemoScenario.arrest(person, arrestId: "A-\(index)", at: scenarioNow.addingTimeInterval(Double(index)), now: scenarioNow,
                                        id: ScenarioEvent.eventId("arrest-\(index)"))
            }
            var router = try bus.start(.router)
            var inbox = try bus.start(.inbox)
            try await bus.publish(cases + Array(arrests.prefix(count / 2)))
            await bus.waitUntilCaughtUp(router)
            try await router.stop()  // the stream goes on without it
            try await bus.publish(Array(arrests.suffix(count / 2)))
            router = try bus.start(.router)
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])

            let expectedIds = Set(people.indices.map { index in
                BusNotification.id(sourceEventId: ScenarioEvent.eventId("arrest-\(index)").uuidString.lowercased(),
                                   rule: RouterProjection.rule, scope: "CASE-\(index)", recipient: .officer("PO-\(index % 7)"))
            })
            // Each case also tells Kansas City's police of its new resident (no directory here:
            // the city's fallback address): two notifications per person.
            let first = try bus.inbox()
            #expect(first.count == 2 * count)
            #expect(Set(first.filter { $0.reason.rule == RouterProjection.rule }.map(\.id)) == expectedIds)
            #expect(first.filter { $0.reason.rule == "resident-supervision-started" }.count == count)
            let sent = try bus.read(.router) { try NotificationOutbox.sent($0) }
            #expect(sent.count == 2 * count)
            // Each was produced once (a graceful stop delivers everything first), although
            // each batch's delivery overlapped the next batch's transaction.
            let produced = bus.published.withLock { $0[.router] ?? 0 }
                + (router.service.progress.snapshot.published[BusTopic.notifications] ?? 0)
            #expect(produced == 2 * count)
            #expect(router.service.progress.snapshot.duplicates == 0)
            #expect(inbox.service.progress.snapshot.duplicates == 0)
            let routerChecksum = try bus.read(.router) { try stateDigest($0) }
            let inboxChecksum = try bus.read(.inbox) { try stateDigest($0) }

            // Replay: delete both databases, start again from the beginning of every topic.
            try await inbox.stop()
            try await router.stop()
            try bus.removeDatabase(.router)
            try bus.removeDatabase(.inbox)
            router = try bus.start(.router)
            inbox = try bus.start(.inbox)
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router])
            #expect(try bus.read(.router) { try stateDigest($0) } == routerChecksum)
            #expect(try bus.read(.inbox) { try stateDigest($0) } == inboxChecksum)
            // The replayed router re-sent the same ids; the inbox kept one of each.
            #expect(try bus.inbox().count == 2 * count)
            try await inbox.stop()
            try await router.stop()
        }
    }

    /// Events in another order: a warrant recalled before the release is scheduled gives a clear
    /// check and no notification; an arrest before a case's start never notifies, not even
    /// when the case arrives after it; an arrest within the case read before the case notifies
    /// once the case arrives.
    @Test func eventsInAnotherOrder() async throws {
        let bus = try await TestBus()
        try await within(.seconds(90), "out-of-order events") {
            let router = try bus.start(.router)
            let resolver = try bus.start(.warrantResolver)
            let inbox = try bus.start(.inbox)
            let id = { (name: String) in ScenarioEvent.eventId("order/\(name)") }

            // Warrant issued and recalled, then the release scheduled.
            try await bus.kcatPublish(try DemoScenario.warrantIssued(DemoScenario.hill, warrantId: "W-RECALLED", kind: .bench,
                                                                     agency: "MO-CIRCUIT16", now: scenarioNow, id: id("issued")))
            try await bus.kcatPublish(try DemoScenario.warrantRecalled(DemoScenario.hill, warrantId: "W-RECALLED", now: scenarioNow, id: id("recalled")))
            await bus.waitUntilCaughtUp(resolver)
            try await bus.kcatPublish(try DemoScenario.releaseScheduled(
                DemoScenario.hill, releaseId: "R-AFTER-RECALL", facility: DemoScenario.werdcc,
                at: scenarioNow.addingTimeInterval(60 * 86_400), to: DemoScenario.kansasCity, now: scenarioNow, id: id("scheduled")))
            await bus.waitUntilCaughtUp(resolver)
            let check = try bus.read(.warrantResolver) { try WarrantResolverProjection.check("R-AFTER-RECALL", $0) }
            #expect(check?.status == "clear")
            #expect(try bus.read(.warrantResolver) { try NotificationOutbox.sent($0) }.isEmpty)

            // Arrest five days before the case starts, read before the case: never notifies.
            let start = DemoScenario.day(scenarioNow, -2)
            try await bus.kcatPublish(try DemoScenario.arrest(DemoScenario.reyes, arrestId: "A-BEFORE", at: scenarioNow.addingTimeInterval(-7 * 86_400),
                                                              now: scenarioNow, id: id("arrest-before")))
            // And one by a second person, inside their case, also read before their case.
            try await bus.kcatPublish(try DemoScenario.arrest(DemoScenario.grant, arrestId: "A-INSIDE", at: scenarioNow, now: scenarioNow,
                                                              id: id("arrest-inside")))
            await bus.waitUntilCaughtUp(router)
            try await bus.kcatPublish(try DemoScenario.caseStarted(DemoScenario.reyes, caseId: "CASE-R", officer: DemoScenario.brooks,
                                                                   startDate: start, now: scenarioNow, id: id("case-reyes")))
            try await bus.kcatPublish(try DemoScenario.caseStarted(DemoScenario.grant, caseId: "CASE-G", officer: Officer(officerId: "PP-KC-200", name: "P.O. Lee"),
                                                                   startDate: start, now: scenarioNow, id: id("case-grant")))
            await bus.waitUntilCaughtUp(router)
            // A later arrest of the first person, inside the case: this one notifies.
            try await bus.kcatPublish(try DemoScenario.arrest(DemoScenario.reyes, arrestId: "A-AFTER", at: scenarioNow, now: scenarioNow,
                                                              id: id("arrest-after")))
            await bus.waitUntilCaughtUp(router)
            await bus.waitUntilInboxCaughtUp(inbox, running: [router, resolver])

            let notifications = try bus.inbox()
            // The release notices of the router (no directory here: Kansas City's fallback address).
            #expect(Set(notifications.map { "\($0.recipient) \($0.sourceEventId)" }) == [
                "officer:PP-KC-118 \(id("arrest-after").uuidString.lowercased())",
                "officer:PP-KC-200 \(id("arrest-inside").uuidString.lowercased())",
                "agency:MO-DOC-PP \(id("scheduled").uuidString.lowercased())",
                "agency:police:MO:Kansas City \(id("scheduled").uuidString.lowercased())",
                // Both cases are registered in Kansas City: its police learn of each new resident.
                "agency:police:MO:Kansas City \(id("case-reyes").uuidString.lowercased())",
                "agency:police:MO:Kansas City \(id("case-grant").uuidString.lowercased())",
            ])
            #expect(notifications.count == 6)
            try await inbox.stop()
            try await resolver.stop()
            try await router.stop()
        }
    }
}

/// The same flows with every service's state in PostgreSQL 15 (a schema each, in a private
/// cluster); skipped, saying why, where PostgreSQL or kcat is not installed.
@Suite(
    "Pipeline end to end on PostgreSQL", .enabled(if: kcatAvailable, "needs /usr/bin/kcat"),
    .enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct EndToEndPostgresTests {
    @Test func flowsAAndBAndTheVariant() async throws {
        let cluster = try #require(PostgresCluster.current)
        let url = cluster.url(database: try await cluster.createDatabase())
        try await EndToEndTests.flowsAAndBAndTheVariant(on: try await TestBus(postgres: try .init(url: url)), database: url)
    }
}

/// What `reentrybus view … --json` shows after the demo's flows: the officer's caseload with the
/// arrest, the facility's board with the release cleared and everyone who was told, the police
/// view of the release into Kansas City.
func expectTheDemosViews(_ bus: TestBus, database: String?) async throws {
    let source = database.map { ["--database", $0] } ?? ["--data-dir", bus.configuration.dataDirectory.path]
    let asOf = ["--as-of", EventCodec.formatInstant(scenarioNow.addingTimeInterval(3_600)), "--json"]
    func view(_ arguments: [String]) async throws -> Any {
        let (termination, process) = try await runReentrybus(["view"] + arguments + source + asOf)
        #expect(termination == .init(status: 0, bySignal: false), "\(process.errors.value)")
        return try JSONSerialization.jsonObject(with: Data(process.output.value.utf8))
    }

    let caseload = try #require(try await view(["caseload", "--officer", "PP-KC-118"]) as? [[String: Any]])
    #expect(caseload.map { $0["caseId"] as? String } == ["PP-KC-2025-3391"])
    let flags = try #require(caseload.first?["flags"] as? [[String: Any]])
    // The demo's release steps schedule a release of Reyes (R6) after his arrest.
    #expect(flags.map { $0["kind"] as? String } == ["scheduled_release", "arrest"])

    let board = try #require(try await view(["board", "--facility", "MO-DOC-WERDCC"]) as? [[String: Any]])
    #expect(board.map { $0["releaseId"] as? String } == ["WERDCC-2025-0117"])
    #expect(board.first?["warrantCheck"] as? String == "clear")
    let told = Set((board.first?["told"] as? [[String: Any]] ?? []).compactMap { $0["recipient"] as? String })
    #expect(told.isSuperset(of: ["agency:MO-CIRCUIT16", "agency:MO-KCPD", "facility:MO-DOC-WERDCC"]), "\(told)")

    let police = try #require(try await view(["releases", "--agency", "MO-KCPD"]) as? [String: Any])
    let releases = try #require(police["releases"] as? [[String: Any]])
    #expect(releases.map { $0["releaseId"] as? String } == ["WERDCC-2025-0117"])

    // Each view was a disclosure, recorded in the audit ledger beside the views: the caseload
    // is found by the supervisee's state ID, with who read it and why; the chain is whole.
    let stateId = try #require(caseload.first?["stateId"] as? String)
    let (searched, search) = try await runReentrybus(["audit", "search", "--person", stateId, "--json"] + source)
    #expect(searched == .init(status: 0, bySignal: false), "\(search.errors.value)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(search.output.value.utf8)) as? [[String: Any]])
    #expect(entries.contains { $0["resource"] as? String == "view.caseload" && $0["channel"] as? String == "cli" && $0["purpose"] as? String == "administration" })
    let (verified, verify) = try await runReentrybus(["audit", "verify"] + source)
    #expect(verified == .init(status: 0, bySignal: false), "\(verify.errors.value)")
    #expect(verify.output.value.contains("audit ledger intact: 3 entries"), "\(verify.output.value)")
}
