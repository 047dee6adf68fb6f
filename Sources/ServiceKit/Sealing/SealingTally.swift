/// How many rows a sealing order removed, per table: what the order's record keeps (never
/// the removed data), and what its test checks.
public struct SealingTally: Sendable, Hashable, CustomStringConvertible {
    public private(set) var rowsByTable: [String: Int] = [:]

    public init() {}

    /// Adds `rows` removed from `table` (a table with nothing removed is not listed).
    public mutating func add(_ rows: Int, from table: String) {
        guard rows > 0 else { return }
        rowsByTable[table, default: 0] += rows
    }

    /// Adds everything `other` counted.
    public mutating func merge(_ other: SealingTally) {
        for (table, rows) in other.rowsByTable { add(rows, from: table) }
    }

    public var total: Int { rowsByTable.values.reduce(0, +) }

    /// `table=rows` pairs by table name, `;`-separated (empty when nothing was removed).
    public var description: String {
        rowsByTable.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }
}
