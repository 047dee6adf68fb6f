import Foundation
import GRDB
import Storage
import Testing

@testable import ServiceKit

@Suite struct DatabaseTests {
    let directory = TemporaryDirectory()

    /// Closing the database leaves the file whole on its own: the log copied into it and the
    /// log files removed, so a copy of the file alone holds every commit. (GRDB closes a pool's
    /// read-only readers last, and they could do neither: the log stayed, with the last commits.)
    @Test func closingLeavesTheFileWholeWithoutItsLog() async throws {
        let path = directory.path("probe.sqlite")
        let service = try makeProbeService(directory: directory)
        _ = try await service.apply((0..<50).map { TestArrest().consumed(offset: Int64($0)) })
        // Readers opened too, as a running service's queries open them.
        #expect(try await service.count("probe_applied") == 50)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        try await service.database.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the log is still there")
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        let copy = directory.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let rows = try await DatabaseQueue(path: copy).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM probe_applied") }
        #expect(rows == 50, "the file alone lacks commits")
    }

    /// A file damaged in its middle is found when the service opens it, not at a later write,
    /// and the error names the file.
    @Test func aDamagedDatabaseIsFoundAtStartAndNamed() async throws {
        let path = directory.path("probe.sqlite")
        do {
            let service = try makeProbeService(directory: directory)
            for start in stride(from: 0, to: 600, by: 100) {
                _ = try await service.apply((start..<start + 100).map { TestArrest().consumed(offset: Int64($0)) })
            }
            // Fold the log into the file so that the damage below hits real pages, after the
            // background checkpoint in flight: a `wal_checkpoint(TRUNCATE)` beside the
            // checkpointer's passive copy returned busy, unchecked, and the file kept its first
            // page only, so the damage missed it (one CI run of three, 2026-12-04).
            service.database.waitForCheckpoint()
            let pool = try #require((service.database.storage as? SQLiteStorage)?.writer)
            let checkpoint = try await pool.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            let busy: Int? = checkpoint?[0]
            #expect(busy == 0, "the log was not folded into the file")
        }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size > 16 * 4_096)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(size / 2))
        try handle.write(contentsOf: Data(repeating: 0x5a, count: 3 * 4_096))
        try handle.close()

        #expect {
            _ = try makeProbeService(directory: directory)
        } throws: { error in
            guard let error = error as? ServiceDatabaseError else { return false }
            return error.kind == .damaged && error.description.contains(path)
        }
    }

    /// A service database SQLite creates has the services' small pages (each commit appends
    /// whole pages to the log); one made before keeps its pages and opens as before.
    @Test func newDatabasesHaveSmallPagesAndOldOnesKeepTheirs() async throws {
        func pageSize(_ database: ServiceDatabase) async throws -> SQLValue? {
            try await database.read { try $0.fetchAll("PRAGMA page_size", []).first?.values.first }
        }
        let fresh = try ServiceDatabase(path: directory.path("fresh.sqlite"), migrations: [])
        #expect(try await pageSize(fresh) == .integer(Int64(ServiceDatabase.defaultPageSize)))
        #expect(ServiceDatabase.defaultPageSize < 4_096)

        let oldPath = directory.path("old.sqlite")
        do {
            let old = try DatabaseQueue(path: oldPath)  // SQLite's defaults: 4 KiB pages
            try await old.write { db in try db.execute(sql: "CREATE TABLE earlier (id INTEGER PRIMARY KEY)") }
            try old.close()
        }
        let reopened = try ServiceDatabase(path: oldPath, migrations: [
            .script("later", "CREATE TABLE later (id TEXT PRIMARY KEY NOT NULL)"),
        ])
        #expect(try await pageSize(reopened) == .integer(4_096))
        try await reopened.write { try $0.execute("INSERT INTO later (id) VALUES ($1)", ["a"]) }
        let count = try await reopened.read { try $0.fetchOne("SELECT count(*) AS n FROM later")?.get("n", as: Int.self) }
        #expect(count == 1)
    }

    /// The events of a batch with a poison message are applied in savepoints; their journals
    /// must not go through a temporary file per event (SQLite's default here), on the writer
    /// nor on a reader's connection.
    @Test func savepointJournalsStayInMemory() async throws {
        let database = try ServiceDatabase(path: directory.path("router.sqlite"), migrations: [])
        let memory: Int64 = 2  // PRAGMA temp_store: 0 default, 1 file, 2 memory
        let written = try await database.write { transaction in
            try transaction.savepoint { try transaction.fetchAll("PRAGMA temp_store", []).first?.values.first }
        }
        #expect(written == .integer(memory))
        let read = try await database.storage.read { try $0.fetchAll("PRAGMA temp_store", []).first?.values.first }
        #expect(read == .integer(memory))
    }

    /// Each connection's page cache: a service's 16 MiB unless asked for another (a replay's).
    @Test func theCacheIsTheServicesUnlessAskedForAnother() async throws {
        func cacheSize(_ database: ServiceDatabase) async throws -> SQLValue? {
            let read = try await database.read { try $0.fetchAll("PRAGMA cache_size", []).first?.values.first }
            let written = try await database.write { try $0.fetchAll("PRAGMA cache_size", []).first?.values.first }
            #expect(read == written)
            return written
        }
        let service = try ServiceDatabase(path: directory.path("service.sqlite"), migrations: [])
        #expect(try await cacheSize(service) == .integer(-16_384))
        let larger = try ServiceDatabase(path: directory.path("larger.sqlite"), migrations: [], cacheKibibytes: 262_144)
        #expect(try await cacheSize(larger) == .integer(-262_144))
    }

    @Test func aDataDirectoryThatIsAFileIsNamed() throws {
        let file = directory.path("not-a-directory")
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect {
            _ = try ServiceDatabase(path: file + "/router.sqlite", migrations: [])
        } throws: { error in
            guard let error = error as? ServiceDatabaseError else { return false }
            return error.kind == .dataDirectoryIsAFile && error.description.contains(file) && !error.description.contains("NSCocoaErrorDomain")
        }
    }

    @Test func aFileThatIsNotADatabaseIsNamed() throws {
        let path = directory.path("router.sqlite")
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 8_192))
        #expect {
            _ = try ServiceDatabase(path: path, migrations: [])
        } throws: { error in
            guard let error = error as? ServiceDatabaseError else { return false }
            return error.kind == .cannotOpen && error.description.contains(path)
        }
    }

    /// Applied event ids are forgotten once their topic's retention has passed on the
    /// stream's clock: over three retention windows of events the table stays flat.
    @Test func appliedEventIdsStayBoundedOverThreeRetentionWindows() async throws {
        let window: Int64 = 60_000
        let service = try makeProbeService(
            directory: directory, retention: EventIdRetention(byTopic: ["police.arrests": .milliseconds(window)]))
        let perBatch = 50
        let batchesPerWindow = 10
        var counts: [Int] = []
        var offset: Int64 = 0
        for batch in 0..<(3 * batchesPerWindow) {
            let time = Int64(batch) * window / Int64(batchesPerWindow)
            let messages = (0..<perBatch).map { index in
                TestArrest().consumed(offset: offset + Int64(index), timestamp: time + Int64(index))
            }
            offset += Int64(perBatch)
            _ = try await service.apply(messages)
            counts.append(try await service.database.rememberedEventIds())
        }
        // One window holds batchesPerWindow batches; pruning lags by at most one batch.
        let bound = (batchesPerWindow + 1) * perBatch
        #expect(counts.max()! <= bound, "remembered ids per batch: \(counts)")
        #expect(counts.last! >= batchesPerWindow * perBatch - perBatch)
        // The projection's own state is not the runtime's to prune.
        #expect(try await service.count("probe_applied") == 3 * batchesPerWindow * perBatch)
    }

    /// A replay (fresh database, same messages) forgets exactly as the first run did: the
    /// clock is the stream's, not the wall's.
    @Test func forgettingIsTheSameOnReplay() async throws {
        let messages = (0..<200).map { TestArrest().consumed(offset: Int64($0), timestamp: Int64($0) * 1_000) }
        var remembered: [Int] = []
        for run in 0..<2 {
            let runDirectory = TemporaryDirectory()
            let service = try makeProbeService(
                directory: runDirectory, retention: EventIdRetention(byTopic: ["police.arrests": .seconds(30)]))
            for start in stride(from: 0, to: 200, by: 40) { _ = try await service.apply(Array(messages[start..<start + 40])) }
            remembered.append(try await service.database.rememberedEventIds())
            _ = run
        }
        #expect(remembered[0] == remembered[1])
        #expect(remembered[0] < 200)
    }
}
