import Storage

extension StorageTransaction {
    /// Rebuilds `table` with a new definition and keeps its rows: SQLite cannot change a
    /// table's primary key (or drop `WITHOUT ROWID`) in place. Creates the table anew from
    /// `definition` (the part between the parentheses), copies `columns` over in `order`,
    /// drops the old table with its indexes, and renames the new one. Recreate the indexes
    /// afterwards. For SQLite's migration steps: call inside the step.
    ///
    /// SQLite's migrations run with foreign keys off and checked before the commit
    /// (``SQLiteStorage/migrate(_:)``), as SQLite's own recipe for rebuilding a table asks: the
    /// `DROP` would otherwise delete every row other tables reference.
    public func rebuildTable(_ table: String, definition: String, columns: [String], order: String) throws {
        let rebuilt = "\(table)_rebuilt"
        let list = columns.joined(separator: ", ")
        try executeScript("""
            CREATE TABLE \(rebuilt) (\(definition));
            INSERT INTO \(rebuilt) (\(list)) SELECT \(list) FROM \(table) ORDER BY \(order);
            DROP TABLE \(table);
            ALTER TABLE \(rebuilt) RENAME TO \(table);
            """)
    }
}
