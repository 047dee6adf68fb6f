/// Values derived from what one transaction read, kept for the rest of that transaction so
/// that the stores applying the same batch do not derive them again (an event decoded once for
/// every view that keeps it, a release's history folded once for every view that shows it).
///
/// It lives and dies with its transaction (``StorageTransaction/scratch``), on the
/// transaction's thread, so it needs no lock. A value must be a pure function of its key:
/// a key names everything the value was computed from (event ids and their bytes, not a
/// table's name), so a savepoint rolled back or a table that differs from store to store can
/// never make a store use a value computed from rows it does not hold.
public final class TransactionScratch {
    private var values: [String: Any] = [:]

    public init() {}

    /// The value stored under `key`, if it is of type `T`.
    public func value<T>(_ key: String, as type: T.Type = T.self) -> T? {
        values[key] as? T
    }

    /// Stores `value` under `key`, replacing what was there.
    public func store<T>(_ value: T, for key: String) {
        values[key] = value
    }
}
