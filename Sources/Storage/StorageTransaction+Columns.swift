extension StorageTransaction {
    /// The columns of `table` in `schema` (SQLite: `main` or an attached database's name;
    /// PostgreSQL: a schema), empty when there is no such table. For code that reads a database
    /// another version may have migrated (a replay carrying rows out of the state it replaces).
    public func columns(of table: String, inSchema schema: String) throws -> Set<String> {
        let rows = switch dialect {
        case .sqlite:
            try fetchAll("SELECT name FROM pragma_table_info($1, $2)", [.text(table), .text(schema)])
        case .postgres:
            try fetchAll(
                "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
                [.text(schema), .text(table)])
        }
        return Set(try rows.map { try $0.get("name", as: String.self) })
    }
}
