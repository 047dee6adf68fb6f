import Placeholders
import Storage

extension StorageTransaction {
    /// The distinct values of `column` (`state_id` or `fbi_number`) that the rows of `tables`
    /// matching `condition` (the caller's SQL over the order's numbers, bound to `arguments`)
    /// carry, nulls left out: the numbers a sealed person's rows pair with the order's own. A
    /// row matched by FBI number may carry a state ID the order does not name, and one matched by
    /// state ID an FBI number; what the service filed under those numbers is the person's too.
    /// A stored value that says there is no number ("UNKNOWN", zeros: `PersonNumberPlaceholder`,
    /// kept by a row written before such values were read as none) pairs with nobody: an order
    /// completed with it would remove every stranger filed under it.
    public func personNumbers(_ column: String, in tables: [String], where condition: String, _ arguments: [SQLValue]) throws -> Set<String> {
        guard !tables.isEmpty else { return [] }
        let sql = tables.map { "SELECT \(column) AS number FROM \($0) WHERE \(condition) AND \(column) IS NOT NULL" }.joined(separator: " UNION ")
        return Set(try fetchAll(sql, arguments).map { try $0.get("number", as: String.self) }.filter { !PersonNumberPlaceholder.isPlaceholder($0) })
    }
}
