/// One open transaction, as a store sees it: statements run synchronously, in order, and
/// commit together or not at all.
///
/// Not Sendable: a transaction lives only inside the closure given to
/// ``StorageDatabase/write(_:)``, on the thread that runs it (GRDB's writer queue for SQLite,
/// the database's own queue for PostgreSQL), never on the cooperative pool.
///
/// After a statement fails, the transaction (or the innermost ``savepoint(_:)``) can only be
/// rolled back: further statements throw `.transactionAborted`. PostgreSQL behaves so by itself;
/// the SQLite backend enforces it, so that code tested on SQLite behaves the same on PostgreSQL.
public protocol StorageTransaction: AnyObject {
    /// Which SQL the database speaks, for the few statements that differ (see ``StorageDialect``).
    var dialect: StorageDialect { get }

    /// Values derived during this transaction, shared by the stores applying its batch
    /// (``TransactionScratch``).
    var scratch: TransactionScratch { get }

    /// How long this transaction's statements have taken so far, summed: the SQL itself,
    /// binding its values and reading its rows back, and on PostgreSQL the round trips (on
    /// SQLite, savepoints are not counted: they cost no I/O there). What a batch spends beyond
    /// it is the service's own code (`BatchStages` in ServiceKit).
    var statementTime: Duration { get }

    /// How many statements this transaction has run so far (those given to ``execute(_:_:)``,
    /// ``send(_:_:)``, ``fetchAll(_:_:)`` and ``executeScript(_:)``; not BEGIN, COMMIT or
    /// savepoints): on PostgreSQL each is a round trip, so the count says what a batch waits
    /// for more exactly than timing it on a noisy host.
    var statementCount: Int { get }

    /// Runs one statement with `$1`, `$2`, … bound to `arguments`; returns how many rows it
    /// inserted, updated or deleted (0 for an `ON CONFLICT DO NOTHING` that found the row).
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> Int

    /// Runs one statement whose answer the caller does not need (no row count, no rows), so
    /// that the database can be sent the next one without waiting: on PostgreSQL it is queued
    /// on the connection at once and its answer checked with the next statement that returns
    /// something, the next savepoint's end, or the commit, and a single-row insert may be held
    /// to be written with the next rows of the same insert, several a statement (`HeldInserts`);
    /// SQLite runs it at once, like ``execute(_:_:)``. Every later statement sees what an
    /// earlier `send` wrote: held rows are written before any statement that names their table.
    ///
    /// A failure surfaces where the answer is checked (as the error of the statement that
    /// failed, and the transaction or savepoint is then aborted): use ``execute(_:_:)`` for a
    /// statement whose failure the caller handles itself.
    func send(_ sql: String, _ arguments: [SQLValue]) throws(StorageError)

    /// Gives the database every statement ``send(_:_:)`` held back (PostgreSQL holds single-row
    /// inserts to write several rows a statement), without waiting for their answers: what a
    /// batch does before it counts its statements. A no-op on SQLite, which holds nothing.
    func writePending() throws(StorageError)

    /// Runs one query and returns all its rows.
    func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> [StorageRow]

    /// Runs several statements without arguments (a migration's DDL), separated by `;`.
    func executeScript(_ sql: String) throws(StorageError)

    /// Runs `body` in a savepoint: when it throws, its statements are rolled back (and the
    /// transaction can go on), then the error is rethrown; otherwise its statements are kept.
    func savepoint<T>(_ body: () throws -> T) throws -> T
}

extension StorageTransaction {
    @discardableResult
    public func execute(_ sql: String) throws(StorageError) -> Int {
        try execute(sql, [])
    }

    /// ``send(_:_:)`` of a statement without arguments.
    public func send(_ sql: String) throws(StorageError) {
        try send(sql, [])
    }

    public func fetchAll(_ sql: String) throws(StorageError) -> [StorageRow] {
        try fetchAll(sql, [])
    }

    /// The first row of the query, or nil when it returns none.
    public func fetchOne(_ sql: String, _ arguments: [SQLValue] = []) throws(StorageError) -> StorageRow? {
        try fetchAll(sql, arguments).first
    }
}

/// A database that runs transactions: SQLite (``SQLiteStorage``) or PostgreSQL (``PostgresStorage``).
public protocol StorageDatabase: Sendable {
    var dialect: StorageDialect { get }
    /// Names the database in errors and logs: a file path, or a URL without password.
    var location: String { get }

    /// Runs `body` in one transaction, off the caller's task (on the database's own thread):
    /// committed when it returns, rolled back when it throws (its error is rethrown) or when a
    /// statement in it failed and was not rolled back to a savepoint (`.transactionAborted`).
    ///
    /// - Throws: what `body` throws; errors of the database as ``StorageError``.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T

    /// Runs `body` in a transaction that only reads: on SQLite a reader connection beside the
    /// writer (WAL: it neither waits for nor blocks a write), on PostgreSQL a transaction like
    /// ``write(_:)``'s. A statement that writes fails on SQLite.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T

    /// ``read(_:)``, blocking the calling thread until it is done: only for threads that may
    /// block and are not the database's own (librdkafka's callback thread).
    func readBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T

    /// ``write(_:)``, blocking the calling thread until it is done. On SQLite the transaction
    /// runs on the calling thread itself when no other write holds the database (GRDB's
    /// synchronous write), saving the hops to the database's thread and back. Only for threads
    /// that may block: never one of Swift's cooperative threads (a slow disk would hold it).
    func writeBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T
}
