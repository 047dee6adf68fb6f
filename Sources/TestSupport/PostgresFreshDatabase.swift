import LocalPostgres
import Logging
import Storage

/// Runs `check` on a fresh database of the suite's PostgreSQL cluster (the `.postgresCluster`
/// trait) and closes its connection afterwards, whether `check` passed or threw.
public func onFreshPostgres(_ check: (any StorageDatabase) async throws -> Void) async throws {
    guard let cluster = PostgresCluster.current else {
        throw PostgresClusterError(step: "finding the suite's cluster", output: "the suite has no .postgresCluster trait")
    }
    var logger = Logger(label: "postgres-tests")
    logger.logLevel = .warning
    // Created and connected a few at a time (``PostgresOpenings``): the suites ask for hundreds
    // at once. The empty transaction opens the connection `check` will use.
    let database = try await PostgresOpenings.process.withPermit { [logger] in
        let name = try await cluster.createDatabase()
        let database = PostgresStorage(configuration: try .init(url: cluster.url(database: name)), logger: logger)
        try await database.write { _ in }
        return database
    }
    do {
        try await check(database)
        try await database.close()
    } catch {
        try await database.close()
        throw error
    }
}
