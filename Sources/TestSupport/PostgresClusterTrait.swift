import LocalPostgres
import Testing

/// A suite trait that starts one private PostgreSQL cluster for the whole suite and removes it
/// after the suite's last test, also when tests fail. Tests read it from
/// ``PostgresCluster/current`` and create their own database in it. Combine it with
/// `.enabled(if: PostgresBinaries.isInstalled, …)` so that the suite skips, saying why, where
/// PostgreSQL is not installed; where it is installed but cannot start, the suite fails.
public struct PostgresClusterTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await PostgresCluster.with { cluster in
            try await PostgresCluster.$current.withValue(cluster) { try await function() }
        }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// One private PostgreSQL cluster for the suite (see ``PostgresClusterTrait``).
    public static var postgresCluster: Self { PostgresClusterTrait() }
}

extension PostgresCluster {
    /// The cluster of the running suite (set by the `.postgresCluster` trait).
    @TaskLocal public static var current: PostgresCluster?
}
