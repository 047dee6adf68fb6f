import ServiceKit
import Storage

/// A digest of a service database's own state: every table but the runtime's bookkeeping
/// (`kit_*`: offsets, applied ids, outbox) and SQLite's or GRDB's, each row hashed column by
/// column, rows in any order. Two databases built from the same events, in any batch split,
/// digest alike; a rebuilt state can so be compared with the original. On PostgreSQL, the
/// tables of the connection's schema.
public func stateDigest(_ transaction: any StorageTransaction) throws -> String {
    let tableQuery = switch transaction.dialect {
    case .sqlite:
        """
        SELECT name FROM sqlite_master WHERE type = 'table'
          AND name NOT LIKE 'kit\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\'
        ORDER BY name
        """
    case .postgres:
        """
        SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()
          AND table_name NOT LIKE 'kit\\_%' ESCAPE '\\' ORDER BY table_name
        """
    }
    let tables = try transaction.fetchAll(tableQuery).map { try $0.get("name", as: String.self) }
    var digest = SHA256()
    for table in tables {
        digest.update("table \(table)\u{0}")
        var rows: [String] = []
        for row in try transaction.fetchAll("SELECT * FROM \(table)") {
            var hash = SHA256()
            hash.update(row: row)
            rows.append(hash.finalize().hexString)
        }
        for row in rows.sorted() { digest.update(row) }
    }
    return digest.finalize().hexString
}
