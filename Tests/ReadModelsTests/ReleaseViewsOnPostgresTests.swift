import Storage
import Testing
import TestSupport

/// The police, release-board and high-needs scenarios on PostgreSQL 15, in a private cluster
/// started for the suite (one database per scenario); skipped, saying why, where PostgreSQL is
/// not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReleaseViewsOnPostgresTests {
    @Test(arguments: PoliceViewScenario.allCases)
    func police(_ scenario: PoliceViewScenario) async throws {
        try await onFreshPostgres { try await scenario.run(on: $0) }
    }

    @Test(arguments: ReleaseBoardScenario.allCases)
    func releaseBoard(_ scenario: ReleaseBoardScenario) async throws {
        try await onFreshPostgres { try await scenario.run(on: $0) }
    }

    @Test(arguments: HighNeedsScenario.allCases)
    func highNeeds(_ scenario: HighNeedsScenario) async throws {
        try await onFreshPostgres { try await scenario.run(on: $0) }
    }
}
