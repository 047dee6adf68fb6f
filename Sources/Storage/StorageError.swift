/// Why a storage operation failed, the same on SQLite and PostgreSQL.
///
/// `description` names the database (file, or URL without password), the constraint or the
/// column, and never SQL or values: a statement's arguments may be personal data. The
/// backend's own message is only in `debugDescription`.
public struct StorageError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The database could not be opened: a SQLite file that is not a database or not
        /// readable, a PostgreSQL role or database refused.
        case cannotOpen
        /// The database is damaged (SQLite's integrity check or a read found corrupt pages).
        case damaged
        /// The database cannot be written: read-only file or directory, disk full, I/O error.
        case cannotWrite
        /// A row would duplicate a unique key. `constraint` is PostgreSQL's name for it, which
        /// SQLite reports alike (see ``StorageDialect``): `<table>_pkey` for a primary key,
        /// `<table>_<columns>_key` for a `UNIQUE` column or table constraint, the index's name
        /// for a `CREATE UNIQUE INDEX`.
        case uniqueViolation(constraint: String)
        /// Another constraint failed (NOT NULL, CHECK, foreign key).
        case constraintViolation
        /// The database cannot be reached or went away (PostgreSQL stopped, connection lost,
        /// SQLite busy): the transaction was not committed, except when PostgreSQL's connection was lost
        /// during its COMMIT, which may have committed it all; a writer that retries must tell (the
        /// consumer runtime does, by the offsets it stored); retrying later may succeed.
        case unavailable
        /// A statement ran after an earlier one in the same transaction (or savepoint) failed.
        /// PostgreSQL refuses those; the SQLite backend refuses them too, so code that swallows
        /// a failed statement fails on both. Roll back (leave the transaction or savepoint).
        case transactionAborted
        /// The row has no column of that name.
        case noSuchColumn(String)
        /// The column holds another kind of value than the caller asked for.
        case typeMismatch(column: String, expected: String, found: String)
        /// A PostgreSQL column type outside the shared ones (BIGINT, DOUBLE PRECISION, TEXT, BYTEA).
        case unsupportedColumnType(column: String, type: String)
        /// The database was written by a newer version of ReentryBus: it records schema steps
        /// this program does not know. Nothing was changed; run the newer version.
        case schemaFromNewerVersion(unknownMigrations: [String])
        /// A configuration value (a database URL's part) is unusable.
        case invalidConfiguration(field: String, reason: String)
        /// Anything else; `code` is SQLite's result code or PostgreSQL's SQLSTATE.
        case other(code: String)
    }

    public var kind: Kind
    /// The database: a SQLite file path or a PostgreSQL URL without password. Nil for errors
    /// found reading a row.
    public var database: String?
    /// The backend's message, for `debugDescription` only (may quote SQL or values).
    var detail: String

    public init(_ kind: Kind, database: String? = nil, detail: String = "") {
        self.kind = kind
        self.database = database
        self.detail = detail
    }

    /// Whether retrying the whole transaction later may succeed.
    public var isRetriable: Bool { kind == .unavailable }

    public var description: String {
        let name = database.map { "The database \($0)" } ?? "A row"
        switch kind {
        case .cannotOpen:
            return "\(name) could not be opened: check that it is a ReentryBus database and that this user may read and write it."
        case .damaged:
            return "\(name) is damaged: stop the service, move it aside, and replay the service to rebuild it from the topics."
        case .cannotWrite:
            return "\(name) cannot be written: check free disk space and permissions."
        case .uniqueViolation(let constraint):
            return "\(name) refused a duplicate key (unique constraint \(constraint))."
        case .constraintViolation:
            return "\(name) refused a row that violates a constraint."
        case .unavailable:
            return "\(name) is unavailable (stopped, unreachable or busy); the transaction was not committed (if the connection was lost during its COMMIT, it may have been)."
        case .transactionAborted:
            return "\(name) refused a statement: an earlier statement of the transaction failed, so it must be rolled back."
        case .noSuchColumn(let column):
            return "\(name) has no column \(column)."
        case .typeMismatch(let column, let expected, let found):
            return "\(name)'s column \(column) holds \(found), not \(expected)."
        case .unsupportedColumnType(let column, let type):
            return "\(name)'s column \(column) has the type \(type), which shared SQL does not use (BIGINT, DOUBLE PRECISION, TEXT, BYTEA)."
        case .schemaFromNewerVersion(let unknown):
            return "\(name) was written by a newer version of ReentryBus (schema steps \(unknown.joined(separator: ", ")) are unknown here): run that version, or point this one at another database."
        case .invalidConfiguration(let field, let reason):
            return "The database configuration's \(field) is unusable: \(reason)."
        case .other(let code):
            return "\(name) failed (\(code))."
        }
    }

    public var debugDescription: String { detail.isEmpty ? description : "\(description) [\(detail)]" }
}
