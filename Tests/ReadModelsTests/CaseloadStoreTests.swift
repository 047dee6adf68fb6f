import Logging
import Storage
import Testing
import TestSupport

/// The caseload scenarios (`CaseloadScenarios`) on an in-memory SQLite database each.
@Suite struct CaseloadSQLiteTests {
    typealias S = CaseloadScenarios
    static func fresh() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }

    @Test func caseDetailsAreThoseInForceAsOf() async throws { try await S.caseDetailsAreThoseInForceAsOf(Self.fresh()) }
    @Test func endedCaseLeavesTheCaseload() async throws { try await S.endedCaseLeavesTheCaseload(Self.fresh()) }
    @Test func reassignmentMovesTheSupervisee() async throws { try await S.reassignmentMovesTheSupervisee(Self.fresh()) }
    @Test func agencyCaseloadHasEveryOfficersCases() async throws { try await S.agencyCaseloadHasEveryOfficersCases(Self.fresh()) }
    @Test func policeFlagsAndTheSinceFilter() async throws { try await S.policeFlagsAndTheSinceFilter(Self.fresh()) }
    @Test func violentIncidentFlagsVictimsAndSuspects() async throws { try await S.violentIncidentFlagsVictimsAndSuspects(Self.fresh()) }
    @Test func warrantsAndDetainersSetAndCleared() async throws { try await S.warrantsAndDetainersSetAndCleared(Self.fresh()) }
    @Test func scheduledReleaseMovedCancelledCompleted() async throws { try await S.scheduledReleaseMovedCancelledCompleted(Self.fresh()) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await S.applyingEveryEventTwiceChangesNothing(Self.fresh()) }
    @Test func factsReadBeforeTheCaseShowOnceItStarts() async throws {
        try await S.factsReadBeforeTheCaseShowOnceItStarts(Self.fresh(), Self.fresh())
    }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await S.poisonEventsLeaveTheTablesUnchanged(Self.fresh()) }
}

/// The caseload scenarios on PostgreSQL 15, in a private cluster started for the suite (one
/// database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct CaseloadPostgresTests {
    typealias S = CaseloadScenarios

    @Test func caseDetailsAreThoseInForceAsOf() async throws { try await ViewPostgres.onFresh(S.caseDetailsAreThoseInForceAsOf) }
    @Test func endedCaseLeavesTheCaseload() async throws { try await ViewPostgres.onFresh(S.endedCaseLeavesTheCaseload) }
    @Test func reassignmentMovesTheSupervisee() async throws { try await ViewPostgres.onFresh(S.reassignmentMovesTheSupervisee) }
    @Test func agencyCaseloadHasEveryOfficersCases() async throws { try await ViewPostgres.onFresh(S.agencyCaseloadHasEveryOfficersCases) }
    @Test func policeFlagsAndTheSinceFilter() async throws { try await ViewPostgres.onFresh(S.policeFlagsAndTheSinceFilter) }
    @Test func violentIncidentFlagsVictimsAndSuspects() async throws { try await ViewPostgres.onFresh(S.violentIncidentFlagsVictimsAndSuspects) }
    @Test func warrantsAndDetainersSetAndCleared() async throws { try await ViewPostgres.onFresh(S.warrantsAndDetainersSetAndCleared) }
    @Test func scheduledReleaseMovedCancelledCompleted() async throws { try await ViewPostgres.onFresh(S.scheduledReleaseMovedCancelledCompleted) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await ViewPostgres.onFresh(S.applyingEveryEventTwiceChangesNothing) }
    @Test func factsReadBeforeTheCaseShowOnceItStarts() async throws {
        try await ViewPostgres.onFresh { first in try await ViewPostgres.onFresh { second in try await S.factsReadBeforeTheCaseShowOnceItStarts(first, second) } }
    }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await ViewPostgres.onFresh(S.poisonEventsLeaveTheTablesUnchanged) }
}

/// Fresh PostgreSQL databases in the running suite's cluster (`.postgresCluster`).
enum ViewPostgres {
    static func logger() -> Logger {
        var logger = Logger(label: "read-model-tests")
        logger.logLevel = .warning
        return logger
    }

    /// A fresh database in the suite's cluster; its connection is closed after `check`.
    static func onFresh(_ check: (any StorageDatabase) async throws -> Void) async throws {
        let cluster = try #require(PostgresCluster.current)
        let name = try await cluster.createDatabase()
        let database = PostgresStorage(configuration: try .init(url: cluster.url(database: name)), logger: logger())
        do {
            try await check(database)
            try await database.close()
        } catch {
            try await database.close()
            throw error
        }
    }
}
