import Foundation
import GRDB
import Kafka
@testable import ServiceKit

/// Applies events to a projection as the runtime does (each in one transaction of a service
/// database with every migration), and returns what the projection queued in the outbox.
///
/// `ProjectionTransaction`'s initializer is internal to ServiceKit, hence `@testable`; the
/// same file is in each service's test target until ServiceKit offers a public entry point.
final class ProjectionHarness: Sendable {
    let projection: any EventProjection
    let database: ServiceDatabase
    let directory: URL

    init(_ projection: any EventProjection) throws {
        self.projection = projection
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-unit-\(UUID().uuidString.prefix(8))")
        database = try ServiceDatabase(path: directory.appendingPathComponent("service.sqlite").path,
                                       registerMigrations: projection.registerMigrations)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Applies `event` in a transaction of its own; returns the messages it queued. A thrown
    /// error rolls the transaction back.
    @discardableResult
    func apply(_ event: AdmittedEvent) async throws -> [OutgoingMessage] {
        let projection = self.projection
        return try await database.write { db in
            let before = try ServiceDatabase.outbox(db).last?.seq ?? 0
            try projection.apply(event, in: ProjectionTransaction(db: db))
            return try ServiceDatabase.outbox(after: before, db).map(\.message)
        }
    }

    /// Runs `body` in a transaction of its own (for direct store calls and reads).
    func write<T: Sendable>(_ body: @Sendable @escaping (Database, ProjectionTransaction) throws -> T) async throws -> T {
        try await database.write { db in try body(db, ProjectionTransaction(db: db)) }
    }

    func count(_ table: String) async throws -> Int {
        try await database.write { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}
