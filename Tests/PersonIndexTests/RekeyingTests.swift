import LocalPostgres
import PersonIndex
import Storage
import TestSupport
import Testing

@testable import PersonIndexStore

/// Keying stored records again (`person-index-v6`) a page of records at a time (the keys a
/// chunk at a time): what it writes is what adding the records wrote, whatever the page size.
@Suite struct RekeyingTests {
    @Test func keyingAgainInPagesWritesWhatAddingTheRecordsWrote() async throws {
        try await IndexUnderTest.run { index in
            let records = [IndexRecords.jail, IndexRecords.typo, IndexRecords.swapped, IndexRecords.maria1, IndexRecords.maria2]
            for record in records { _ = try await index.add(record) }
            let written = try await keys(index)
            #expect(written.count > 3 * records.count)
            _ = try await index.database.write { try $0.execute("DELETE FROM person_index_blocking_keys") }
            let read = try await index.database.write { try PersonIndexStore.rekey($0, matcher: IncrementalMatcher(), page: 2) }
            #expect(read == records.count)
            #expect(try await keys(index) == written)
            // Again: every key is there already, nothing changes.
            _ = try await index.database.write { try PersonIndexStore.rekey($0, matcher: IncrementalMatcher(), page: 5) }
            #expect(try await keys(index) == written)
        }
    }

    private func keys(_ index: IndexUnderTest) async throws -> Set<String> {
        try await index.database.read { db in
            Set(try db.fetchAll("SELECT block_key, record_id FROM person_index_blocking_keys").map {
                "\(try $0.get("block_key", as: String.self)) \(try $0.get("record_id", as: String.self))"
            })
        }
    }
}

/// The same on PostgreSQL 15 (a fresh database per test); skipped, saying why, where PostgreSQL
/// is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct RekeyingPostgresTests {
    @Test func keyingAgainInPagesWritesWhatAddingTheRecordsWrote() async throws {
        try await RekeyingTests().keyingAgainInPagesWritesWhatAddingTheRecordsWrote()
    }
}
