/// Values derived from what one transaction read or wrote, kept for the rest of that
/// transaction so that the stores applying the same batch do not derive them again (a stored
/// event decoded once for every fold of its release, an event the views share written once).
///
/// It lives and dies with its transaction (``StorageTransaction/scratch``), on the
/// transaction's thread, so it needs no lock. A value must be a pure function of its key:
/// a key names everything the value was computed from (event ids and their bytes, not a
/// table's name), so a savepoint rolled back or a table that differs from store to store can
/// never make a store use a value computed from rows it does not hold. A value that says what
/// this transaction *wrote* (a row inserted, rows deleted) also names ``rollbacks`` in its key:
/// a savepoint rolled back since may have undone that write.
public final class TransactionScratch {
    private var values: [String: Any] = [:]
    /// How many savepoints of the transaction were rolled back so far.
    public private(set) var rollbacks = 0

    public init() {}

    /// The value stored under `key`, if it is of type `T`.
    public func value<T>(_ key: String, as type: T.Type = T.self) -> T? {
        values[key] as? T
    }

    /// Stores `value` under `key`, replacing what was there.
    public func store<T>(_ value: T, for key: String) {
        values[key] = value
    }

    /// Reads remembered by ``remembered(_:key:read:)``, by family.
    private var families: [String: RememberedReads] = [:]

    private struct RememberedReads {
        /// ``rollbacks`` when the family's first read was remembered: a savepoint rolled back
        /// since may have undone a write those reads saw.
        var rollbacks: Int
        var values: [String: Any] = [:]
    }

    /// What `read` returns for `key`, read once and then remembered for the rest of the
    /// transaction, until ``forget(_:)`` of its `family` or a savepoint rolled back: for reads
    /// that several stores of one batch repeat (a person's cases, the agencies serving a place)
    /// and that cost a round trip each on PostgreSQL.
    ///
    /// The caller must call ``forget(_:)`` before every statement that writes what the
    /// family's reads read: the scratch cannot see statements.
    public func remembered<T>(_ family: String, key: String, read: () throws -> T) rethrows -> T {
        var reads = families[family] ?? RememberedReads(rollbacks: rollbacks)
        if reads.rollbacks != rollbacks { reads = RememberedReads(rollbacks: rollbacks) }
        // The key's presence first: a missing value cast to an optional `T` would pass as nil.
        if let stored = reads.values[key], let known = stored as? T { return known }
        let value = try read()
        reads.values[key] = value
        families[family] = reads
        return value
    }

    /// Forgets every read of `family` (its tables are about to change).
    public func forget(_ family: String) {
        families[family] = nil
    }

    /// Called by a transaction when it rolls a savepoint back.
    func noteRollback() {
        rollbacks += 1
    }
}
