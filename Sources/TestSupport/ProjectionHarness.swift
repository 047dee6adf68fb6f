import Foundation
import GRDB
import Kafka
@testable import ServiceKit

/// Applies events to a projection as the runtime does (each as a batch of one: one transaction
/// of a service database with every migration, then the batch's `forget` at the event's
/// time), and returns what the projection queued in the outbox.
///
/// `ProjectionTransaction`'s initializer is internal to ServiceKit (only the runtime opens a
/// batch's transaction), hence `@testable`: the services' rule tests share this one harness.
public final class ProjectionHarness: Sendable {
    public let projection: any EventProjection
    public let database: ServiceDatabase
    let directory: URL

    public init(_ projection: any EventProjection) throws {
        self.projection = projection
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-unit-\(UUID().uuidString.prefix(8))")
        database = try ServiceDatabase(path: directory.appendingPathComponent("service.sqlite").path,
                                       registerMigrations: projection.registerMigrations)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Applies `event` in a transaction of its own; returns the messages it queued. A thrown
    /// error rolls the transaction back.
    @discardableResult
    public func apply(_ event: AdmittedEvent) async throws -> [OutgoingMessage] {
        let projection = self.projection
        return try await database.write { db in
            let before = try ServiceDatabase.outbox(db).last?.seq ?? 0
            let transaction = ProjectionTransaction(db: db, maxMessageBytes: 1_000_000)
            try projection.apply(event, in: transaction)
            if let now = event.timestampMilliseconds {
                try projection.forget(before: now, limit: ForgetBudget.rows(forBatchOf: 1), in: transaction)
            }
            return try ServiceDatabase.outbox(after: before, db).map(\.message)
        }
    }

    /// Runs `body` in a transaction of its own (for direct store calls and reads).
    public func write<T: Sendable>(_ body: @Sendable @escaping (Database, ProjectionTransaction) throws -> T) async throws -> T {
        try await database.write { db in try body(db, ProjectionTransaction(db: db, maxMessageBytes: 1_000_000)) }
    }

    public func count(_ table: String) async throws -> Int {
        try await database.write { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}
