/// A bound on how many fresh PostgreSQL databases the test process creates and migrates at
/// once (``ProjectionHarness/onCurrentDatabase(_:)``, ``onFreshPostgres(_:)``).
///
/// The suites start hundreds of rule tests together, each creating a database and running every
/// migration of its service. Unbounded, the shared cluster receives them all at once: backends
/// forked and catalogs written for every one, so connections time out on the 2-core CI
/// machine. A bound chosen here, rather than the one the cooperative pool used to impose by
/// being blocked (two threads held in migrations' round trips, every other task of the
/// process stalled meanwhile), lets the other tests run while the databases are made.
///
/// An actor: tests ask for permits concurrently; waiters are resumed in the order they came.
public actor PostgresOpenings {
    /// The process's one bound (the cluster is shared by the process's suites).
    public static let process = PostgresOpenings(width: 4)

    private let width: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        precondition(width > 0, "a bound of at least one opening")
        self.width = width
    }

    /// Runs `body` once fewer than `width` others are running.
    public func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        guard inUse >= width else {
            inUse += 1
            return
        }
        // The permit passes straight from the releasing task to this one (`release`).
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
