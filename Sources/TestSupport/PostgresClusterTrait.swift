import LocalPostgres
import Testing

/// A suite trait that gives the suite's tests a private PostgreSQL cluster, read from
/// ``PostgresCluster/current``; each test creates its own database in it. Combine it with
/// `.enabled(if: PostgresBinaries.isInstalled, …)` so that the suite skips, saying why, where
/// PostgreSQL is not installed; where it is installed but cannot start, the suite fails.
///
/// Every suite with the trait in one test process shares one cluster (``SharedPostgresCluster``),
/// started by the first and removed after the last that runs: `initdb` and a server per suite,
/// all at once when the suites start in parallel, starved the 2-core CI machine and made the
/// timing-bound tests running beside them fail. Tests that stop and start a server make their
/// own with `PostgresCluster.with`.
public struct PostgresClusterTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let cluster = try await SharedPostgresCluster.process.acquire()
        do {
            try await PostgresCluster.$current.withValue(cluster) { try await function() }
            await SharedPostgresCluster.process.release()
        } catch {
            await SharedPostgresCluster.process.release()
            throw error
        }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A private PostgreSQL cluster for the suite, shared with the process's other suites (see
    /// ``PostgresClusterTrait``).
    public static var postgresCluster: Self { PostgresClusterTrait() }
}

extension PostgresCluster {
    /// The cluster of the running suite (set by the `.postgresCluster` trait).
    @TaskLocal public static var current: PostgresCluster?
}

/// The one cluster the test process's `.postgresCluster` suites share, counted by its users:
/// started when the first acquires it, removed when the last releases it. An actor, as suites
/// acquire and release it concurrently; one per process (``process``), as the cluster is.
public actor SharedPostgresCluster {
    public static let process = SharedPostgresCluster()

    private var cluster: PostgresCluster?
    private var starting: Task<PostgresCluster, any Error>?
    private var users = 0

    /// The running cluster, started if nobody holds it.
    public func acquire() async throws -> PostgresCluster {
        users += 1
        if let cluster { return cluster }
        let start = starting ?? Task { try await PostgresCluster.start() }
        starting = start
        do {
            let started = try await start.value
            if cluster == nil { cluster = started }
            starting = nil
            return started
        } catch {
            starting = nil
            users -= 1
            throw error
        }
    }

    /// Gives the cluster back; the last user's release removes it.
    public func release() async {
        users -= 1
        guard users == 0, let cluster else { return }
        self.cluster = nil
        await cluster.remove()
    }
}
