import Contracts
import Foundation
import Kafka
import Storage
import TestSupport
import Testing

@testable import ServiceKit

/// The outbox files a waiting message under the people its body names besides its subject
/// (`mention_digests`, ``OutboxMentions``), from when it is queued, and from its body for the
/// rows waiting when servicekit-sealing-v2 runs; an order for all the records of such a person
/// has each rewritten (by the projection) or removed, in both outbox tables, counted.
@Suite struct OutboxMentionsTests {
    static let marcus = SealingDigest.stateId("MO5550001")
    static let angela = SealingDigest.stateId("MO5550002")

    /// A notification-like body about `subject` naming `mentions` besides (as the router writes
    /// a contact, `reason.matched`).
    static func body(_ key: String, mentions: [String]) -> [UInt8] {
        let matched = ([#"{"name":"stateId","value":"MO1234567"}"#]
            + mentions.map { #"{"name":"\#(OutboxMentions.identifier)","value":"\#($0)"}"# }).joined(separator: ",")
        return Array(#"{"id":"n-\#(key)","reason":{"rule":"supervisee-police-contact","matched":[\#(matched)]},"summary":"contact \#(key)"}"#.utf8)
    }

    @Test func theDigestsABodyCarries() {
        #expect(OutboxMentions.digests(in: Self.body("a", mentions: [Self.marcus, Self.angela, Self.marcus])) == [Self.marcus, Self.angela].sorted())
        #expect(OutboxMentions.digests(in: Self.body("a", mentions: [])).isEmpty)
        #expect(OutboxMentions.digests(in: Array("arrest of MO1234567".utf8)).isEmpty)
        // The name alone (not JSON, or not among what matched) names nobody.
        #expect(OutboxMentions.digests(in: Array("\"\(OutboxMentions.identifier)\" {".utf8)).isEmpty)
        #expect(OutboxMentions.digests(in: Array(#"{"\#(OutboxMentions.identifier)":"x"}"#.utf8)).isEmpty)
        #expect(OutboxMentions.column(of: Self.body("a", mentions: [Self.marcus, Self.angela])) == .text([Self.marcus, Self.angela].sorted().joined(separator: " ")))
        #expect(OutboxMentions.column(of: Self.body("a", mentions: [])) == .null)
    }

    @Test func onSQLite() async throws {
        try await Self.check(try SQLiteStorage.inMemory())
    }

    /// An order for all of a person's records looks for the rows naming anyone besides their
    /// subject in both outbox tables: through an index of those rows, not by reading either
    /// table (SQLite's plan; the same partial indexes exist on PostgreSQL).
    @Test func theRowsNamingSomeoneElseAreFoundThroughAnIndex() async throws {
        let directory = TemporaryDirectory()
        let database = try ServiceDatabase(path: directory.path("service.sqlite"), migrations: [])
        for table in ["kit_outbox", "kit_outbox_failed"] {
            let plan = try await QueryPlan.lines(
                of: "SELECT seq, mention_digests FROM \(table) WHERE mention_digests IS NOT NULL ORDER BY seq", in: database)
            #expect(plan.contains { $0.contains("USING INDEX \(table)_by_mention") }, "\(table): \(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN \(table)") && !$0.contains("INDEX") }, "\(table): \(plan)")
        }
    }

    static func order(scope: RecordOrderScope = .allRecords) -> SealingOrder {
        SealingOrder(
            kind: .expunged, orderId: "ORDER-MARCUS", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-06-16")!,
            scope: scope, caseNumbers: scope == .allRecords ? [] : ["CASE-1"], stateId: "MO5550001", fbiNumber: nil,
            orderedAtMilliseconds: 1_750_100_000_000, eventId: "1f4a9c1e-2b3d-8e4f-9a0b-1c2d3e4f5a6b")
    }

    /// The message without the people filed under `digests`, as a projection rewrites it; the
    /// one keyed `stubborn` comes back unchanged (still naming them), the one keyed `refused` not
    /// at all.
    static func withdrawing(_ digests: Set<String>, _ message: OutgoingMessage) -> OutgoingMessage? {
        switch message.key {
        case "stubborn": return message
        case "refused": return nil
        default:
            var rewritten = message
            rewritten.value = body(message.key, mentions: OutboxMentions.digests(in: message.value).filter { !digests.contains($0) })
            rewritten.headers.append(KafkaHeader(key: "signature", value: "again"))
            return rewritten
        }
    }

    /// servicekit-sealing-v2 on rows waiting before it (in pages of 2), a message queued after
    /// it, then an order for Marcus: each message naming him rewritten or removed, in its place.
    static func check(_ db: any StorageDatabase) async throws {
        let steps = ServiceDatabase.runtimeMigrations
        let before = Array(steps.prefix { $0.id != "servicekit-sealing-v2" })
        let after = Array(steps.drop { $0.id != "servicekit-sealing-v2" }.dropFirst())
        #expect(before.count + 1 + after.count == steps.count)
        try await db.write { db in
            _ = try StorageMigrator.migrate(before, in: db)
            for (key, mentions) in [("rewrite", [marcus]), ("other", [angela]), ("none", []), ("stubborn", [marcus])] {
                try db.send(
                    "INSERT INTO kit_outbox (topic, key, value, headers, subject_digest) VALUES ('bus.notifications', $1, $2, '', $3)",
                    [.text(key), .bytes(body(key, mentions: mentions)), .text(SealingDigest.stateId("MO1234567"))])
            }
            try db.send(
                """
                INSERT INTO kit_outbox_failed (seq, topic, key, value, headers, subject_digest, reason, failed_at)
                VALUES (1000, 'bus.notifications', 'refused', $1, '', $2, 'message too large', '2025-06-15T00:00:00Z')
                """,
                [.bytes(body("refused", mentions: [marcus])), .text(SealingDigest.stateId("MO1234567"))])
            // The registered step as the migrator runs it (in pages of 2 here, so that paging is seen).
            #expect(try StorageMigrator.migrate(before + [OutboxMentions.migration(pageSize: 2)], in: db) == ["servicekit-sealing-v2"])
            #expect(try StorageMigrator.migrate(before + [OutboxMentions.migration(pageSize: 2)] + after, in: db) == after.map(\.id))
            try ServiceDatabase.appendToOutbox(
                [OutgoingMessage(topic: "bus.notifications", key: "both", value: body("both", mentions: [marcus, angela]), headers: [], subjectStateId: "MO1234567")], db)
        }
        let filed = { @Sendable (table: String) async throws -> [String: String?] in
            try await db.write { db in
                var filed: [String: String?] = [:]
                for row in try db.fetchAll("SELECT key, mention_digests FROM \(table)") {
                    filed[try row.get("key", as: String.self)] = try row.get("mention_digests", as: String?.self)
                }
                return filed
            }
        }
        let both = [marcus, angela].sorted().joined(separator: " ")
        #expect(try await filed("kit_outbox") == ["rewrite": marcus, "other": angela, "none": nil, "stubborn": marcus, "both": both])
        #expect(try await filed("kit_outbox_failed") == ["refused": marcus])

        // A listed-cases order leaves them (a contact is a record of no case).
        #expect(try await db.write { try SealingLedger($0).removeFromOutbox(order(scope: .listedCases), withdrawing: withdrawing) }.total == 0)

        let tally = try await db.write { try SealingLedger($0).removeFromOutbox(order(), withdrawing: withdrawing) }
        #expect(tally.rowsByTable == ["kit_outbox.person_mentioned": 2, "kit_outbox": 1, "kit_outbox_failed": 1])
        #expect(try await filed("kit_outbox") == ["rewrite": nil, "other": angela, "none": nil, "both": angela])
        #expect(try await filed("kit_outbox_failed") == [:])
        let left = try await db.write { try ServiceDatabase.outbox($0).map(\.message) }
        #expect(left.map(\.key) == ["rewrite", "other", "none", "both"])
        #expect(left.map(\.value) == [body("rewrite", mentions: []), body("other", mentions: [angela]), body("none", mentions: []), body("both", mentions: [angela])])
        #expect(left.map { $0.headers.count } == [1, 0, 0, 1])
        // Still filed under its subject: an order for him removes it.
        let subject = SealingOrder(
            kind: .sealed, orderId: "ORDER-REYES", issuingCourtId: "MO-CIRCUIT16", orderedOn: CalendarDate("2025-06-17")!,
            scope: .allRecords, caseNumbers: [], stateId: "MO1234567", fbiNumber: nil, orderedAtMilliseconds: 1_750_200_000_000, eventId: "e-2")
        #expect(try await db.write { try SealingLedger($0).removeFromOutbox(subject) }.rowsByTable == ["kit_outbox": 4])
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct OutboxMentionsPostgresTests {
    @Test func onPostgres() async throws { try await onFreshPostgres(OutboxMentionsTests.check) }
}
