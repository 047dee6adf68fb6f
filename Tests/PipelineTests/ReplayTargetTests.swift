import Foundation
import ServiceKit
import Storage
import TestSupport
import Testing

@testable import Pipeline

/// The file a SQLite replay builds: opened with the replay's page cache, not a service's.
@Suite struct ReplayTargetTests {
    @Test func theRebuildsFileHasTheReplaysCache() async throws {
        let directory = temporaryDirectory("reentrybus-replay-target")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let options = ReplayOptions()
        let target = ReplaySQLiteTarget(
            path: directory.appendingPathComponent("router.sqlite").path, cacheKibibytes: options.sqliteCacheMebibytes * 1_024,
            logger: testLogger)
        for database in [try await target.openFresh(migrations: []), try await target.reopen(migrations: [])] {
            let cache = try await database.write { try $0.fetchAll("PRAGMA cache_size", []).first?.values.first }
            #expect(cache == .integer(-262_144), "256 MiB, in KiB")
            try await database.close()
        }
        #expect(await target.discard())
    }
}
