import GRDB

extension SQLiteStorage {
    /// Applies `migrations` (``StorageMigrator``) in one transaction with foreign keys off,
    /// then checks every foreign key before committing, as SQLite's recipe for changing a
    /// table's definition asks (a rebuilt table is dropped and re-created under the same name,
    /// and a `DROP` with foreign keys on would delete the rows other tables reference).
    ///
    /// - Throws: ``StorageError`` `.constraintViolation` naming the first table whose rows
    ///   reference a missing key (nothing is committed); what ``StorageMigrator`` throws.
    @discardableResult
    public func migrate(_ migrations: [StorageMigration]) throws -> [String] {
        let location = self.location
        do {
            return try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                let outcome = Result { () throws -> [String] in
                    var applied: [String] = []
                    try db.inTransaction {
                        let transaction = SQLiteTransaction(db, location: location)
                        applied = try StorageMigrator.migrate(migrations, in: transaction)
                        if let broken = try transaction.fetchOne("SELECT \"table\" AS name FROM pragma_foreign_key_check LIMIT 1") {
                            let table = try broken.get("name", as: String.self)
                            throw StorageError(.constraintViolation, database: location, detail: "foreign key check failed in \(table)")
                        }
                        return .commit
                    }
                    return applied
                }
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                return try outcome.get()
            }
        } catch let error as DatabaseError {
            throw SQLiteTransaction.storageError(error, location: location)
        }
    }
}
