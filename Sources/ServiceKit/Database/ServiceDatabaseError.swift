import GRDB
import Storage

/// Why a service's database could not be opened or written, in words an operator can act on.
///
/// Each case names the file (or directory): a service that stops on a storage error must say
/// which of its files is at fault and what to do about it. `description` holds no SQL and no
/// values (a statement's arguments may be personal data); SQLite's own message, which may quote
/// SQL, is only in `debugDescription`.
public struct ServiceDatabaseError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The data directory's path names a file, not a directory.
        case dataDirectoryIsAFile
        /// The data directory could not be created (permissions, a read-only file system, …).
        case cannotCreateDataDirectory
        /// SQLite could not open the file (missing permission, not a database, …).
        case cannotOpen
        /// The file is a database, but `PRAGMA quick_check` found damage.
        case damaged
        /// The file cannot be written (read-only file or directory, disk full, I/O error).
        case cannotWrite
        /// The database cannot be reached (PostgreSQL stopped or unreachable, SQLite busy):
        /// the transaction was not committed (unless PostgreSQL's connection was lost during its
        /// COMMIT: then it may have been, which a retry must tell); retrying later may succeed.
        case unavailable
        /// The database records schema steps this program does not know: a newer version
        /// wrote it. Nothing was changed.
        case schemaFromNewerVersion
        /// Anything else the database reported.
        case other
    }

    public var kind: Kind
    /// The database file, or the data directory for the directory cases.
    public var path: String
    /// SQLite's result code, when the error came from SQLite.
    public var sqliteCode: Int32?
    /// SQLite's message or the system's, for `debugDescription` only.
    var detail: String

    public init(_ kind: Kind, path: String, sqliteCode: Int32? = nil, detail: String = "") {
        self.kind = kind
        self.path = path
        self.sqliteCode = sqliteCode
        self.detail = detail
    }

    public var description: String {
        let code = sqliteCode.map { " (SQLite error \($0))" } ?? ""
        switch kind {
        case .dataDirectoryIsAFile:
            return "The data directory \(path) is a file, not a directory: choose another --data-dir or move the file."
        case .cannotCreateDataDirectory:
            return "The data directory \(path) could not be created: check that its parent exists and is writable."
        case .cannotOpen:
            return "The database \(path) could not be opened\(code): check that it is a ReentryBus service database and readable and writable by this user."
        case .damaged:
            return "The database \(path) is damaged (SQLite's quick_check failed): stop the service, move the file and its -wal and -shm files aside, and start again to rebuild it from the topics."
        case .cannotWrite:
            return "The database \(path) cannot be written\(code): check free disk space and the file's and directory's permissions."
        case .unavailable:
            return "The database \(path) is unavailable (stopped, unreachable or busy); the transaction was not committed (if the connection was lost during its COMMIT, it may have been)."
        case .schemaFromNewerVersion:
            return "The database \(path) was written by a newer version of ReentryBus (\(detail)): run that version, or give this one another database."
        case .other:
            return "The database \(path) failed\(code)."
        }
    }

    /// Whether retrying the transaction later may succeed.
    public var isRetriable: Bool { kind == .unavailable }

    public var debugDescription: String { detail.isEmpty ? description : "\(description) [\(detail)]" }

    /// Maps an error from SQLite (through GRDB) on the database at `path`; other errors are
    /// returned unchanged.
    static func wrapping(_ error: any Error, path: String) -> any Error {
        if let error = error as? StorageError { return wrapping(error, path: path) }
        guard let error = error as? DatabaseError else { return error }
        let kind: Kind
        switch error.resultCode {
        case .SQLITE_CORRUPT: kind = .damaged
        case .SQLITE_NOTADB, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: kind = .cannotOpen
        case .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR: kind = .cannotWrite
        default: kind = .other
        }
        return ServiceDatabaseError(kind, path: path, sqliteCode: error.resultCode.rawValue, detail: error.message ?? "")
    }

    /// Maps a storage error on the database at `path` (a file, or a URL without password) that
    /// an operator acts on; the others (a duplicate key, a type mismatch: defects of the
    /// program) stay as they are, naming database, constraint or column.
    static func wrapping(_ error: StorageError, path: String) -> any Error {
        let kind: Kind
        var detail = error.debugDescription
        switch error.kind {
        case .cannotOpen: kind = .cannotOpen
        case .damaged: kind = .damaged
        case .cannotWrite: kind = .cannotWrite
        case .unavailable: kind = .unavailable
        case .schemaFromNewerVersion(let unknown):
            kind = .schemaFromNewerVersion
            detail = "unknown schema steps: \(unknown.joined(separator: ", "))"
        default: return error
        }
        return ServiceDatabaseError(kind, path: path, detail: detail)
    }
}
