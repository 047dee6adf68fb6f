/// Brings a database's schema up to date: applies the steps it has not recorded, in the order
/// given, inside the caller's transaction, so a failed step leaves the schema as it was.
///
/// Applied steps are recorded in `kit_migrations`. SQLite databases written before this runner
/// recorded theirs in GRDB's `grdb_migrations`; those ids are taken over (the table is left as
/// it is), so a file from the field migrates from where it stood.
public enum StorageMigrator {
    /// Applies what is missing and returns the ids it applied.
    ///
    /// - Throws: ``StorageError`` `.schemaFromNewerVersion` when the database records steps
    ///   this program does not know (a newer version wrote it: nothing is changed), or
    ///   `.invalidConfiguration` for two steps with one id; what a step throws.
    @discardableResult
    public static func migrate(_ migrations: [StorageMigration], in transaction: any StorageTransaction) throws -> [String] {
        var known = Set<String>()
        for migration in migrations where !known.insert(migration.id).inserted {
            throw StorageError(.invalidConfiguration(field: "migrations", reason: "two steps are named \(migration.id)"))
        }
        try transaction.executeScript("CREATE TABLE IF NOT EXISTS kit_migrations (id TEXT PRIMARY KEY NOT NULL)")
        if transaction.dialect == .sqlite, try hasGRDBHistory(transaction) {
            // `WHERE true`: SQLite cannot otherwise tell the upsert's ON from a join's.
            try transaction.execute("INSERT INTO kit_migrations (id) SELECT identifier FROM grdb_migrations WHERE true ON CONFLICT (id) DO NOTHING")
        }
        let applied = Set(try transaction.fetchAll("SELECT id FROM kit_migrations").map { try $0.get("id", as: String.self) })
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw StorageError(.schemaFromNewerVersion(unknownMigrations: unknown))
        }
        var done: [String] = []
        for migration in migrations where !applied.contains(migration.id) {
            try migration.body(transaction)
            try transaction.execute("INSERT INTO kit_migrations (id) VALUES ($1)", [.text(migration.id)])
            done.append(migration.id)
        }
        return done
    }

    private static func hasGRDBHistory(_ transaction: any StorageTransaction) throws -> Bool {
        try transaction.fetchOne("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations'") != nil
    }
}
