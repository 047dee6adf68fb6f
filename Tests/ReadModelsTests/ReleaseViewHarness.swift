import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// A view store over a migrated database, for the police, release-board and high-needs
/// scenarios: apply events one transaction each (as the runtime's batches would), query, and
/// take a snapshot of every table to show that something changed nothing.
struct ReleaseViewHarness<Store: ReadModelStore>: Sendable {
    let database: any StorageDatabase
    let store: Store
    let tables: [String]

    init(_ store: Store, tables: [String], on database: any StorageDatabase) async throws {
        self.store = store
        self.database = database
        self.tables = tables
        _ = try await database.write { try StorageMigrator.migrate(ViewMigrations.of(store), in: $0) }
    }

    /// Applies each event in its own transaction.
    func apply(_ events: AdmittedEvent...) async throws {
        for event in events {
            let store = self.store
            try await database.write { try store.apply(event, in: $0) }
        }
    }

    /// Applies `event` and returns the poison message it throws (nil when it throws none); the
    /// transaction is committed either way, so anything written before the throw would stay.
    func applyExpectingPoison(_ event: AdmittedEvent) async throws -> PoisonMessage? {
        let store = self.store
        return try await database.write { transaction -> PoisonMessage? in
            do {
                try store.apply(event, in: transaction)
                return nil
            } catch let poison as PoisonMessage {
                return poison
            }
        }
    }

    func read<T: Sendable>(_ query: @escaping @Sendable (Store, any StorageTransaction) throws -> T) async throws -> T {
        let store = self.store
        return try await database.write { try query(store, $0) }
    }

    /// Every row of every table, in a stable order.
    func snapshot() async throws -> [String: [String]] {
        let tables = self.tables
        return try await database.write { transaction in
            var snapshot: [String: [String]] = [:]
            for table in tables {
                snapshot[table] = try transaction.fetchAll("SELECT * FROM \(table)").map { "\($0.values)" }.sorted()
            }
            return snapshot
        }
    }

    /// How many rows `table` has.
    func count(_ table: String) async throws -> Int {
        try await database.write { try $0.fetchOne("SELECT COUNT(*) AS n FROM \(table)")?.get("n", as: Int.self) ?? 0 }
    }
}

/// Where a scenario runs: SQLite in memory, or a fresh database in the suite's PostgreSQL
/// cluster (`onFreshPostgres`, shared with the caseload and court suites).
enum ReleaseViewDatabases {
    static func sqlite() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }
}
