import Foundation
import GRDB

/// The storage interface over a SQLite database (GRDB): each ``write(_:)`` is one GRDB write
/// transaction on GRDB's writer queue.
public struct SQLiteStorage: StorageDatabase {
    public let writer: any DatabaseWriter
    public let location: String
    public var dialect: StorageDialect { .sqlite }

    /// Wraps an open GRDB database; `location` names it in errors (its path).
    public init(writer: any DatabaseWriter, location: String) {
        self.writer = writer
        self.location = location
    }

    /// Opens (creating if needed) the SQLite database at `path` in WAL mode.
    ///
    /// - Throws: ``StorageError`` naming the file.
    public init(path: String) throws(StorageError) {
        do {
            self.init(writer: try DatabasePool(path: path), location: path)
        } catch {
            throw SQLiteTransaction.storageError(error, location: path)
        }
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws(StorageError) -> SQLiteStorage {
        do {
            return SQLiteStorage(writer: try DatabaseQueue(), location: ":memory:")
        } catch {
            throw SQLiteTransaction.storageError(error, location: ":memory:")
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        let location = self.location
        do {
            return try await writer.write { db in try Self.transaction(db, location: location, body) }
        } catch let error as DatabaseError {
            throw SQLiteTransaction.storageError(error, location: location)
        }
    }

    public func writeBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        do {
            return try writer.write { db in try Self.transaction(db, location: location, body) }
        } catch let error as DatabaseError {
            throw SQLiteTransaction.storageError(error, location: location)
        }
    }

    private static func transaction<T>(_ db: Database, location: String, _ body: (any StorageTransaction) throws -> T) throws -> T {
        let transaction = SQLiteTransaction(db, location: location)
        let result = try body(transaction)
        // GRDB would commit what is left; PostgreSQL rolls back a failed transaction.
        if transaction.aborted { throw StorageError(.transactionAborted, database: location) }
        return result
    }
}

extension SQLiteStorage {
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        let location = self.location
        do {
            return try await writer.read { db in try body(SQLiteTransaction(db, location: location)) }
        } catch let error as DatabaseError {
            throw SQLiteTransaction.storageError(error, location: location)
        }
    }

    public func readBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(SQLiteTransaction(db, location: location)) }
        } catch let error as DatabaseError {
            throw SQLiteTransaction.storageError(error, location: location)
        }
    }
}

/// A ``StorageTransaction`` over GRDB's `Database` inside a write transaction. Public so that
/// code already inside a GRDB write (ServiceKit's batch) can hand the same transaction to stores.
public final class SQLiteTransaction: StorageTransaction {
    public let db: Database
    public let location: String
    public var dialect: StorageDialect { .sqlite }
    public let scratch = TransactionScratch()
    public private(set) var statementTime: Duration = .zero
    public private(set) var statementCount = 0
    /// A statement failed and was not rolled back to a savepoint yet.
    private(set) var aborted = false

    public init(_ db: Database, location: String) {
        self.db = db
        self.location = location
    }

    @discardableResult
    public func execute(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> Int {
        try guarded {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments, for: sql))
            return db.changesCount
        }
    }

    /// SQLite answers in the calling thread, so there is nothing to gain by waiting later.
    public func send(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) {
        try execute(sql, arguments)
    }

    /// Nothing is held back: ``send(_:_:)`` runs at once.
    public func writePending() throws(StorageError) {}

    public func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> [StorageRow] {
        try guarded {
            let statement = try db.cachedStatement(sql: sql)
            let columns = statement.columnNames
            return try Row.fetchAll(statement, arguments: Self.arguments(arguments, for: sql)).map { row in
                StorageRow(columns: columns, values: (0..<columns.count).map { Self.value(row[$0] as DatabaseValue) })
            }
        }
    }

    public func executeScript(_ sql: String) throws(StorageError) {
        try guarded { try db.execute(sql: sql) }
    }

    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        var result: T?
        do {
            try db.inSavepoint {
                do {
                    result = try body()
                } catch {
                    // The savepoint's statements are rolled back: the transaction may go on.
                    aborted = false
                    scratch.noteRollback()
                    throw error
                }
                return .commit
            }
        } catch let error as DatabaseError {
            throw Self.storageError(error, location: location)
        }
        guard let result else { throw StorageError(.other(code: "savepoint without result"), database: location) }
        return result
    }

    /// Runs one statement, refusing it after a failure and recording a failure, with errors mapped.
    private func guarded<T>(_ statement: () throws -> T) throws(StorageError) -> T {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        let started = ContinuousClock.now
        defer { statementTime += ContinuousClock.now - started }
        statementCount += 1
        do {
            return try statement()
        } catch {
            aborted = true
            throw Self.storageError(error, db: db, location: location)
        }
    }

    /// The arguments of `sql`, bound by position where the parameters' order is known.
    ///
    /// `$N` is a named parameter to SQLite, numbered in the order names first appear
    /// (``SQLParameterOrder``): positional values in that order bind the same as by name,
    /// without GRDB building and searching a dictionary of names for every statement. A
    /// statement whose parameters cannot all be bound so (an argument missing) goes by name,
    /// which reports what is missing.
    static func arguments(_ values: [SQLValue], for sql: String) -> StatementArguments {
        guard let order = SQLParameterOrder(sql), order.numbers.allSatisfy({ $0 >= 1 && $0 <= values.count }) else {
            return arguments(values)
        }
        // Existentials, not `[DatabaseValue]`: GRDB maps the latter through a key path, which
        // costs more than the binding.
        return StatementArguments(order.numbers.map { databaseValue(values[$0 - 1]) as (any DatabaseValueConvertible)? })
    }

    /// `$N` is a named parameter to SQLite (named "N" by GRDB), so the arguments are bound by
    /// name: `$2` gets `arguments[1]` wherever it stands.
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        var named: [String: (any DatabaseValueConvertible)?] = [:]
        for (index, value) in values.enumerated() { named[String(index + 1)] = databaseValue(value) }
        return StatementArguments(named)
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .bytes([UInt8](data))
        }
    }

    static func storageError(_ error: any Error, db: Database? = nil, location: String) -> StorageError {
        if let error = error as? StorageError { return error }
        guard let error = error as? DatabaseError else {
            return StorageError(.other(code: "\(type(of: error))"), database: location, detail: "\(error)")
        }
        let detail = error.message ?? ""
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_PRIMARYKEY, .SQLITE_CONSTRAINT_UNIQUE:
            let constraint = db.flatMap { UniqueConstraintName.resolve(error, in: $0) } ?? "unknown"
            return StorageError(.uniqueViolation(constraint: constraint), database: location, detail: detail)
        default: break
        }
        switch error.resultCode {
        case .SQLITE_CONSTRAINT: return StorageError(.constraintViolation, database: location, detail: detail)
        case .SQLITE_CORRUPT: return StorageError(.damaged, database: location, detail: detail)
        case .SQLITE_NOTADB, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return StorageError(.cannotOpen, database: location, detail: detail)
        case .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR: return StorageError(.cannotWrite, database: location, detail: detail)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StorageError(.unavailable, database: location, detail: detail)
        default:
            return StorageError(.other(code: "SQLite error \(error.extendedResultCode.rawValue)"), database: location, detail: detail)
        }
    }
}
