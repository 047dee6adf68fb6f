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
    @Test func laterIncidentReportReplacesItsPeople() async throws {
        try await S.laterIncidentReportReplacesItsPeople(Self.fresh(), Self.fresh())
    }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await S.poisonEventsLeaveTheTablesUnchanged(Self.fresh()) }
}

/// The caseload scenarios on PostgreSQL 15, in a private cluster started for the suite (one
/// database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct CaseloadPostgresTests {
    typealias S = CaseloadScenarios

    @Test func caseDetailsAreThoseInForceAsOf() async throws { try await onFreshPostgres(S.caseDetailsAreThoseInForceAsOf) }
    @Test func endedCaseLeavesTheCaseload() async throws { try await onFreshPostgres(S.endedCaseLeavesTheCaseload) }
    @Test func reassignmentMovesTheSupervisee() async throws { try await onFreshPostgres(S.reassignmentMovesTheSupervisee) }
    @Test func agencyCaseloadHasEveryOfficersCases() async throws { try await onFreshPostgres(S.agencyCaseloadHasEveryOfficersCases) }
    @Test func policeFlagsAndTheSinceFilter() async throws { try await onFreshPostgres(S.policeFlagsAndTheSinceFilter) }
    @Test func violentIncidentFlagsVictimsAndSuspects() async throws { try await onFreshPostgres(S.violentIncidentFlagsVictimsAndSuspects) }
    @Test func warrantsAndDetainersSetAndCleared() async throws { try await onFreshPostgres(S.warrantsAndDetainersSetAndCleared) }
    @Test func scheduledReleaseMovedCancelledCompleted() async throws { try await onFreshPostgres(S.scheduledReleaseMovedCancelledCompleted) }
    @Test func applyingEveryEventTwiceChangesNothing() async throws { try await onFreshPostgres(S.applyingEveryEventTwiceChangesNothing) }
    @Test func factsReadBeforeTheCaseShowOnceItStarts() async throws {
        try await onFreshPostgres { first in try await onFreshPostgres { second in try await S.factsReadBeforeTheCaseShowOnceItStarts(first, second) } }
    }
    @Test func laterIncidentReportReplacesItsPeople() async throws {
        try await onFreshPostgres { first in try await onFreshPostgres { second in try await S.laterIncidentReportReplacesItsPeople(first, second) } }
    }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await onFreshPostgres(S.poisonEventsLeaveTheTablesUnchanged) }
}
