import GRDB
import ServiceKit

/// A digest of a service database's own state: every table but the runtime's bookkeeping
/// (`kit_*`: offsets, applied ids, outbox) and SQLite's or GRDB's, each row hashed column by
/// column, rows in any order. Two databases built from the same events, in any batch split,
/// digest alike; a rebuilt state can so be compared with the original.
public func stateDigest(_ db: Database) throws -> String {
    let tables = try String.fetchAll(db, sql: """
        SELECT name FROM sqlite_master WHERE type = 'table'
          AND name NOT LIKE 'kit\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\'
        ORDER BY name
        """)
    var digest = SHA256()
    for table in tables {
        digest.update("table \(table)\u{0}")
        var rows: [String] = []
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
            var hash = SHA256()
            hash.update(row: row)
            rows.append(hash.finalize().hexString)
        }
        for row in rows.sorted() { digest.update(row) }
    }
    return digest.finalize().hexString
}
