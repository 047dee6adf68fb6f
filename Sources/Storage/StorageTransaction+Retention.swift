extension StorageTransaction {
    /// Deletes at most `limit` rows of `table` whose `forget_after_ms` is before
    /// `nowMilliseconds`, soonest due first; returns how many. The projections' retention: each
    /// batch forgets a bounded number, so no transaction stalls on a large purge.
    ///
    /// - Parameters:
    ///   - table: a table with a nullable `forget_after_ms` column (null: kept).
    ///   - key: the column, or the parenthesised column list (`(incident_id, state_id, role)`),
    ///     that identifies a row. Both are the caller's constants, never input.
    @discardableResult
    public func forgetDue(_ table: String, key: String, before nowMilliseconds: Int64, limit: Int) throws(StorageError) -> Int {
        let columns = key.hasPrefix("(") ? String(key.dropFirst().dropLast()) : key
        return try execute(
            """
            DELETE FROM \(table) WHERE \(key) IN (
                SELECT \(columns) FROM \(table) WHERE forget_after_ms IS NOT NULL AND forget_after_ms < $1
                ORDER BY forget_after_ms LIMIT $2)
            """,
            [.integer(nowMilliseconds), .integer(Int64(limit))])
    }
}
