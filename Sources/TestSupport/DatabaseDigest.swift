import ServiceKit
import Storage

/// A digest of a service database's own state: every table but the runtime's bookkeeping
/// (`kit_*`: offsets, applied ids, outbox) and SQLite's or GRDB's, each row hashed column by
/// column, rows in any order. Two databases built from the same events, in any batch split,
/// digest alike; a rebuilt state can so be compared with the original. On PostgreSQL, the
/// tables of the connection's schema.
///
/// Also left out: the inbox's arrival numbers (`arrival`, the counter `inbox_arrivals`). They
/// record the order this database stored notifications in, which depends on how the topics'
/// partitions interleaved on the day, not on the events: a replay stores the same rows in
/// another order. Likewise the person index's sequence numbers (`added_seq`, `requested_seq`,
/// the table `person_index_counters`): the order its records arrived in.
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
    let tables = try transaction.fetchAll(tableQuery).map { try $0.get("name", as: String.self) }.filter { !localTables.contains($0) }
    var digest = SHA256()
    for table in tables {
        digest.update("table \(table)\u{0}")
        var rows: [String] = []
        for row in try transaction.fetchAll("SELECT * FROM \(table)") {
            var hash = SHA256()
            let local = localColumns[table] ?? []
            let kept = row.columns.indices.filter { !local.contains(row.columns[$0]) }
            hash.update(row: StorageRow(columns: kept.map { row.columns[$0] }, values: kept.map { row.values[$0] }))
            rows.append(hash.finalize().hexString)
        }
        for row in rows.sorted() { digest.update(row) }
    }
    return digest.finalize().hexString
}

/// Tables and columns of local order, not state (see `stateDigest`).
private let localTables: Set<String> = ["inbox_arrivals", "person_index_counters"]
private let localColumns: [String: Set<String>] = [
    "inbox": ["arrival"], "person_index_records": ["added_seq"], "person_index_reviews": ["requested_seq"],
]
