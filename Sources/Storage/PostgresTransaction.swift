import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A ``StorageTransaction`` on one PostgreSQL connection, inside BEGIN … COMMIT. Runs only on
/// ``PostgresStorage``'s queue: each statement that returns something blocks that thread until
/// its result arrives.
///
/// Statements given to ``send(_:_:)`` are queued on the connection without waiting (``pending``):
/// postgres-nio starts each queued statement on its event loop as soon as the previous one is
/// answered, so a run of them costs the database's round trips but not, each, a wake-up of this
/// thread and a hop back to the event loop (~60 µs of a statement's ~220 here). Their
/// answers are checked, in order, before anything that depends on them: the next statement
/// that returns something, a savepoint's end, the commit. A sent single-row insert is held
/// instead (``HeldInserts``), and its rows go several to a statement when something names its
/// table, at a savepoint or at the commit: a views replay sent 2.9 statements an event, 1.2 so.
final class PostgresTransaction: StorageTransaction {
    let connection: PostgresConnection
    let location: String
    let logger: Logger
    var dialect: StorageDialect { .postgres }
    let scratch = TransactionScratch()
    private(set) var statementTime: Duration = .zero
    private(set) var statementCount = 0
    /// A statement failed and was not rolled back to a savepoint yet (PostgreSQL refuses more).
    private(set) var aborted = false
    private var savepointDepth = 0
    /// Statements sent without waiting whose answers were not checked yet, oldest first.
    private var pending: [EventLoopFuture<PostgresQueryResult>] = []
    /// Single-row inserts sent without waiting, not yet given to the connection: written
    /// several rows a statement (``HeldInserts``) before anything else runs.
    private var held = HeldInserts()
    /// The forms of the inserts seen, shared by the storage's transactions.
    private let forms: InsertForms
    /// Tables whose rows are never held (``HeldInserts``): read at the first insert that could be.
    private var tablesWrittenInOrder: Set<String>?

    init(_ connection: PostgresConnection, location: String, logger: Logger, forms: InsertForms = InsertForms()) {
        self.connection = connection
        self.location = location
        self.logger = logger
        self.forms = forms
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    /// A single-row insert is held to be written with the rows that follow it (``HeldInserts``);
    /// any other statement is queued on the connection at once, after what was held.
    func send(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        if let form = forms.form(of: sql), form.width == arguments.count, try !writtenInOrder(form.table) {
            if held.hold(arguments, of: sql, form: form) { return }
            try writeHeld(namedIn: sql)
            if held.hold(arguments, of: sql, form: form) { return }
        }
        try writeHeld(before: sql)
        queue(sql, arguments)
    }

    /// Writes what is held that must reach the database before `sql`: everything when it
    /// changes the schema or a session setting (it may touch a held table without naming it:
    /// `DROP SCHEMA … CASCADE`, a new foreign key, a search path), and the catalog is read again
    /// after it; otherwise the rows of the tables it names. Sent and run statements alike.
    private func writeHeld(before sql: String) throws(StorageError) {
        if Self.changesSchema(sql) {
            try writeHeld()
            tablesWrittenInOrder = nil
        } else {
            try writeHeld(namedIn: sql)
        }
    }

    /// Whether `sql` is a schema change or a session setting rather than a query or a row's
    /// change.
    private static func changesSchema(_ sql: String) -> Bool {
        let first = sql.drop { $0.isWhitespace }.prefix { $0.isLetter }.uppercased()
        return ["CREATE", "ALTER", "DROP", "SET", "RESET", "TRUNCATE", "COMMENT", "GRANT", "REVOKE", "LOCK", "DO", "CALL"].contains(first)
    }

    func writePending() throws(StorageError) {
        try writeHeld()
    }

    /// Queues one statement on the connection without waiting for its answer.
    private func queue(_ sql: String, _ arguments: [SQLValue]) {
        let started = ContinuousClock.now
        defer { statementTime += ContinuousClock.now - started }
        statementCount += 1
        pending.append(connection.query(Self.query(sql, arguments), logger: logger))
    }

    /// Queues the statements that write the held rows, in the order their inserts were first
    /// given: all of them, or with `sql`, those of the tables it names (``HeldInserts``). After a
    /// failure, what is held is dropped: the transaction will be rolled back.
    private func writeHeld(namedIn sql: String? = nil) throws(StorageError) {
        guard !held.isEmpty else { return }
        let statements = if let sql { held.take(for: sql, inOrder: tablesWrittenInOrder ?? []) } else { held.take() }
        guard !aborted else { return }
        for statement in statements { queue(statement.sql, statement.arguments) }
    }

    /// Whether rows of `table` must be written in the order given: it has a foreign key
    /// (either way), a trigger, a rule or a row security policy of its own, in any schema (a row
    /// of a table another refers to may not be written after the row referring to it), it
    /// inherits or is inherited, or it is a view, a partitioned or a foreign table (whose rows
    /// are another table's). Read once a transaction, and again after a statement that changes
    /// the schema.
    private func writtenInOrder(_ table: String) throws(StorageError) -> Bool {
        if tablesWrittenInOrder == nil {
            let rows = try fetchAll(
                """
                SELECT c.relname AS name FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid OR c.oid = k.confrelid
                WHERE k.contype = 'f'
                UNION SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
                UNION SELECT c.relname FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN'
                UNION SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                UNION SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid OR c.oid = i.inhparent
                UNION SELECT c.relname FROM pg_class c WHERE c.relkind IN ('v', 'm', 'p', 'f')
                  AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))
                """, [])
            var names = Set<String>()
            for row in rows {
                guard case .text(let name)? = row.values.first else { continue }
                names.insert(name.lowercased())
            }
            tablesWrittenInOrder = names
        }
        return tablesWrittenInOrder?.contains(table) ?? true
    }

    /// Writes what is held and waits for the answers of every statement sent without waiting.
    /// The first that failed aborts the transaction and is thrown (PostgreSQL refused the ones
    /// after it).
    func settle() throws(StorageError) {
        try writeHeld()
        guard !pending.isEmpty else { return }
        _ = try answers(and: nil)
    }

    /// Waits once for the pending statements' answers and then `next`'s (queued after them),
    /// and clears ``pending``. One wait, not one a statement: each `wait()` from this thread
    /// costs a hop to the event loop and back (a router replay on PostgreSQL was 8–12 % slower
    /// with a wait per sent statement than without sending at all).
    ///
    /// - Throws: the first pending statement's failure (the transaction is then aborted), else
    ///   `next`'s.
    private func answers(and next: EventLoopFuture<PostgresQueryResult>?) throws(StorageError) -> PostgresQueryResult? {
        let sent = pending
        pending = []
        let all = sent + (next.map { [$0] } ?? [])
        let started = ContinuousClock.now
        let results: [Result<PostgresQueryResult, any Error>]
        do {
            results = try EventLoopFuture.whenAllComplete(all, on: connection.eventLoop).wait()
        } catch {
            // whenAllComplete itself never fails; the event loop shutting down does.
            statementTime += ContinuousClock.now - started
            aborted = true
            throw Self.storageError(error, location: location) ?? StorageError(.unavailable, database: location, detail: "\(error)")
        }
        statementTime += ContinuousClock.now - started
        for result in results {
            if case .failure(let error) = result {
                aborted = true
                throw Self.storageError(error, location: location) ?? StorageError(.other(code: "query"), database: location, detail: "\(error)")
            }
        }
        if next != nil, case .success(let answer) = results.last { return answer }
        return nil
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
        try settle()  // a failure before the savepoint is not the savepoint's to roll back
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "storage_savepoint_\(savepointDepth)"
        try control("SAVEPOINT \(name)")
        let result: T
        do {
            result = try body()
            try settle()
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

    /// BEGIN, COMMIT, ROLLBACK and savepoints: run whatever the failure state, after the
    /// statements sent before them were answered (whether they failed is ``settle()``'s to
    /// say: a COMMIT must be preceded by it, since PostgreSQL answers the COMMIT of an aborted
    /// transaction with a rollback, not an error).
    func control(_ sql: String) throws(StorageError) {
        // Rows held since the savepoint or the transaction began are rolled back unwritten
        // (a savepoint's start wrote everything held before it).
        if sql.hasPrefix("ROLLBACK") { held = HeldInserts() }
        try? settle()
        do {
            _ = try query(PostgresQuery(unsafeSQL: sql))
        } catch {
            throw Self.storageError(error, location: location) ?? StorageError(.other(code: "control"), database: location)
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws(StorageError) -> PostgresQueryResult {
        guard !aborted else { throw StorageError(.transactionAborted, database: location) }
        try writeHeld(before: sql)
        statementCount += 1
        if !pending.isEmpty {
            // Queued behind the statements sent before it, and one wait for all: a failure
            // among them is the error to report (this one would only say "aborted").
            let started = ContinuousClock.now
            let answer = connection.query(Self.query(sql, arguments), logger: logger)
            statementTime += ContinuousClock.now - started
            return try answers(and: answer)!
        }
        do {
            return try query(Self.query(sql, arguments))
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

    static func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { bind(argument, to: &bindings) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
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

/// The ``HeldInserts/Form`` of each statement a storage's transactions sent, worked out once.
/// Transactions run one at a time on the storage's queue: the lock never waits.
final class InsertForms: Sendable {
    private let forms = Mutex<[String: HeldInserts.Form?]>([:])

    func form(of sql: String) -> HeldInserts.Form? {
        if let known = forms.withLock({ $0[sql] }) { return known }
        let form = HeldInserts.Form(sql)
        forms.withLock { $0[sql] = form }
        return form
    }
}
