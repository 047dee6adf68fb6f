import Contracts
import Demo
import Foundation
import Notifications
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import Kafka
@testable import Pipeline

/// An expungement order for a person who is in every service's state (the demo's Darnell Reyes,
/// with every kind of event the contracts have about him, and a release under his FBI number
/// alone) leaves nothing of him in any table of
/// any database (no identifier, name or date of birth, nor the id of a record of his) — not in a view, the inbox, the router's or the resolver's reference state, nor
/// the runtime's bookkeeping — and a record about him that occurred before the order but arrives
/// after it is not kept; nor does a replay bring anything back. Another person's data stays.
@Suite("Sealing and expungement across every service (SQLite)", .enabled(if: kcatAvailable, "needs /usr/bin/kcat"))
struct SealingEndToEndTests {
    /// The order names both numbers, the state ID alone (what was filed under the FBI number
    /// alone — his release under it, the notices about it — is found through the numbers each
    /// service pairs with the state ID), or the FBI number alone (`records.sealing` version 2:
    /// the other way round).
    @Test(arguments: OrderSubject.allCases)
    func anExpungedPersonIsInNoTableOfAnyDatabaseEvenAfterAReplay(orderNames: OrderSubject) async throws {
        try await expungeEverywhere(on: try await TestBus(), orderNames: orderNames)
    }
}

/// Whom the expungement order names Reyes by.
enum OrderSubject: String, CaseIterable, Sendable {
    case bothNumbers, stateIdAlone, fbiNumberAlone
}

@Suite(
    "Sealing and expungement across every service (PostgreSQL)", .enabled(if: kcatAvailable, "needs /usr/bin/kcat"),
    .enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SealingEndToEndPostgresTests {
    @Test func anExpungedPersonIsInNoTableOfAnyDatabaseEvenAfterAReplay() async throws {
        let cluster = try #require(PostgresCluster.current)
        let url = cluster.url(database: try await cluster.createDatabase())
        try await expungeEverywhere(on: try await TestBus(postgres: try .init(url: url)), orderNames: .stateIdAlone)
    }
}

/// What identifies the demo's Darnell Reyes, as text and as a date of birth kept in milliseconds.
private let reyesIdentifiers = ["MO1234567", "734591KA2", "1198734", "Reyes", "Darnell", "1990-07-14"]
/// The ids of his own records in the contracts' examples (his case, release, detainer, arrest,
/// contacts, bulletin) and of his release under the FBI number: a row keyed by one of them is
/// derived from his records even where it names him by nothing else (an officer's assignment to
/// his case). His warrant and assessment get ids of their own here (`reyesOwnIds`): the
/// examples' are the demo's for Hill, whose records stay.
private let reyesRecordIds = [
    "PP-KC-2025-3391", "MODOC-R-20250503-0042", "KS-JOCO-D-25-118", "KCPD-A-25-018832", "KCPD-C-25-77120", "KCPD-C-25-77301",
    "MHB-KC-0193", "R-FBI-before", "R-FBI-late",
] + Array(reyesOwnIds.values)
/// Payload ids of the examples that the demo also uses for Hill, and what Reyes's records carry instead.
private let reyesOwnIds = ["warrantId": "1616-CR-02291-W1-REYES", "assessmentId": "ORAS-25-55102-REYES"]
private let reyesTexts = reyesIdentifiers + reyesRecordIds
private let reyesBirthMilliseconds: Int64 = 647_913_600_000  // 1990-07-14T00:00:00Z
/// The demo's Marcus Hill, who stays.
private let hillStateId = "MO7654321"

private func expungeEverywhere(on bus: TestBus, orderNames: OrderSubject) async throws {
    try await within(.seconds(240), "build, expunge, a late record, replay") {
        try await buildThenExpunge(on: bus, orderNames: orderNames)

        try expectNothingAboutReyes(in: bus, "after the order")
        for name in ServiceName.consumers {
            let orders = try bus.read(name) { try SealingLedger($0).orders() }
            #expect(orders.map(\.orderId) == ["SEAL-TEST-001"], "\(name)")
            if keepsPersonalData(name) { #expect((orders.first?.rowsRemoved ?? 0) > 0, "\(name) removed nothing") }
        }
        // Another person's records stay where they were.
        for name in [ServiceName.warrantResolver, .views] {
            let found = try bus.read(name) { try findOccurrences(of: [hillStateId], in: $0) }
            #expect(!found.isEmpty, "\(name) lost another person's records")
        }

        // A replay from the beginning of the topics brings nothing back.
        for name in ServiceName.consumers {
            let replay = try Replay(name, configuration: bus.configuration, options: ReplayOptions(stopTimeout: .seconds(30)), logger: quietLogger)
            _ = try await replay.run()
        }
        try expectNothingAboutReyes(in: bus, "after a replay")
    }
}

/// Every service built from the demo and every kind of event about Reyes, then the order, then
/// late records about him; every service stopped and released (its database closed) at the end.
private func buildThenExpunge(on bus: TestBus, orderNames: OrderSubject) async throws {
    var running: [ServiceName: RunningService] = [:]
    for name in ServiceName.consumers { running[name] = try bus.start(name) }
    let scenario = try DemoScenario(now: scenarioNow, run: "sealing")
    for step in scenario.steps {
        try await bus.publish([step.event])
        await bus.waitUntilCaughtUp(running[step.readBy]!)
    }
    try await bus.publish(try reyesExamples(occurredAt: scenarioNow.addingTimeInterval(-86_400), run: "before")
        + [try releaseUnderFBINumber(occurredAt: scenarioNow.addingTimeInterval(-86_400), run: "before")])
    try await waitForEveryService(bus, running)

    // Before the order, every service that keeps personal data holds something about him.
    for name in ServiceName.consumers where keepsPersonalData(name) {
        let found = try bus.read(name) { try findOccurrences(of: reyesTexts, integers: [reyesBirthMilliseconds], in: $0) }
        #expect(!found.isEmpty, "\(name) holds nothing about the person before the order: the test proves nothing")
    }
    // Each of his records' ids is kept somewhere, so that finding none after the order means something.
    var idsKept = Set<String>()
    for name in ServiceName.consumers { idsKept.formUnion(try bus.read(name) { try findOccurrences(of: reyesRecordIds, in: $0).map(\.needle) }) }
    let sentBefore = Set(reyesRecordIds).subtracting(["R-FBI-late"])  // the late release comes after the order
    #expect(idsKept == sentBefore, "kept nowhere: \(sentBefore.subtracting(idsKept).sorted())")
    // The router's copy of the index's links names his records (their ids hold his DOC number),
    // though no identity event names a subject the runtime could check.
    let linkTables = try bus.read(.router) { Set(try findOccurrences(of: reyesTexts, in: $0).map(\.table)) }
    #expect(linkTables.contains("router_person_records"), "\(linkTables)")

    try await bus.publish([try expungement(occurredAt: scenarioNow.addingTimeInterval(86_400), naming: orderNames)])
    try await waitForEveryService(bus, running)
    // Records about him that occurred before the order, read after it (a late delivery).
    try await bus.publish(try reyesExamples(occurredAt: scenarioNow.addingTimeInterval(-7_200), run: "late")
        + [try releaseUnderFBINumber(occurredAt: scenarioNow.addingTimeInterval(-7_200), run: "late")])
    try await waitForEveryService(bus, running)
    for name in ServiceName.consumers { try await running[name]!.stop() }
}

/// The feeds service keeps agency ids, topics, counts and times, nobody's records: it has
/// nothing about him to remove (and `expectNothingAboutReyes` checks that it holds nothing).
private func keepsPersonalData(_ name: ServiceName) -> Bool { name != .feeds }

private func expectNothingAboutReyes(in bus: TestBus, _ when: String) throws {
    for name in ServiceName.consumers {
        let found = try bus.read(name) { try findOccurrences(of: reyesTexts, integers: [reyesBirthMilliseconds], in: $0) }
        #expect(found.isEmpty, "\(when), \(name): \(found.sorted { $0.description < $1.description })")
    }
}

/// Waits until every service has read everything produced, the notifications and the person
/// index's decisions included.
private func waitForEveryService(_ bus: TestBus, _ running: [ServiceName: RunningService]) async throws {
    let index = running[.personIndex]!, router = running[.router]!
    await bus.waitUntilCaughtUp(index)
    let decisions = Int64(index.service.progress.snapshot.published[BusTopic.identity] ?? 0)
    await router.service.progress.wait { $0.consumed(BusTopic.identity) >= decisions }
    for name in [ServiceName.router, .warrantResolver] { await bus.waitUntilCaughtUp(running[name]!) }
    let inbox = running[.inbox]!, views = running[.views]!
    await bus.waitUntilInboxCaughtUp(inbox, running: [running[.router]!, running[.warrantResolver]!])
    await bus.waitUntilCaughtUp(views)
    let delivered = inbox.service.progress.snapshot.consumed(BusTopic.notifications)
    await views.service.progress.wait { $0.consumed(BusTopic.notifications) >= delivered }
}

/// Every contract example about Reyes that adds to what the services know (none that ends or
/// withdraws something), with fresh ids and the time `occurredAt`.
private func reyesExamples(occurredAt: Date, run: String) throws -> [ScenarioEvent] {
    let types = [
        "supervision.officer.assigned", "supervision.conditions.set", "supervision.address.changed",
        "supervision.assessment.completed", "supervision.mental-health-bulletin.published",
        "police.arrest.made", "police.booking.recorded", "police.contact.recorded", "police.violent-incident.reported",
        "police.investigation.opened", "courts.warrant.issued", "courts.detainer.lodged", "custody.release.scheduled",
        "bus.subscription.recorded",
    ]
    var events: [ScenarioEvent] = []
    for type in types {
        for (index, example) in try contractExamples(type).enumerated() {
            guard (example["subject"] as? [String: Any])?["stateId"] as? String != hillStateId else { continue }
            var example = example
            if var payload = example["payload"] as? [String: Any] {
                for (field, id) in reyesOwnIds where payload[field] != nil { payload[field] = id }
                example["payload"] = payload
            }
            events.append(try scenarioEvent(example, type: type, occurredAt: occurredAt, id: "\(run)/\(type)/\(index)"))
        }
    }
    return events
}

/// Reyes's release under his FBI number alone (`custody.release.scheduled` version 2, as a
/// prison may send it before the state ID is known): the destination's police are told in a
/// notice naming no state ID, which the services file under the FBI number.
private func releaseUnderFBINumber(occurredAt: Date, run: String) throws -> ScenarioEvent {
    let subject = SubjectIdentifiers(
        fbiNumber: "734591KA2", name: PersonName(given: "Darnell", family: "Reyes"), dateOfBirth: CalendarDate("1990-07-14"))
    let envelope = EventEnvelope(
        eventId: ScenarioEvent.eventId("\(run)/release-by-fbi"), occurredAt: occurredAt, recordedAt: occurredAt,
        source: SourceAgency(agencyId: "MO-DOC", agencyKind: .prison), subject: subject,
        payload: ReleaseScheduled(
            releaseId: "R-FBI-\(run)", facility: Facility(facilityId: "MO-DOC-WERDCC", name: "Western Reception, Diagnostic and Correctional Center", kind: .prison),
            expectedAt: occurredAt.addingTimeInterval(20 * 86_400), releaseType: .parole,
            destination: Address(line1: "4410 Troost Ave", city: "Kansas City", state: "MO", postalCode: "64110"), supervisingAgencyId: "MO-DOC-PP"))
    #expect(envelope.schemaVersion == 2)
    var event = try ScenarioEvent(topic: "custody.releases", envelope)
    event.schemaVersion = envelope.schemaVersion
    return event
}

private func expungement(occurredAt: Date, naming subject: OrderSubject) throws -> ScenarioEvent {
    var order = try #require(try contractExamples("records.record.expunged").first)
    order["subject"] = switch subject {
    case .bothNumbers: ["stateId": "MO1234567", "fbiNumber": "734591KA2"]
    case .stateIdAlone: ["stateId": "MO1234567"]
    case .fbiNumberAlone: ["fbiNumber": "734591KA2"]
    }
    order["payload"] = ["orderId": "SEAL-TEST-001", "orderedOn": "2025-06-16", "issuingCourtId": "MO-CIRCUIT16", "scope": "all_records"]
    guard subject == .fbiNumberAlone else {
        return try scenarioEvent(order, type: "records.record.expunged", occurredAt: occurredAt, id: "sealing/order")
    }
    // Version 2, keyed by the subject key.
    order["schemaVersion"] = 2
    var event = try scenarioEvent(order, type: "records.record.expunged", occurredAt: occurredAt, id: "sealing/order", key: "fbi:734591KA2")
    event.schemaVersion = 2
    return event
}

private func contractExamples(_ type: String) throws -> [[String: Any]] {
    let url = topicsDirectory.appendingPathComponent("examples/\(type).v1.json")
    return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
}

private func scenarioEvent(_ example: [String: Any], type: String, occurredAt: Date, id: String, key givenKey: String? = nil) throws -> ScenarioEvent {
    var event = example
    let eventId = ScenarioEvent.eventId(id).uuidString.lowercased()
    event["eventId"] = eventId
    event["occurredAt"] = EventCodec.formatInstant(occurredAt)
    event["recordedAt"] = EventCodec.formatInstant(occurredAt)
    let topic = try #require(catalog.topic(forEventType: type)?.name)
    let payload = event["payload"] as? [String: Any] ?? [:]
    let keyField: String? = switch topic {
    case "police.incidents": payload["incidentId"] as? String
    case "police.investigations": payload["investigationId"] as? String
    case "bus.subscriptions": payload["subscriptionId"] as? String
    default: (event["subject"] as? [String: Any])?["stateId"] as? String
    }
    let key = givenKey ?? keyField
    return ScenarioEvent(
        topic: topic, key: try #require(key, "\(type) has no key"), eventId: eventId, eventType: type,
        value: Array(try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])))
}
