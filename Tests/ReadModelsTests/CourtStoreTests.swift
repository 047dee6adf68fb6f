import Storage
import Testing
import TestSupport

/// The court view scenarios (`CourtScenarios`) on an in-memory SQLite database each.
@Suite struct CourtSQLiteTests {
    typealias S = CourtScenarios
    static func fresh() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }

    @Test func activeWarrantsOfTheCourt() async throws { try await S.activeWarrantsOfTheCourt(Self.fresh()) }
    @Test func releasesBlockedByTheCourtsWarrants() async throws { try await S.releasesBlockedByTheCourtsWarrants(Self.fresh()) }
    @Test func outOfOrderAndMatchedOnEitherNumber() async throws { try await S.outOfOrderAndMatchedOnEitherNumber(Self.fresh()) }
    @Test func reopenedAndIdentifiedOverItsEvents() async throws { try await S.reopenedAndIdentifiedOverItsEvents(Self.fresh()) }
    @Test func repeatsAndOrderChangeNothing() async throws { try await S.repeatsAndOrderChangeNothing(Self.fresh(), Self.fresh()) }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await S.poisonEventsLeaveTheTablesUnchanged(Self.fresh()) }
}

/// The court view scenarios on PostgreSQL 15, in a private cluster started for the suite (one
/// database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct CourtPostgresTests {
    typealias S = CourtScenarios

    @Test func activeWarrantsOfTheCourt() async throws { try await onFreshPostgres(S.activeWarrantsOfTheCourt) }
    @Test func releasesBlockedByTheCourtsWarrants() async throws { try await onFreshPostgres(S.releasesBlockedByTheCourtsWarrants) }
    @Test func outOfOrderAndMatchedOnEitherNumber() async throws { try await onFreshPostgres(S.outOfOrderAndMatchedOnEitherNumber) }
    @Test func reopenedAndIdentifiedOverItsEvents() async throws { try await onFreshPostgres(S.reopenedAndIdentifiedOverItsEvents) }
    @Test func repeatsAndOrderChangeNothing() async throws {
        try await onFreshPostgres { first in try await onFreshPostgres { second in try await S.repeatsAndOrderChangeNothing(first, second) } }
    }
    @Test func poisonEventsLeaveTheTablesUnchanged() async throws { try await onFreshPostgres(S.poisonEventsLeaveTheTablesUnchanged) }
}
