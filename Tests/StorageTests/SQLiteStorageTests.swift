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
    @Test func blockingWriteIsOneTransaction() async throws { try await onFreshDatabase(StorageConformance.blockingWriteIsOneTransaction) }
    @Test func uniqueViolationNamesConstraint() async throws { try await onFreshDatabase(StorageConformance.uniqueViolationNamesConstraint) }
    @Test func transactionIsAllOrNothing() async throws { try await onFreshDatabase(StorageConformance.transactionIsAllOrNothing) }
    @Test func savepointRollsBackItsPartOnly() async throws { try await onFreshDatabase(StorageConformance.savepointRollsBackItsPartOnly) }
    @Test func statementTimeCountsStatementsOnly() async throws { try await onFreshDatabase(StorageConformance.statementTimeCountsStatementsOnly) }
    @Test func statementCountCountsEachStatementOnce() async throws { try await onFreshDatabase(StorageConformance.statementCountCountsEachStatementOnce) }
    @Test func interleavedRowsAreAllWrittenInFewStatements() async throws { try await onFreshDatabase(HeldInsertsChecks.interleavedRowsAreAllWrittenInFewStatements) }
    @Test func upsertsOfOneKeyApplyInTurn() async throws { try await onFreshDatabase(HeldInsertsChecks.upsertsOfOneKeyApplyInTurn) }
    @Test func tablesTiedByAForeignKeyAreWrittenInOrder() async throws { try await onFreshDatabase(HeldInsertsChecks.tablesTiedByAForeignKeyAreWrittenInOrder) }
    @Test func rowsOfARolledBackSavepointAreNotWritten() async throws { try await onFreshDatabase(HeldInsertsChecks.rowsOfARolledBackSavepointAreNotWritten) }
    @Test func sentStatementsRunInOrder() async throws { try await onFreshDatabase(StorageConformance.sentStatementsRunInOrder) }
    @Test func aFailedSentStatementIsReportedAsItself() async throws { try await onFreshDatabase(StorageConformance.aFailedSentStatementIsReportedAsItself) }
    @Test func rememberedReadsLastUntilForgottenOrRolledBack() async throws { try await onFreshDatabase(StorageConformance.rememberedReadsLastUntilForgottenOrRolledBack) }
    @Test func migratorAppliesEachStepOnce() async throws { try await onFreshDatabase(MigratorConformance.appliesEachStepOnce) }
    @Test func migratorFailingStepLeavesNothing() async throws { try await onFreshDatabase(MigratorConformance.aFailingStepLeavesNothing) }
    @Test func migratorRefusesANewerSchema() async throws { try await onFreshDatabase(MigratorConformance.aNewerSchemaIsRefusedUntouched) }
    @Test func migratorRefusesDuplicateIds() async throws { try await onFreshDatabase(MigratorConformance.duplicateIdsAreRefused) }

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

    /// A file migrated by GRDB's migrator before this runner (its ids in `grdb_migrations`)
    /// goes on from where it stood: recorded steps are not run again, new ones are.
    @Test func stepsRecordedByGRDBAreTakenOver() async throws {
        try await onFreshDatabase { database in
            let sqlite = try #require(database as? SQLiteStorage)
            try await sqlite.writer.write { db in
                try db.execute(sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations (identifier) VALUES ('people-v1');
                    CREATE TABLE person (id TEXT PRIMARY KEY);
                    """)
            }
            let applied = try sqlite.migrate(MigratorConformance.steps)
            #expect(applied == ["people-v2"])
            #expect(try await MigratorConformance.applied(database) == ["people-v1", "people-v2"])
        }
    }

    /// Rebuilding a table that others reference (SQLite's way to change a primary key) keeps
    /// the references: foreign keys are off during the run and checked before the commit, and
    /// a run that leaves a dangling reference commits nothing.
    @Test func aRebuildKeepsReferencesAndADanglingOneCommitsNothing() async throws {
        try await onFreshDatabase { database in
            let sqlite = try #require(database as? SQLiteStorage)
            let base: [StorageMigration] = [
                .script("v1", """
                    CREATE TABLE parent (id TEXT PRIMARY KEY);
                    CREATE TABLE child (parent_id TEXT NOT NULL REFERENCES parent (id));
                    INSERT INTO parent (id) VALUES ('p');
                    INSERT INTO child (parent_id) VALUES ('p');
                    """),
                .script("v2", """
                    CREATE TABLE parent_rebuilt (id TEXT NOT NULL UNIQUE);
                    INSERT INTO parent_rebuilt (id) SELECT id FROM parent;
                    DROP TABLE parent;
                    ALTER TABLE parent_rebuilt RENAME TO parent;
                    """),
            ]
            #expect(try sqlite.migrate(base) == ["v1", "v2"])
            let dangling = base + [.script("v3", "DELETE FROM parent")]
            let error = #expect(throws: StorageError.self) { try sqlite.migrate(dangling) }
            #expect(error?.kind == .constraintViolation)
            let parents = try await database.read { try $0.fetchAll("SELECT id FROM parent").count }
            #expect(parents == 1)
        }
    }
}
