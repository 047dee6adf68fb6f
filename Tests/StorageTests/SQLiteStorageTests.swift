import Foundation
import Storage
import Testing

/// The storage conformance tests on SQLite: a WAL database file, as the services open.
@Suite struct SQLiteStorageTests {
    /// A fresh database file in a directory of its own, removed after `check`.
    func onFreshDatabase(_ check: (any StorageDatabase) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            do { try FileManager.default.removeItem(at: directory) } catch { Issue.record(error, "removing \(directory.path)") }
        }
        try await check(try SQLiteStorage(path: directory.appendingPathComponent("test.sqlite").path))
    }

    @Test func typedValuesRoundTrip() async throws { try await onFreshDatabase(StorageConformance.typedValuesRoundTrip) }
    @Test func conflictIgnoreAndUpsert() async throws { try await onFreshDatabase(StorageConformance.conflictIgnoreAndUpsert) }
    @Test func placeholdersBindByNumber() async throws { try await onFreshDatabase(StorageConformance.placeholdersBindByNumber) }
    @Test func rollbackLeavesNothing() async throws { try await onFreshDatabase(StorageConformance.rollbackLeavesNothing) }
    @Test func uniqueViolationNamesConstraint() async throws { try await onFreshDatabase(StorageConformance.uniqueViolationNamesConstraint) }
    @Test func transactionIsAllOrNothing() async throws { try await onFreshDatabase(StorageConformance.transactionIsAllOrNothing) }
    @Test func savepointRollsBackItsPartOnly() async throws { try await onFreshDatabase(StorageConformance.savepointRollsBackItsPartOnly) }

    /// BYTEA has NUMERIC affinity in SQLite: a blob still stays a blob (no conversion), and an
    /// integer in a BIGINT column stays an integer.
    @Test func sharedColumnTypesKeepTheirStorageClass() async throws {
        try await onFreshDatabase { database in
            try await StorageConformance.createPeople(database)
            let types = try await database.write { transaction in
                try transaction.execute("INSERT INTO person (id, age, photo) VALUES ($1, $2, $3)", ["p-1", 7, .bytes([0x31, 0x32])])
                return try transaction.fetchOne("SELECT typeof(age) AS age, typeof(photo) AS photo FROM person")
            }
            #expect(types == StorageRow(columns: ["age", "photo"], values: ["integer", "blob"]))
        }
    }
}
