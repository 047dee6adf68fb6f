import Foundation
import Logging
import Storage
import Testing
import TestSupport

/// The storage conformance tests on PostgreSQL 15, in a private cluster started for the suite
/// (one database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct PostgresStorageTests {
    static func logger() -> Logger {
        var logger = Logger(label: "storage-tests")
        logger.logLevel = .warning
        return logger
    }

    /// A fresh database in the suite's cluster; its connection is closed after `check`.
    func onFreshDatabase(_ check: (any StorageDatabase) async throws -> Void) async throws {
        let cluster = try #require(PostgresCluster.current)
        let name = try await cluster.createDatabase()
        let database = PostgresStorage(configuration: try .init(url: cluster.url(database: name)), logger: Self.logger())
        do {
            try await check(database)
            try await database.close()
        } catch {
            try await database.close()
            throw error
        }
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
    @Test func aForeignKeyAddedInTheTransactionIsSeen() async throws { try await onFreshDatabase(HeldInsertsChecks.aForeignKeyAddedInTheTransactionIsSeen) }
    @Test func aSentSettingWritesWhatIsHeldFirst() async throws { try await onFreshDatabase(HeldInsertsChecks.aSentSettingWritesWhatIsHeldFirst) }
    @Test func sentStatementsRunInOrder() async throws { try await onFreshDatabase(StorageConformance.sentStatementsRunInOrder) }
    @Test func aFailedSentStatementIsReportedAsItself() async throws { try await onFreshDatabase(StorageConformance.aFailedSentStatementIsReportedAsItself) }
    @Test func rememberedReadsLastUntilForgottenOrRolledBack() async throws { try await onFreshDatabase(StorageConformance.rememberedReadsLastUntilForgottenOrRolledBack) }
    @Test func migratorAppliesEachStepOnce() async throws { try await onFreshDatabase(MigratorConformance.appliesEachStepOnce) }
    @Test func migratorFailingStepLeavesNothing() async throws { try await onFreshDatabase(MigratorConformance.aFailingStepLeavesNothing) }
    @Test func migratorRefusesANewerSchema() async throws { try await onFreshDatabase(MigratorConformance.aNewerSchemaIsRefusedUntouched) }
    @Test func migratorRefusesDuplicateIds() async throws { try await onFreshDatabase(MigratorConformance.duplicateIdsAreRefused) }

    /// PostgreSQL stopping: a transaction fails with a retriable `.unavailable` naming the
    /// database, nothing of it is kept, and once the server is back the next transaction
    /// reconnects by itself. Runs its own cluster, so the suite's stays up.
    @Test func stoppedServerIsUnavailableThenReconnects() async throws {
        try await PostgresCluster.with { cluster in
            let name = try await cluster.createDatabase()
            let database = PostgresStorage(configuration: try .init(url: cluster.url(database: name)), logger: Self.logger())
            try await StorageConformance.createPeople(database)
            try await database.write { try $0.execute("INSERT INTO person (id) VALUES ($1)", ["p-1"]) }

            try await cluster.stop(.immediate)
            let error = await #expect(throws: StorageError.self) {
                try await database.write { try $0.execute("INSERT INTO person (id) VALUES ($1)", ["p-2"]) }
            }
            #expect(error?.kind == .unavailable)
            #expect(error?.isRetriable == true)
            #expect(error?.database == database.location)
            // While it is down, connecting again fails the same way.
            let again = await #expect(throws: StorageError.self) { try await StorageConformance.ids(database) }
            #expect(again?.kind == .unavailable)

            try await cluster.start()
            try await database.write { try $0.execute("INSERT INTO person (id) VALUES ($1)", ["p-3"]) }
            #expect(try await StorageConformance.ids(database) == ["p-1", "p-3"])
            try await database.close()
        }
    }

    /// A cluster whose owner is cancelled (`bench replay` interrupted by Ctrl-C or SIGTERM) is
    /// still stopped and removed before `with` returns: no server answers on its port and its
    /// directory is gone, rather than a postgres left running over a deleted directory.
    @Test func cancelledOwnerStillStopsAndRemovesItsCluster() async throws {
        let (started, announce) = AsyncStream<PostgresCluster>.makeStream()
        let owner = Task {
            try await PostgresCluster.with { cluster in
                announce.yield(cluster)
                try await Task.sleep(for: .seconds(3_600))
            }
        }
        var clusters = started.makeAsyncIterator()
        let cluster = try #require(await clusters.next())
        #expect(cluster.isRunning)
        // The server's process id, from the first line of its lock file.
        let lockFile = try String(contentsOf: cluster.directory.appendingPathComponent("data/postmaster.pid"), encoding: .utf8)
        let server = try #require(lockFile.split(separator: "\n").first.flatMap { pid_t($0) })
        owner.cancel()
        await #expect(throws: CancellationError.self) { try await owner.value }

        // Exited and reaped before `with` returned, not merely signalled.
        #expect(kill(server, 0) == -1 && errno == ESRCH, "the server (pid \(server)) is still there")
        #expect(!cluster.isRunning)
        #expect(!FileManager.default.fileExists(atPath: cluster.directory.path))
        let database = PostgresStorage(configuration: try .init(url: cluster.url(database: "postgres")), logger: Self.logger())
        let error = await #expect(throws: StorageError.self) { try await database.read { try $0.fetchAll("SELECT 1", []) } }
        #expect(error?.kind == .unavailable)
        try await database.close()
    }
}

/// `postgres://` URLs, checked without a server.
@Suite struct PostgresConfigurationTests {
    @Test func readsEveryPartAndNeverPrintsThePassword() throws {
        let configuration = try PostgresStorage.Configuration(url: "postgres://bus:s3cret@db.example.org:6543/reentry")
        #expect(configuration == PostgresStorage.Configuration(
            host: "db.example.org", port: 6543, username: "bus", password: "s3cret", database: "reentry"))
        #expect(configuration.location == "postgres://bus@db.example.org:6543/reentry")
        #expect(try PostgresStorage.Configuration(url: "postgresql://bus@localhost/reentry").port == 5432)
    }

    @Test(arguments: [
        ("mysql://bus@host/db", "database URL"),
        ("postgres://bus@/db", "host"),
        ("postgres://host/db", "user"),
        ("postgres://bus@host", "database"),
        ("postgres://bus@host/a/b", "database"),
    ])
    func rejectsAnIncompleteURLNamingThePart(url: String, field: String) {
        let error = #expect(throws: StorageError.self) { try PostgresStorage.Configuration(url: url) }
        guard case .invalidConfiguration(let named, _)? = error?.kind else {
            Issue.record("expected an invalid configuration, got \(String(describing: error))")
            return
        }
        #expect(named == field)
    }
}
