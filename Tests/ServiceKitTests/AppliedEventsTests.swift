import Storage
import TestSupport
import Testing

@testable import ServiceKit

/// A batch's event ids are recorded as applied a chunk of statements at a time; what each event
/// is found to be (new, a redelivery, another event reusing an id) must be what recording them
/// one after the other would find, across batches and within one.
@Suite struct AppliedEventsTests {
    let directory = TemporaryDirectory()

    @Test func chunksArePowersOfTwoAtMostTheLargestAndKeepTheOrder() {
        #expect(MultiRowStatement.chunks(of: Array(0..<5_000)).map(\.count) == Array(repeating: 512, count: 9) + [256, 128, 8])
        #expect(MultiRowStatement.chunks(of: [Int]()).isEmpty)
        for count in [1, 2, 3, 7, 511, 512, 513, 1_100] {
            let rows = Array(0..<count)
            let chunks = MultiRowStatement.chunks(of: rows)
            #expect(chunks.flatMap { $0 } == rows)
            #expect(chunks.allSatisfy { $0.count <= MultiRowStatement.largestChunk && $0.count.nonzeroBitCount == 1 })
        }
    }

    /// Padded chunks: one a 512 rows, each a power of two long, holding the rows in order and
    /// then the chunk's last row repeated.
    @Test func paddedChunksRepeatTheLastRowUpToAPowerOfTwo() {
        #expect(MultiRowStatement.paddedChunks(of: [Int]()).isEmpty)
        #expect(MultiRowStatement.paddedChunks(of: [1, 2, 3]) == [[1, 2, 3, 3]])
        #expect(MultiRowStatement.paddedChunks(of: [1, 2, 3, 4]) == [[1, 2, 3, 4]])
        for count in [1, 5, 511, 512, 513, 1_100] {
            let rows = Array(0..<count)
            let chunks = MultiRowStatement.paddedChunks(of: rows)
            #expect(chunks.count == (count + 511) / 512)
            #expect(chunks.allSatisfy { $0.count <= MultiRowStatement.largestChunk && $0.count.nonzeroBitCount == 1 })
            #expect(chunks.flatMap { Array(Set($0)) }.sorted() == rows, "\(count)")
            #expect(chunks.allSatisfy { chunk in chunk.drop { $0 != chunk.max() }.allSatisfy { $0 == chunk.max() } })
        }
    }

    @Test func recordingOnSQLiteFindsWhatRecordingOneByOneWould() async throws {
        let database = try ServiceDatabase(path: directory.path("applied.sqlite"), migrations: [])
        try await AppliedEventsCheck.run(database)
    }

    /// A batch applied again after a commit whose answer was lost (PostgreSQL's connection
    /// dropped during COMMIT: reported unavailable, retried) finds its messages applied and
    /// hands over what the commit queued, for delivery now rather than after the next batch
    /// that emits something, which on a quiet stream may not come.
    @Test func aBatchAppliedAgainAfterALostCommitAnswerHandsOverWhatThatCommitQueued() async throws {
        let service = try makeProbeService(directory: directory)
        let batch = (0..<3).map { TestArrest().consumed(offset: Int64($0)) }
        let first = try await service.apply(batch)
        #expect(first.applied == 3 && first.outbox.count == 3)
        // The answer never came: nothing was handed to the producer (`published` stays 0).
        let again = try await service.apply(batch)
        #expect(again.applied == 0)
        #expect(again.outbox.map(\.seq) == first.outbox.map(\.seq))
    }

    /// Through the service: an id an earlier batch applied is a redelivery with the same bytes
    /// and a reuse with others, and a batch of more events than one statement records applies each.
    @Test func aLaterBatchFindsTheIdsAnEarlierOneRecorded() async throws {
        let service = try makeProbeService(directory: directory)
        let arrests = (0..<600).map { _ in TestArrest() }
        let first = try await service.apply(arrests.enumerated().map { $1.consumed(offset: Int64($0)) })
        #expect(first.applied == 600 && first.duplicates == 0)
        var reusing = arrests[1]
        reusing.arrestId = "KCPD-A-25-099999"
        let second = try await service.apply([
            arrests[0].consumed(offset: 600), reusing.consumed(offset: 601), TestArrest().consumed(offset: 602),
        ])
        #expect(second.applied == 1)
        #expect(second.duplicates == 1)
        #expect(second.reusedIds == 1)
        #expect(try await service.deadLetters().first?.value == reusing.value)
        #expect(try await service.count("probe_applied") == 601)
        #expect(try await service.database.rememberedEventIds() == 601)
    }
}

/// The outbox rows a batch writes together keep the order the messages were emitted in (the
/// producer sends them in sequence order), past one statement's rows, on either database.
enum OutboxOrderCheck {
    static func run(_ service: EventConsumerService) async throws {
        let arrests = (0..<700).map { _ in TestArrest() }
        let outcome = try await service.apply(arrests.enumerated().map { $1.consumed(offset: Int64($0)) })
        let expected = arrests.map(\.eventId)
        #expect(outcome.outbox.map { String(decoding: $0.message.value, as: UTF8.self) } == expected)
        let stored = try await service.database.read { try ServiceDatabase.outbox($0) }
        #expect(stored.map { String(decoding: $0.message.value, as: UTF8.self) } == expected)
        #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.seq < $1.seq })
    }
}

@Suite struct OutboxOrderTests {
    let directory = TemporaryDirectory()

    @Test func aBatchsMessagesKeepTheirOrderOnSQLite() async throws {
        try await OutboxOrderCheck.run(try makeProbeService(directory: directory))
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)))
struct AppliedEventsPostgresTests {
    @Test func recordingOnPostgresFindsWhatRecordingOneByOneWould() async throws {
        try await PostgresCluster.with { cluster in
            let url = cluster.url(database: try await cluster.createDatabase())
            let storage = PostgresStorage(configuration: try PostgresStorage.Configuration(url: url).inSchema("applied"), logger: testLogger)
            try await AppliedEventsCheck.run(try await ServiceDatabase.open(postgres: storage, migrations: []))
            try await storage.close()
        }
    }

    @Test func aBatchsMessagesKeepTheirOrderOnPostgres() async throws {
        let directory = TemporaryDirectory()
        try await PostgresCluster.with { cluster in
            let url = cluster.url(database: try await cluster.createDatabase())
            let storage = PostgresStorage(configuration: try PostgresStorage.Configuration(url: url).inSchema("probe"), logger: testLogger)
            try await OutboxOrderCheck.run(try makeProbeService(directory: directory, postgres: storage))
            try await storage.close()
        }
    }
}

/// The same check on either database.
enum AppliedEventsCheck {
    static func event(_ id: String, _ hash: UInt8) -> ServiceDatabase.AppliedEvent {
        ServiceDatabase.AppliedEvent(eventId: id, contentHash: [hash], forgetAfterMilliseconds: 1_000)
    }

    /// `records` as runs ("new ×300, duplicate"), so that a failure reads in one line.
    static func runs(_ records: [ServiceDatabase.AppliedEventRecord]) -> String {
        var runs: [(record: ServiceDatabase.AppliedEventRecord, count: Int)] = []
        for record in records {
            if runs.last?.record == record { runs[runs.count - 1].count += 1 } else { runs.append((record, 1)) }
        }
        return runs.map { $0.count == 1 ? "\($0.record)" : "\($0.record) ×\($0.count)" }.joined(separator: ", ")
    }

    static func run(_ database: ServiceDatabase) async throws {
        // Recorded before: one with a hash, one from before contents were recorded (no hash).
        let before = try await database.write { db in
            try ServiceDatabase.recordApplied([event("kept", 1)], db)
        }
        #expect(before == [.new])
        try await database.write { db in
            _ = try db.execute("INSERT INTO kit_applied_events (event_id) VALUES ($1)", [.text("old")])
        }
        // 700 new ids (more than one statement's rows), with the earlier ones and copies between.
        let fresh = (0..<700).map { event("e\($0)", 7) }
        let batch = [event("kept", 1), event("kept", 2), event("old", 9)] + fresh[0..<300]
            + [event("e5", 7), event("e6", 8)] + fresh[300...] + [event("e699", 7)]
        let records = try await database.write { db in try ServiceDatabase.recordApplied(batch, db) }
        #expect(runs(records) == "duplicate, reused, duplicate, new ×300, duplicate, reused, new ×400, duplicate")
        #expect(try await database.rememberedEventIds() == 702)
        // A copy reusing an id first seen in the same batch, then the same id again.
        let again = try await database.write { db in
            try ServiceDatabase.recordApplied([event("n", 1), event("n", 2), event("n", 1), event("e0", 7)], db)
        }
        #expect(again == [.new, .reused, .duplicate, .duplicate])
        let stored = try await database.read { db in
            try db.fetchOne("SELECT forget_after_ms FROM kit_applied_events WHERE event_id = $1", [.text("e650")])?
                .get("forget_after_ms", as: Int64?.self)
        }
        #expect(stored == 1_000)
    }
}
