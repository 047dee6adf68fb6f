import Placeholders

/// How many rows a sealing order removed, per table: what the order's record keeps (never
/// the removed data), and what its test checks.
///
/// It also carries the numbers the removed rows paired with the order's own (a row with the
/// order's FBI number and a state ID): the runtime remembers their digests beside the order's,
/// so a late record naming the person by the other number is covered too. They are never part
/// of the ``description``.
public struct SealingTally: Sendable, Hashable, CustomStringConvertible {
    public private(set) var rowsByTable: [String: Int] = [:]
    /// State IDs and FBI numbers of the order's person found in the removed rows.
    public private(set) var pairedStateIds: Set<String> = []
    public private(set) var pairedFbiNumbers: Set<String> = []

    public init() {}

    /// Adds `rows` removed from `table` (a table with nothing removed is not listed).
    public mutating func add(_ rows: Int, from table: String) {
        guard rows > 0 else { return }
        rowsByTable[table, default: 0] += rows
    }

    /// Notes numbers the removed rows paired with the order's person (empty ones, and ones that
    /// say there is none, `PersonNumberPlaceholder`, are ignored: they pair with nobody).
    public mutating func notePaired(stateId: String?, fbiNumber: String?) {
        if let stateId, !stateId.isEmpty, !PersonNumberPlaceholder.isPlaceholder(stateId) { pairedStateIds.insert(stateId) }
        if let fbiNumber, !fbiNumber.isEmpty, !PersonNumberPlaceholder.isPlaceholder(fbiNumber) { pairedFbiNumbers.insert(fbiNumber) }
    }

    /// Adds everything `other` counted and noted.
    public mutating func merge(_ other: SealingTally) {
        for (table, rows) in other.rowsByTable { add(rows, from: table) }
        pairedStateIds.formUnion(other.pairedStateIds)
        pairedFbiNumbers.formUnion(other.pairedFbiNumbers)
    }

    public var total: Int { rowsByTable.values.reduce(0, +) }

    /// `table=rows` pairs by table name, `;`-separated (empty when nothing was removed).
    public var description: String {
        rowsByTable.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }
}
