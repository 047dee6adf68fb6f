import Storage

@testable import ReadModels
@testable import ServiceKit

/// The steps a view's tables are created with in the tests: the runtime's own first, as a
/// service database runs them, since stores read the sealing ledger's tables
/// (`kit_sealed_keys`) when they apply an event naming people in its payload.
enum ViewMigrations {
    static func of(_ store: some ReadModelStore) -> [StorageMigration] {
        ServiceDatabase.runtimeMigrations + store.migrations
    }
}
