import GRDB
import Storage

/// For tests that hold a GRDB database (an in-memory queue, a file opened read-only) and call
/// stores written over the storage seam.
extension Database {
    /// This open transaction as a store sees it.
    public var storage: any StorageTransaction { SQLiteTransaction(self, location: "test") }
}

extension DatabaseWriter {
    /// Applies `migrations` (those not yet applied) in one transaction.
    public func migrate(_ migrations: [StorageMigration]) throws {
        try SQLiteStorage(writer: self, location: "test").migrate(migrations)
    }
}
