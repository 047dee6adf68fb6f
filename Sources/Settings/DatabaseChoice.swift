/// Where the services keep their state: the `database` setting.
///
/// - `sqlite` (the default): one SQLite file per service in the data directory;
/// - `sqlite:DIRECTORY`: the same, in `DIRECTORY`;
/// - `postgres://USER@HOST:PORT/DATABASE`: one PostgreSQL database, each service in a schema of
///   its own. The password comes from `database-password-file` (a secret file, as compose
///   mounts it) or, in the environment only, inside the URL.
public enum DatabaseChoice: Sendable, Equatable, CustomStringConvertible {
    case sqlite(directory: String?)
    case postgres(DatabaseURL, password: Secret?)

    /// Reads `sqlite`, `sqlite:DIRECTORY` or a `postgres://` URL.
    public init(parsing text: String) throws(DatabaseChoiceError) {
        if text == "sqlite" {
            self = .sqlite(directory: nil)
        } else if text.hasPrefix("sqlite:") {
            let directory = String(text.dropFirst("sqlite:".count))
            guard !directory.isEmpty else { throw .emptySQLiteDirectory }
            self = .sqlite(directory: directory)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                self = .postgres(try DatabaseURL(text), password: nil)
            } catch {
                throw .badURL(error)
            }
        } else {
            throw .unknownKind
        }
    }

    /// The PostgreSQL URL, when the state is kept in PostgreSQL.
    public var postgresURL: DatabaseURL? {
        if case .postgres(let url, _) = self { return url }
        return nil
    }

    /// As printed by `config check` (a password masked).
    public var description: String {
        switch self {
        case .sqlite(nil): "sqlite"
        case .sqlite(let directory?): "sqlite:\(directory)"
        case .postgres(let url, _): url.description
        }
    }
}

/// Why a `database` value was refused. Never repeats the value, which may hold a password.
public enum DatabaseChoiceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownKind
    case emptySQLiteDirectory
    case badURL(DatabaseURLError)

    public var description: String {
        switch self {
        case .unknownKind: "must be sqlite, sqlite:DIRECTORY or postgres://USER@HOST:PORT/DATABASE"
        case .emptySQLiteDirectory: "names no directory after sqlite:"
        case .badURL(let error): "is a PostgreSQL URL that \(error)"
        }
    }
}
