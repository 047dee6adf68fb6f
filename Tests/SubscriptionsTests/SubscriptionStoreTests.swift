import Storage
import Testing
import TestSupport

/// The subscription store scenarios (`SubscriptionStoreScenarios`) on an in-memory SQLite database each.
@Suite struct SubscriptionStoreSQLiteTests {
    typealias S = SubscriptionStoreScenarios
    static func fresh() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }

    @Test func aPersonsActiveSubscriptions() async throws { try await S.aPersonsActiveSubscriptions(Self.fresh()) }
    @Test func placesCountiesAndFeeds() async throws { try await S.placesCountiesAndFeeds(Self.fresh()) }
    @Test func expiringWithinThirtyDays() async throws { try await S.expiringWithinThirtyDays(Self.fresh()) }
    @Test func theLatestStateReplacesTheEarlier() async throws { try await S.theLatestStateReplacesTheEarlier(Self.fresh()) }
    @Test func anExpiryBeyondTheLimitCountsAsTheLimit() async throws { try await S.anExpiryBeyondTheLimitCountsAsTheLimit(Self.fresh()) }
    @Test func aMalformedEventIsPoisonAndChangesNothing() async throws { try await S.aMalformedEventIsPoisonAndChangesNothing(Self.fresh()) }
    @Test func aSealingOrderEndsTheSubscriptionsFollowingItsPerson() async throws {
        try await S.aSealingOrderEndsTheSubscriptionsFollowingItsPerson(Self.fresh())
    }
}

/// The subscription store scenarios on PostgreSQL, in a private cluster started for the suite
/// (one database per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct SubscriptionStorePostgresTests {
    typealias S = SubscriptionStoreScenarios

    @Test func aPersonsActiveSubscriptions() async throws { try await onFreshPostgres(S.aPersonsActiveSubscriptions) }
    @Test func placesCountiesAndFeeds() async throws { try await onFreshPostgres(S.placesCountiesAndFeeds) }
    @Test func expiringWithinThirtyDays() async throws { try await onFreshPostgres(S.expiringWithinThirtyDays) }
    @Test func theLatestStateReplacesTheEarlier() async throws { try await onFreshPostgres(S.theLatestStateReplacesTheEarlier) }
    @Test func anExpiryBeyondTheLimitCountsAsTheLimit() async throws { try await onFreshPostgres(S.anExpiryBeyondTheLimitCountsAsTheLimit) }
    @Test func aMalformedEventIsPoisonAndChangesNothing() async throws { try await onFreshPostgres(S.aMalformedEventIsPoisonAndChangesNothing) }
    @Test func aSealingOrderEndsTheSubscriptionsFollowingItsPerson() async throws {
        try await onFreshPostgres(S.aSealingOrderEndsTheSubscriptionsFollowingItsPerson)
    }
}
