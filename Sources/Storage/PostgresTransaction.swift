import Logging
import NIOCore
import PostgresNIO

/// A ``StorageTransaction`` on one PostgreSQL connection, inside BEGIN … COMMIT. Runs only on
/// ``PostgresStorage``'s queue: each statement blocks that thread until its result arrives.
final class PostgresTransaction: StorageTransaction {
    let connection: PostgresConnection
    let location: String
    let logger: Logger
    var dialect: StorageDialect { .postgres }
    let scratch = TransactionScratch()
    private(set) var statementTime: Duration = .zero
    /// A statement failed and was not rolled back to a savepoint yet (PostgreSQL refuses more).
    private(set) var aborted = false
    private var savepointDepth = 0

    init(_ connection: PostgresConnection, location: String, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> [StorageRow] {
        let result = try run(sql, arguments)
        do {
            return try result.rows.map(Self.row)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.other(code: "decoding"), database: location, detail: "\(error)")
        }
    }

    /// One statement after the other (see ``SQLScript``), in this transaction.
    func executeScript(_ sql: String) throws(StorageError) {
        for statement in SQLScript.statements(sql) { _ = try run(statement, []) }
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "storage_savepoint_\(savepointDepth)"
        try control("SAVEPOINT \(name)")
        let result: T
        do {
            result = try body()
        } catch {
            scratch.noteRollback()
            try control("ROLLBACK TO SAVEPOINT \(name)")
            aborted = false
            try control("RELEASE SAVEPOINT \(name)")
            throw error
        }
        try control("RELEASE SAVEPOINT \(name)")
        return result
    }

    /// BEGIN, COMMIT, ROLLBACK and savepoints: run whatever the failure state.
    func control(_ sql: String) throws(StorageError) {
        do {
            _ = try query(PostgresQuery(unsafeSQL: sql))
        } catch {
            throw Self.storageError(error, location: location) ?? StorageError(.other(code: "control"), database: location)
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> PostgresQueryResult {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { Self.bind(argument, to: &bindings) }
        do {
            return try query(PostgresQuery(unsafeSQL: sql, binds: bindings))
        } catch {
            aborted = true
            throw Self.storageError(error, location: location) ?? StorageError(.other(code: "query"), database: location, detail: "\(error)")
        }
    }

    /// Sends one query and waits for its result (its rows included), adding the time to
    /// ``statementTime``: every statement, control or not, goes through here.
    private func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let started = ContinuousClock.now
        defer { statementTime += ContinuousClock.now - started }
        return try connection.query(query, logger: logger).wait()
    }

    static func bind(_ value: SQLValue, to bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let integer): bindings.append(integer)
        case .real(let real): bindings.append(real)
        case .text(let text): bindings.append(text)
        case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }

    /// Reads a row's cells by their PostgreSQL types (the shared ones only).
    static func row(_ row: PostgresRow) throws -> StorageRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return StorageRow(columns: columns, values: values)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .text, .varchar, .bpchar, .name: return .text(try cell.decode(String.self))
        case .bytea: return .bytes(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default:
            throw StorageError(.unsupportedColumnType(column: cell.columnName, type: "\(cell.dataType)"))
        }
    }

    /// Maps postgres-nio's errors; nil for errors that are not the database's (the body's own).
    static func storageError(_ error: any Error, location: String) -> StorageError? {
        if let error = error as? StorageError { return error }
        guard let error = error as? PSQLError else { return nil }
        let detail = String(reflecting: error)
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            switch state {
            case "23505":
                let constraint = error.serverInfo?[.constraintName] ?? "unknown"
                return StorageError(.uniqueViolation(constraint: constraint), database: location, detail: detail)
            case "25P02": return StorageError(.transactionAborted, database: location, detail: detail)
            // Connection exceptions, and the server shutting down or starting up.
            case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03":
                return StorageError(.unavailable, database: location, detail: detail)
            case _ where state.hasPrefix("23"): return StorageError(.constraintViolation, database: location, detail: detail)
            default: return StorageError(.other(code: "SQLSTATE \(state)"), database: location, detail: detail)
            }
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return StorageError(.unavailable, database: location, detail: detail)
        default:
            return StorageError(.other(code: "\(error.code)"), database: location, detail: detail)
        }
    }
}
