import Storage

/// Where a value was found by ``findOccurrences(of:integers:in:)``: a table, a column and what
/// was looked for (never the row).
public struct DatabaseOccurrence: Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String
    public var needle: String

    public var description: String { "\(table).\(column) holds \(needle)" }
}

/// Searches every column of every row of every table of the database (on PostgreSQL, of the
/// connection's schema), the runtime's own tables included, for `texts` (case-insensitively,
/// inside text columns and inside bytes read as UTF-8) and for `integers` (exact, in integer
/// columns: e.g. a date of birth kept as milliseconds). For tests that must show a person's data
/// is gone from a service's state.
public func findOccurrences(
    of texts: [String], integers: [Int64] = [], in transaction: any StorageTransaction
) throws -> Set<DatabaseOccurrence> {
    let tableQuery = switch transaction.dialect {
    case .sqlite:
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    case .postgres:
        """
        SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
        """
    }
    let needles = texts.map { $0.lowercased() }
    var found = Set<DatabaseOccurrence>()
    for table in try transaction.fetchAll(tableQuery).map({ try $0.get("name", as: String.self) }) {
        for row in try transaction.fetchAll("SELECT * FROM \(table)") {
            for (column, value) in zip(row.columns, row.values) {
                switch value {
                case .text(let text):
                    let lowered = text.lowercased()
                    for (needle, original) in zip(needles, texts) where lowered.contains(needle) {
                        found.insert(DatabaseOccurrence(table: table, column: column, needle: original))
                    }
                case .bytes(let bytes):
                    let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
                    for (needle, original) in zip(needles, texts) where lowered.contains(needle) {
                        found.insert(DatabaseOccurrence(table: table, column: column, needle: original))
                    }
                case .integer(let number):
                    if integers.contains(number) {
                        found.insert(DatabaseOccurrence(table: table, column: column, needle: String(number)))
                    }
                default:
                    break
                }
            }
        }
    }
    return found
}
