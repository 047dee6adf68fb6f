import Contracts
import Foundation
import Kafka
import Storage
import Testing

@testable import ServiceKit

/// A projection keeping arrests by state ID, notifying about each, and sealing what it keeps.
private struct SealableProbe: EventProjection {
    let name = "sealable-probe"
    let topics = ["police.arrests", "records.sealing"]
    let migrations: [StorageMigration] = [
        .script("sealable-probe-v1", "CREATE TABLE probe_arrests (event_id TEXT PRIMARY KEY NOT NULL, state_id TEXT NOT NULL)"),
    ]

    func handles(eventType: String) -> Bool {
        eventType == "police.arrest.made" || SealingOrder.eventTypes.contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let arrest = try event.decode(ArrestMade.self)
        let stateId = arrest.subject?.stateId ?? ""
        try transaction.storage.execute("INSERT INTO probe_arrests (event_id, state_id) VALUES ($1, $2)", [.text(event.eventId), .text(stateId)])
        try transaction.emit(OutgoingMessage(
            topic: "probe.out", key: stateId, value: Array("arrest of \(stateId)".utf8),
            headers: [KafkaHeader(key: EventHeaders.eventId, value: event.eventId)], subjectStateId: stateId))
    }

    func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        var tally = SealingTally()
        guard order.scope == .allRecords, let stateId = order.stateId else { return tally }
        tally.add(try transaction.storage.execute("DELETE FROM probe_arrests WHERE state_id = $1", [.text(stateId)]), from: "probe_arrests")
        return tally
    }
}

/// One event of `topic` built from the contract's first example of `eventType`, changed by `edit`.
private func message(
    _ eventType: String, topic: String, offset: Int64, key: String, edit: (inout [String: Any]) -> Void
) throws -> KafkaConsumerMessage {
    let url = topicsDirectory.appendingPathComponent("examples/\(eventType).v1.json")
    var event = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])?.first)
    let eventId = UUID().uuidString.lowercased()
    event["eventId"] = eventId
    edit(&event)
    let value = try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
    return KafkaConsumerMessage(
        topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(offset), key: Array(key.utf8),
        value: Array(value),
        headers: [KafkaHeader(key: EventHeaders.eventType, value: eventType), KafkaHeader(key: EventHeaders.schemaVersion, value: "1"),
                  KafkaHeader(key: EventHeaders.eventId, value: eventId), KafkaHeader(key: EventHeaders.contentType, value: EventHeaders.json)],
        timestampMilliseconds: nil)
}

private func arrest(of stateId: String, at occurredAt: String, offset: Int64) throws -> KafkaConsumerMessage {
    try message("police.arrest.made", topic: "police.arrests", offset: offset, key: stateId) { event in
        event["occurredAt"] = occurredAt
        var subject = event["subject"] as? [String: Any] ?? [:]
        subject["stateId"] = stateId
        event["subject"] = subject
    }
}

private func order(
    _ eventType: String = "records.record.expunged", of stateId: String?, at occurredAt: String, offset: Int64,
    caseNumbers: [String]? = nil
) throws -> KafkaConsumerMessage {
    try message(eventType, topic: "records.sealing", offset: offset, key: stateId.flatMap { $0.isEmpty ? nil : $0 } ?? "none") { event in
        event["occurredAt"] = occurredAt
        var subject = event["subject"] as? [String: Any] ?? [:]
        subject["stateId"] = stateId
        event["subject"] = subject
        var payload = event["payload"] as? [String: Any] ?? [:]
        payload["scope"] = caseNumbers == nil ? "all_records" : "listed_cases"
        payload["caseNumbers"] = caseNumbers
        event["payload"] = payload
    }
}

/// An `all_records` order of the 16th Circuit, ordered 2025-03-02T09:00:00Z.
private func allRecordsOrder(
    _ kind: SealingOrder.Kind, _ orderId: String, stateId: String?, fbiNumber: String?, eventId: String
) throws -> SealingOrder {
    SealingOrder(
        kind: kind, orderId: orderId, issuingCourtId: "MO-CIRCUIT16", orderedOn: try #require(CalendarDate("2025-03-02")),
        scope: .allRecords, caseNumbers: [], stateId: stateId, fbiNumber: fbiNumber,
        orderedAtMilliseconds: 1_740_906_000_000, eventId: eventId)
}

private func makeService(_ directory: TemporaryDirectory) throws -> EventConsumerService {
    let projection = SealableProbe()
    let database = try ServiceDatabase(path: directory.path("probe.sqlite"), migrations: projection.migrations)
    let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"], clientID: "probe")
    return EventConsumerService(
        projection: projection, database: database, admission: .contracts(EventValidator(catalog: catalog)),
        configuration: .init(
            consumer: KafkaConsumerConfiguration(client: client, groupID: "probe", topics: []),
            producer: KafkaProducerConfiguration(client: client)),
        logger: testLogger)
}

@Suite("Sealing orders in the runtime")
struct SealingRuntimeTests {
    /// The batch writes its messages to the outbox table together; an order in the same batch
    /// must still find (and remove) the messages queued before it, and leave the others'.
    @Test("an order removes the messages its own batch queued before it")
    func orderRemovesMessagesOfItsOwnBatch() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let outcome = try await service.apply([
            try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0),
            try arrest(of: "MO7654321", at: "2025-03-01T11:00:00Z", offset: 1),
            try order(of: "MO1234567", at: "2025-03-02T09:00:00Z", offset: 0),
            try arrest(of: "MO2222222", at: "2025-03-02T10:00:00Z", offset: 2),
        ])
        #expect(outcome.sealingOrders == 1 && outcome.applied == 4)
        let left = try await service.database.read { try ServiceDatabase.outbox($0).map(\.message.key) }
        #expect(left == ["MO7654321", "MO2222222"])
        #expect(outcome.outbox.map(\.message.key) == ["MO7654321", "MO2222222"])
        let recorded = try await service.database.read { try SealingLedger($0).orders() }
        #expect(recorded.map(\.removed) == ["kit_outbox=1;probe_arrests=1"])
    }

    @Test("an order removes the person's rows and undelivered messages, and is recorded by counts alone")
    func orderRemovesAndRecords() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        _ = try await service.apply([
            try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0),
            try arrest(of: "MO7654321", at: "2025-03-01T11:00:00Z", offset: 1),
        ])
        #expect(try await service.count("kit_outbox") == 2)

        let outcome = try await service.apply([try order(of: "MO1234567", at: "2025-03-02T09:00:00Z", offset: 0)])

        #expect(outcome.sealingOrders == 1)
        #expect(try await service.count("probe_arrests") == 1)
        let left = try await service.database.read { try ServiceDatabase.outbox($0).map(\.message.key) }
        #expect(left == ["MO7654321"])
        let recorded = try await service.database.read { try SealingLedger($0).orders() }
        #expect(recorded == [AppliedSealingOrder(
            orderId: "1616-CV-812-EXP", kind: "expunged", scope: "all_records", caseCount: 0, rowsRemoved: 2,
            removed: "kit_outbox=1;probe_arrests=1")])
        let counters = try await service.database.counters()
        #expect(counters["sealing_orders"] == 1)
        // The ledger keeps digests: the state ID is in no table of the runtime.
        for table in ["kit_sealing_orders", "kit_sealed_keys", "kit_outbox"] {
            let rows = try await service.database.read { try $0.fetchAll("SELECT * FROM \(table)") }
            #expect(!rows.contains { "\($0)".contains("MO1234567") }, "\(table) holds the state ID")
        }
    }

    @Test("a record that occurred before an applied order is not kept when it arrives late; a later one is")
    func lateRecordsAreNotKept() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        _ = try await service.apply([try order(of: "MO1234567", at: "2025-03-02T09:00:00Z", offset: 0)])

        let outcome = try await service.apply([
            try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0),  // before the order: covered
            try arrest(of: "MO1234567", at: "2025-03-05T10:00:00Z", offset: 1),  // after it: a new record
            try arrest(of: "MO7654321", at: "2025-03-01T10:00:00Z", offset: 2),  // someone else
        ])

        #expect(outcome.sealedRecords == 1)
        #expect(outcome.applied == 3)
        let kept = try await service.database.read {
            try $0.fetchAll("SELECT state_id FROM probe_arrests ORDER BY state_id").map { try $0.get("state_id", as: String.self) }
        }
        #expect(kept == ["MO1234567", "MO7654321"])
        #expect(try await service.count("kit_outbox") == 2)
        #expect(try await service.database.counters()["sealed_records_not_kept"] == 1)
    }

    @Test("numbers a projection found beside the order's own cover late records too")
    func pairedNumbersCoverLateRecords() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        // An order by FBI number alone (other topics' producers may send one; this topic's
        // contract asks for a state ID, so it is recorded here directly): the projection found
        // the person's state ID in the rows it removed and noted it.
        var removed = SealingTally()
        removed.notePaired(stateId: "MO1234567", fbiNumber: nil)
        let order = try allRecordsOrder(.expunged, "1616-CV-900-EXP", stateId: nil, fbiNumber: "734591KA2", eventId: "order-1")
        let noted = removed
        try await service.database.write { try SealingLedger($0).record(order, removed: noted) }
        #expect(removed.description == "", "numbers are never part of the record's text")

        let late = try await service.apply([try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0)])

        #expect(late.sealedRecords == 1)
        #expect(try await service.count("probe_arrests") == 0)
    }

    /// A row stored before such values were read as none may pair the order's FBI number with
    /// the state ID "UNKNOWN": completing the order with it would remove every stranger filed
    /// under "UNKNOWN". Such a number pairs with nobody, wherever it is read.
    @Test("a stored number that says there is none pairs with nobody: no order is completed with it")
    func placeholderNumbersPairWithNobody() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let numbers = try await service.database.write { db in
            try db.send("CREATE TABLE probe_people (state_id TEXT, fbi_number TEXT)")
            try db.send("INSERT INTO probe_people VALUES ('UNKNOWN', '734591KA2'), ('MO1234567', '734591KA2'), ('MO0000000', '734591KA2'), ('MO7654321', '112233KB4')")
            return try db.personNumbers("state_id", in: ["probe_people"], where: "fbi_number = $1", [.text("734591KA2")])
        }
        #expect(numbers == ["MO1234567"])
        let order = try allRecordsOrder(.sealed, "1616-CV-903-SEAL", stateId: nil, fbiNumber: "734591KA2", eventId: "order-4")
        #expect(order.completions(stateIds: ["UNKNOWN", "MO1234567", "NONE"], fbiNumbers: []).map(\.stateId) == ["MO1234567"])
        var tally = SealingTally()
        tally.notePaired(stateId: "NONE", fbiNumber: "000000000")
        #expect(tally.pairedStateIds.isEmpty && tally.pairedFbiNumbers.isEmpty)
        tally.notePaired(stateId: "MO1234567", fbiNumber: nil)
        #expect(tally.pairedStateIds == ["MO1234567"])
    }

    @Test("whether any order was applied is read once a transaction, and is true once one is recorded in it")
    func ordersAppliedWithinOneTransaction() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let order = try allRecordsOrder(.sealed, "1616-CV-901-SEAL", stateId: "MO1234567", fbiNumber: nil, eventId: "order-2")
        let (before, after) = try await service.database.write { db in
            let before = try SealingLedger(db).hasOrders()
            try SealingLedger(db).record(order, removed: SealingTally())
            return (before, try SealingLedger(db).hasOrders())
        }
        #expect(!before)
        #expect(after, "an order recorded in the transaction that first found none")
        #expect(try await service.database.read { try SealingLedger($0).hasOrders() })
    }

    @Test("a message about a person known by the FBI number alone leaves the outbox with an order naming or pairing the number")
    func messagesFiledUnderTheFBINumber() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let messages = [
            OutgoingMessage(topic: "probe.out", key: "sid", value: [1], headers: [], subjectStateId: "MO1234567"),
            OutgoingMessage(topic: "probe.out", key: "fbi", value: [2], headers: [], subjectFbiNumber: "734591KA2"),
            OutgoingMessage(topic: "probe.out", key: "other", value: [3], headers: [], subjectFbiNumber: "112233KB4"),
            // A state ID wins: filed under it, not the FBI number.
            OutgoingMessage(topic: "probe.out", key: "both", value: [4], headers: [], subjectStateId: "MO7654321", subjectFbiNumber: "734591KA2"),
        ]
        try await service.database.write { db in try ServiceDatabase.appendToOutbox(messages, db) }
        // The order names the state ID; the projection's removed rows paired the FBI number with it.
        let order = try allRecordsOrder(.sealed, "1616-CV-901-SEAL", stateId: "MO1234567", fbiNumber: nil, eventId: "order-2")
        var paired = SealingTally()
        paired.notePaired(stateId: nil, fbiNumber: "734591KA2")
        let pairing = paired
        let removed = try await service.database.write { try SealingLedger($0).removeFromOutbox(order, paired: pairing) }
        #expect(removed.rowsByTable == ["kit_outbox": 2])
        let left = try await service.database.read { try ServiceDatabase.outbox($0).map(\.message.key) }
        #expect(left == ["other", "both"])
    }

    @Test("a notification naming the FBI number alone that occurred before an order naming it is covered")
    func lateNotificationsByFBINumber() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let order = try allRecordsOrder(.sealed, "1616-CV-902-SEAL", stateId: "MO1234567", fbiNumber: "734591KA2", eventId: "order-3")
        try await service.database.write { try SealingLedger($0).record(order, removed: SealingTally()) }
        func notification(_ fbiNumber: String, at occurredAt: String, stateId: String? = nil) -> AdmittedEvent {
            let subject = stateId.map { ",\"subjectStateId\":\"\($0)\"" } ?? ""
            let json = """
                {"id":"00000000-0000-8000-8000-000000000001","occurredAt":"\(occurredAt)","reason":{"rule":"r","explanation":"e","matched":[{"name":"releaseId","value":"R-1"},{"name":"fbiNumber","value":"\(fbiNumber)"}]}\(subject)}
                """
            return AdmittedEvent(
                topicPartition: TopicPartition(topic: "bus.notifications", partition: 0), offset: KafkaOffset(0), key: "agency:MO-KCPD",
                eventType: "bus.notification.routed", schemaVersion: 1, eventId: "00000000-0000-8000-8000-000000000001",
                value: Array(json.utf8), timestampMilliseconds: nil, headers: [])
        }
        let covers = { (event: AdmittedEvent) in try await service.database.read { try SealedRecordCheck.covers(event, in: SealingLedger($0)) } }
        #expect(try await covers(notification("734591KA2", at: "2025-03-01T10:00:00Z")))
        #expect(try await !covers(notification("734591KA2", at: "2025-03-05T10:00:00Z")))  // after the order
        #expect(try await !covers(notification("112233KB4", at: "2025-03-01T10:00:00Z")))  // someone else
        // With a state ID, the notification is about the person it names (another one here).
        #expect(try await !covers(notification("734591KA2", at: "2025-03-01T10:00:00Z", stateId: "MO7654321")))
    }

    /// A replay applies the orders first (`records.sealing` is a reference topic), so a warrant
    /// of a listed case never reaches the projection that would have removed it; a detainer
    /// lodged on it names no case. The runtime remembers the warrant it did not keep, with the
    /// person's number the issue named (the state ID: the FBI number counts as unknown):
    /// a detainer lodged on it before the order naming that state ID, no number, or an FBI
    /// number alone is covered; one naming another state ID (another person's warrant of the
    /// same id, another court's) is not. The id-alone check the warrant resolver still makes
    /// covers it whoever's.
    @Test("a warrant of a listed case the runtime does not keep is remembered, so a detainer lodged on it before the order is covered")
    func warrantsOfListedCasesNotKeptAreRemembered() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        _ = try await service.apply([
            try order("records.record.sealed", of: "MO1234567", at: "2025-03-02T09:00:00Z", offset: 0, caseNumbers: ["1616-CR02291"]),
        ])
        @Sendable func issued(_ warrantId: String, caseNumber: String) -> AdmittedEvent {
            let json = """
                {"occurredAt":"2025-03-01T10:00:00Z","subject":{"stateId":"MO1234567"},"payload":{"warrantId":"\(warrantId)","caseNumber":"\(caseNumber)"}}
                """
            return AdmittedEvent(
                topicPartition: TopicPartition(topic: "courts.warrants", partition: 0), offset: KafkaOffset(0), key: "MO1234567",
                eventType: "courts.warrant.issued", schemaVersion: 1, eventId: "00000000-0000-8000-8000-000000000002",
                value: Array(json.utf8), timestampMilliseconds: nil, headers: [])
        }
        let (sealedCase, otherCase) = try await service.database.write { db in
            (try SealedRecordCheck.covers(issued("W-1", caseNumber: "1616-CR02291"), in: SealingLedger(db)),
             try SealedRecordCheck.covers(issued("W-2", caseNumber: "1616-CR99999"), in: SealingLedger(db)))
        }
        #expect(sealedCase && !otherCase)
        let lodgedBefore = SealingOrder.milliseconds(try #require(RFC3339.parse("2025-03-01T12:00:00Z")))
        let lodgedAfter = SealingOrder.milliseconds(try #require(RFC3339.parse("2025-03-03T12:00:00Z")))
        let covered = try await service.database.read { db in
            [try SealingLedger(db).covers(recordOf: SealingLedger.warrantRecord, "W-1", occurredAtMilliseconds: lodgedBefore),
             try SealingLedger(db).covers(recordOf: SealingLedger.warrantRecord, "W-1", occurredAtMilliseconds: lodgedAfter),
             try SealingLedger(db).covers(recordOf: SealingLedger.warrantRecord, "W-2", occurredAtMilliseconds: lodgedBefore)]
        }
        #expect(covered == [true, false, false])
        let byPerson = try await service.database.read { db in
            let ledger = SealingLedger(db)
            return [
                try ledger.coveringReason(warrant: "W-1", stateId: "MO1234567", fbiNumber: nil, occurredAtMilliseconds: lodgedBefore),
                try ledger.coveringReason(warrant: "W-1", stateId: "MO1234567", fbiNumber: "734591KA2", occurredAtMilliseconds: lodgedBefore),
                try ledger.coveringReason(warrant: "W-1", stateId: nil, fbiNumber: nil, occurredAtMilliseconds: lodgedBefore),
                try ledger.coveringReason(warrant: "W-1", stateId: "", fbiNumber: "734591KA2", occurredAtMilliseconds: lodgedBefore),
                try ledger.coveringReason(warrant: "W-1", stateId: "MO7654321", fbiNumber: nil, occurredAtMilliseconds: lodgedBefore),
                try ledger.coveringReason(warrant: "W-1", stateId: "MO1234567", fbiNumber: nil, occurredAtMilliseconds: lodgedAfter),
                try ledger.coveringReason(warrant: "W-2", stateId: "MO1234567", fbiNumber: nil, occurredAtMilliseconds: lodgedBefore),
            ]
        }
        // Which digest covered each: the person's numbers, none, or only a kind of number the
        // person was known by none of (the reason a refusal is counted under).
        #expect(byPerson == [.person, .person, .unnumbered, .unknownNumberKind, nil, nil, nil])
        let keys = try await service.database.read { db in
            try db.fetchAll("SELECT key_digest, case_digest FROM kit_sealed_keys").map { "\(try $0.get("key_digest", as: String.self)) \(try $0.get("case_digest", as: String.self))" }
        }
        // The person's key; the warrant's with the state ID, unnumbered, of a person known by no
        // FBI number, and by its id alone (for the resolver's check).
        #expect(keys.count == 5 && !keys.contains { $0.contains("W-1") || $0.contains("MO1234567") }, "digests, never the id or the number")
    }

    /// A warrant remembered with its person: a detainer on it naming one of the person's numbers
    /// (the order's or the row's), no number, or only numbers of a kind none of theirs was known
    /// of, is covered; one naming a number of a kind the person had, none of theirs, is
    /// another person's. A warrant remembered by its id alone (as the views and the runtime
    /// remembered every warrant before: rows already written) covers every detainer on it, as
    /// it did; and the id-alone check covers both.
    @Test("a warrant remembered with its person covers that person's detainers and unnumbered ones; one remembered by its id alone, every detainer")
    func warrantsAreRememberedWithTheirPerson() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let orderedAt: Int64 = 2_000, before: Int64 = 1_000, after: Int64 = 3_000
        let results = try await service.database.write { db in
            let ledger = SealingLedger(db)
            // Known by a state ID (the order's) and an FBI number (the row's); W-2 by a state ID alone.
            try ledger.noteRemoved(warrant: "W-1", stateIds: ["MO1234567", nil], fbiNumbers: [nil, "734591KA2"], orderId: "O-1", orderedAtMilliseconds: orderedAt)
            try ledger.noteRemoved(warrant: "W-2", stateIds: ["MO1234567", "MO1234567"], fbiNumbers: [nil, ""], orderId: "O-1", orderedAtMilliseconds: orderedAt)
            try ledger.noteRemoved(recordOf: SealingLedger.warrantRecord, "W-OLD", orderId: "O-0", orderedAtMilliseconds: orderedAt)
            func covers(_ warrantId: String, _ stateId: String?, _ fbiNumber: String?, at time: Int64 = before) throws -> Bool {
                try ledger.coveringReason(warrant: warrantId, stateId: stateId, fbiNumber: fbiNumber, occurredAtMilliseconds: time) != nil
            }
            return [
                // W-1: the person's numbers, together or alone; no number.
                try covers("W-1", "MO1234567", nil), try covers("W-1", nil, "734591KA2"), try covers("W-1", "MO7654321", "734591KA2"),
                try covers("W-1", nil, nil),
                // Another person's: a state ID, an FBI number, both; after the order.
                try covers("W-1", "MO7654321", nil), try covers("W-1", nil, "112233KB4"), try covers("W-1", "MO7654321", "112233KB4"),
                try covers("W-1", "MO1234567", nil, at: after),
                // W-2: no FBI number known, so one named alone cannot be told from his; another state ID can.
                try covers("W-2", nil, "112233KB4"), try covers("W-2", "MO7654321", nil), try covers("W-2", "MO7654321", "112233KB4"),
                // Remembered by its id alone: everyone's, before the order.
                try covers("W-OLD", "MO7654321", nil), try covers("W-OLD", nil, nil), try covers("W-OLD", "MO7654321", nil, at: after),
                // The id-alone check.
                try ledger.covers(recordOf: SealingLedger.warrantRecord, "W-1", occurredAtMilliseconds: before),
                try ledger.covers(recordOf: SealingLedger.warrantRecord, "W-OLD", occurredAtMilliseconds: before),
            ]
        }
        #expect(results == [
            true, true, true, true,
            false, false, false, false,
            true, false, false,
            true, true, false,
            true, true,
        ])
    }

    /// The router routes an arrest for the supervision case it matched; its notification's id
    /// is derived from that case. One still waiting in the outbox (or moved aside as refused)
    /// when an order seals the case must not go out.
    @Test("an order for listed cases removes the person's queued notifications routed for a listed case, and no others")
    func listedCasesRemoveQueuedNotificationsRoutedForThem() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        func routed(_ stateId: String, scope: String, key: String) -> OutgoingMessage {
            let recipient = "officer:PO-1"
            let id = SHA256.derivedUUID("reentrybus.notification\u{0}e-\(key)\u{0}supervisee-arrested\u{0}\(scope)\u{0}\(recipient)")
            let json = """
                {"id":"\(id)","recipient":"\(recipient)","reason":{"rule":"supervisee-arrested"},"sourceEventId":"e-\(key)","subjectStateId":"\(stateId)"}
                """
            return OutgoingMessage(topic: "bus.notifications", key: key, value: Array(json.utf8), headers: [], subjectStateId: stateId)
        }
        let messages = [
            routed("MO1234567", scope: "CASE-1", key: "sealed"), routed("MO1234567", scope: "CASE-2", key: "other-case"),
            routed("MO7654321", scope: "CASE-1", key: "other-person"), routed("MO1234567", scope: "CASE-1", key: "refused"),
        ]
        try await service.database.write { db in try ServiceDatabase.appendToOutbox(messages, db) }
        let refused = try await service.database.read { try ServiceDatabase.outbox($0).filter { $0.message.key == "refused" } }
        try await service.database.moveToFailedOutbox(refused.map { ($0, "message too large") })

        var order = try allRecordsOrder(.sealed, "1616-CV-903-SEAL", stateId: "MO1234567", fbiNumber: nil, eventId: "order-4")
        order.scope = .listedCases
        order.caseNumbers = ["CASE-1"]
        let listed = order
        let removed = try await service.database.write { try SealingLedger($0).removeFromOutbox(listed) }
        #expect(removed.rowsByTable == ["kit_outbox": 1, "kit_outbox_failed": 1])
        let left = try await service.database.read { try ServiceDatabase.outbox($0).map(\.message.key) }
        #expect(left == ["other-case", "other-person"])
        #expect(try await service.database.failedOutbox().isEmpty)
    }

    /// A poison message about the person is copied to the dead-letter topic through the outbox
    /// (its bytes whole, or a reference keyed by the original key); one the broker refuses is
    /// kept aside in kit_outbox_failed. An order for all the person's records removes both forms,
    /// waiting or refused, counted; another person's stays.
    @Test("an order for all records removes the person's dead letters, waiting in the outbox or refused, and no one else's")
    func deadLettersAboutThePersonGoWithTheOrder() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        let arrests = [
            try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0), try arrest(of: "MO1234567", at: "2025-03-01T11:00:00Z", offset: 1),
            try arrest(of: "MO7654321", at: "2025-03-01T10:00:00Z", offset: 2),
        ]
        let letters = [
            DeadLetter.message(for: arrests[0], reason: "r", topic: "bus.dead-letters", maxMessageBytes: 1_000_000),
            DeadLetter.message(for: arrests[1], reason: "r", topic: "bus.dead-letters", maxMessageBytes: 600),  // by reference
            DeadLetter.message(for: arrests[2], reason: "r", topic: "bus.dead-letters", maxMessageBytes: 1_000_000),
        ]
        #expect(letters.map { $0.headers.first { $0.key == DeadLetter.formHeader }?.stringValue } == ["copy", "reference", "copy"])
        try await service.database.write { db in try ServiceDatabase.appendToOutbox(letters, db) }
        let refused = try await service.database.read { try ServiceDatabase.outbox($0).prefix(2) }
        try await service.database.moveToFailedOutbox([(refused[refused.startIndex], "message too large")])

        let order = try allRecordsOrder(.expunged, "1616-CV-904-EXP", stateId: "MO1234567", fbiNumber: nil, eventId: "order-5")
        let removed = try await service.database.write { try SealingLedger($0).removeFromOutbox(order) }
        #expect(removed.rowsByTable == ["kit_outbox": 1, "kit_outbox_failed": 1])
        #expect(try await service.database.failedOutbox().isEmpty)
        let left = try await service.database.read { try ServiceDatabase.outbox($0).map(\.message.value) }
        #expect(left == [arrests[2].value])
    }

    @Test("an order for listed cases does not cover a record of no case")
    func listedCasesLeaveOtherRecords() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        _ = try await service.apply([
            try order("records.record.sealed", of: "MO1234567", at: "2025-03-02T09:00:00Z", offset: 0, caseNumbers: ["1616-CR02291"]),
        ])
        let outcome = try await service.apply([try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0)])
        #expect(outcome.sealedRecords == 0)
        #expect(try await service.count("probe_arrests") == 1)
        let recorded = try await service.database.read { try SealingLedger($0).orders() }
        #expect(recorded.map(\.kind) == ["sealed"])
        #expect(recorded.map(\.caseCount) == [1])
    }

    @Test("an order naming nobody by state ID or FBI number is dead-lettered with the reason and changes nothing")
    func orderNamingNobody() async throws {
        let directory = TemporaryDirectory()
        let service = try makeService(directory)
        _ = try await service.apply([try arrest(of: "MO1234567", at: "2025-03-01T10:00:00Z", offset: 0)])
        // The contract requires a subject with a state ID on this topic; an empty one passes the
        // schema's type but names nobody.
        let outcome = try await service.apply([try order(of: "", at: "2025-03-02T09:00:00Z", offset: 0)])
        #expect(outcome.deadLettered == 1)
        #expect(outcome.deadLetters.first?.reason.contains("subject") == true, "\(outcome.deadLetters)")
        #expect(try await service.count("probe_arrests") == 1)
        #expect(try await service.database.read { try SealingLedger($0).orders() }.isEmpty)
    }
}
