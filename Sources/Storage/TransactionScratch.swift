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

    /// Called by a transaction when it rolls a savepoint back.
    func noteRollback() {
        rollbacks += 1
    }
}
