import Foundation
import Kafka
import LocalPostgres
import Logging
import Storage
@testable import ServiceKit

/// Applies events to a projection as the runtime does (each as a batch of one: one transaction
/// of a service database with every migration, then the batch's `forget` at the event's
/// time), and returns what the projection queued in the outbox. On a SQLite file of its own,
/// or on a PostgreSQL database given to it: the same rules tested on both.
///
/// `ProjectionTransaction`'s initializer is internal to ServiceKit (only the runtime opens a
/// batch's transaction), hence `@testable`: the services' rule tests share this one harness.
public final class ProjectionHarness: Sendable {
    public let projection: any EventProjection
    public let database: ServiceDatabase
    let directory: URL?

    /// On a fresh SQLite file in a temporary directory (removed with the harness).
    public init(_ projection: any EventProjection) throws {
        self.projection = projection
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-unit-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        database = try ServiceDatabase(path: directory.appendingPathComponent("service.sqlite").path, migrations: projection.migrations)
    }

    /// On `postgres` (a fresh database or schema: the projection's tables are created there),
    /// migrated while the caller awaits (``ServiceDatabase/open(postgres:migrations:)``): the
    /// suites' hundreds of harnesses, opened at once, would otherwise hold the cooperative
    /// threads for their migrations' round trips and stall every other test meanwhile.
    public static func onPostgres(_ projection: any EventProjection, postgres: PostgresStorage) async throws -> ProjectionHarness {
        ProjectionHarness(projection, database: try await ServiceDatabase.open(postgres: postgres, migrations: projection.migrations))
    }

    private init(_ projection: any EventProjection, database: ServiceDatabase) {
        self.projection = projection
        directory = nil
        self.database = database
    }

    /// On the suite's PostgreSQL cluster when the test runs under the `.postgresCluster` trait
    /// (a fresh database), on a fresh SQLite file otherwise: one rule test, both databases.
    public static func onCurrentDatabase(_ projection: any EventProjection) async throws -> ProjectionHarness {
        guard let cluster = PostgresCluster.current else { return try ProjectionHarness(projection) }
        var logger = Logger(label: "projection-harness")
        logger.logLevel = .warning
        // Made a few at a time (``PostgresOpenings``): the suites ask for hundreds at once.
        return try await PostgresOpenings.process.withPermit { [logger] in
            let url = cluster.url(database: try await cluster.createDatabase())
            return try await onPostgres(projection, postgres: PostgresStorage(configuration: try .init(url: url), logger: logger))
        }
    }

    deinit { if let directory { try? FileManager.default.removeItem(at: directory) } }

    /// Applies `event` in a transaction of its own; returns the messages it queued. A thrown
    /// error rolls the transaction back.
    @discardableResult
    public func apply(_ event: AdmittedEvent) async throws -> [OutgoingMessage] {
        try await applyCounting(event).messages
    }

    /// Applies `event` as ``apply(_:)`` does; returns the metric labels the projection asked to
    /// count (`ProjectionTransaction.countOnCommit`) beside the messages it queued.
    public func applyCounting(_ event: AdmittedEvent) async throws -> (messages: [OutgoingMessage], counted: [String]) {
        let applied = try await applyWarning(event)
        return (applied.messages, applied.counted)
    }

    /// Applies `event` as ``apply(_:)`` does; returns also the warnings the projection asked to
    /// log once committed (`ProjectionTransaction.warnOnCommit`).
    public func applyWarning(_ event: AdmittedEvent) async throws -> (messages: [OutgoingMessage], counted: [String], warnings: [ProjectionWarning]) {
        let projection = self.projection
        return try await database.write { storage in
            let before = try ServiceDatabase.outbox(storage).last?.seq ?? 0
            let transaction = ProjectionTransaction(storage: storage, maxMessageBytes: 1_000_000)
            try projection.apply(event, in: transaction)
            if let now = event.timestampMilliseconds {
                try projection.forget(before: now, limit: ForgetBudget.rows(forBatchOf: 1), in: transaction)
            }
            try transaction.flushOutbox()
            return (try ServiceDatabase.outbox(after: before, storage).map(\.message), transaction.countedLabels, transaction.warnings)
        }
    }

    /// Runs `body` in a transaction of its own (for direct store calls and reads).
    public func write<T: Sendable>(
        _ body: @Sendable @escaping (any StorageTransaction, ProjectionTransaction) throws -> T
    ) async throws -> T {
        try await database.write { storage in
            let transaction = ProjectionTransaction(storage: storage, maxMessageBytes: 1_000_000)
            let result = try body(storage, transaction)
            try transaction.flushOutbox()
            return result
        }
    }

    public func count(_ table: String) async throws -> Int {
        try await database.write { try $0.fetchOne("SELECT count(*) AS n FROM \(table)")?.get("n", as: Int.self) ?? 0 }
    }
}
