/// One row of a result, read by column name with the type the caller expects.
///
/// Column names are as the database reports them: PostgreSQL folds unquoted names to lower
/// case, so shared SQL uses lower-case names and aliases (a lookup falls back to ignoring case).
public struct StorageRow: Sendable, Hashable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`, or nil when the row has no such column.
    public subscript(column: String) -> SQLValue? {
        index(of: column).map { values[$0] }
    }

    /// The value of `column` as `T` (use an optional `T` for a column that may be NULL).
    ///
    /// - Throws: ``StorageError`` `.noSuchColumn` or `.typeMismatch`, naming the column.
    public func get<T: StorageValue>(_ column: String, as type: T.Type = T.self) throws(StorageError) -> T {
        guard let index = index(of: column) else { throw StorageError(.noSuchColumn(column)) }
        let value = values[index]
        guard let typed = T(sqlValue: value) else {
            throw StorageError(.typeMismatch(column: column, expected: T.storageTypeName, found: value.typeName))
        }
        return typed
    }

    private func index(of column: String) -> Int? {
        columns.firstIndex(of: column) ?? columns.firstIndex { $0.lowercased() == column.lowercased() }
    }
}
