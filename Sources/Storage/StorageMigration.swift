/// One step of a database's schema: applied once, in order, in the transaction that records it.
///
/// New steps are written once in the shared dialect (``script(_:_:)``). Steps shipped before
/// PostgreSQL existed keep their SQLite text literally (databases in the field ran it) and say
/// what PostgreSQL runs instead (``script(_:sqlite:postgres:)``): a PostgreSQL database starts
/// at the current shape, so its earlier step may already have created what a later SQLite step
/// adds, and that later step is then empty on PostgreSQL.
///
/// Never edit a shipped step: add one.
public struct StorageMigration: Sendable {
    /// Recorded in the database once applied (`kit_migrations`); unique within a database.
    public let id: String
    let body: @Sendable (any StorageTransaction) throws -> Void

    /// A step that runs code (e.g. rewrites rows); `body` may ask the transaction's dialect.
    public init(_ id: String, body: @escaping @Sendable (any StorageTransaction) throws -> Void) {
        self.id = id
        self.body = body
    }

    /// A step whose SQL is the same on both databases (the shared dialect, ``StorageDialect``).
    public static func script(_ id: String, _ sql: String) -> StorageMigration {
        StorageMigration(id) { try $0.executeScript(sql) }
    }

    /// A step whose SQL differs: `postgres` is nil when PostgreSQL needs nothing for it.
    public static func script(_ id: String, sqlite: String, postgres: String?) -> StorageMigration {
        StorageMigration(id) { transaction in
            switch transaction.dialect {
            case .sqlite: try transaction.executeScript(sqlite)
            case .postgres: if let postgres { try transaction.executeScript(postgres) }
            }
        }
    }
}
