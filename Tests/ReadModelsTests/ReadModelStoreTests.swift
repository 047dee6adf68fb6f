import Storage
import Testing

@testable import ReadModels

/// What every read model's migrations must satisfy: they apply on a fresh database and again
/// as a no-op, so a restarted service finds its tables as it left them.
@Suite struct ReadModelStoreTests {
    @Test(arguments: ReadModelCatalog.all.map(\.name))
    func migrationsApplyOnceOnSQLite(name: String) async throws {
        let store = try #require(ReadModelCatalog.all.first { $0.name == name })
        let database = try SQLiteStorage.inMemory()
        let applied = try await database.write { try StorageMigrator.migrate(store.migrations, in: $0) }
        #expect(applied.count == store.migrations.count)
        let again = try await database.write { try StorageMigrator.migrate(store.migrations, in: $0) }
        #expect(again.isEmpty)
    }

    /// `tables` names exactly what the migrations create: a sealing pass (and its tests) that
    /// goes through them misses none.
    @Test(arguments: ReadModelCatalog.all.map(\.name))
    func tablesAreEveryTableTheMigrationsCreate(name: String) async throws {
        let store = try #require(ReadModelCatalog.all.first { $0.name == name })
        let database = try SQLiteStorage.inMemory()
        let created = try await database.write { transaction in
            _ = try StorageMigrator.migrate(store.migrations, in: transaction)
            return try transaction.fetchAll("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.get("name", as: String.self) }
        }
        #expect(Set(created.filter { !$0.hasPrefix("sqlite_") && $0 != "kit_migrations" }) == Set(store.tables))
        #expect(store.tables.count == Set(store.tables).count)
    }
}
