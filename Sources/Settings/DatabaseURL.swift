import Foundation

/// A PostgreSQL connection URL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?…]`, for the
/// read models (a later issue connects with it; today it is only validated).
///
/// Its password — in the user part or a `password=` query parameter — is a secret:
/// `description` masks it, and a refused URL's error never repeats the text.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let host: String
    public let port: Int?
    public let user: String?
    /// The database name (the path without its slash), nil when the URL has none.
    public let database: String?
    /// Whether the URL carries a password (in the user part or a query parameter).
    public let hasPassword: Bool
    /// The URL as given, password included: only for the client that connects.
    public let connectionString: Secret
    private let masked: String

    public init(_ text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text) else { throw .notAURL }
        guard let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else { throw .notPostgres }
        guard let host = components.host, !host.isEmpty else { throw .noHost }
        if let port = components.port, !(1...65_535).contains(port) { throw .badPort }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.contains("/") else { throw .badDatabaseName }
        let passwordParameters = (components.queryItems ?? []).filter { $0.name == "password" }
        self.host = host
        self.port = components.port
        self.user = components.user
        self.database = database.isEmpty ? nil : database
        self.hasPassword = components.password != nil || !passwordParameters.isEmpty
        self.connectionString = Secret(text)
        var masked = components
        if components.password != nil { masked.percentEncodedPassword = Secret.mask }
        if !passwordParameters.isEmpty {
            masked.queryItems = components.queryItems?.map { $0.name == "password" ? URLQueryItem(name: "password", value: Secret.mask) : $0 }
        }
        self.masked = masked.string ?? "\(scheme)://\(host)"
    }

    /// The URL with its password masked.
    public var description: String { masked }
    public var debugDescription: String { "DatabaseURL(\(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["url": masked], displayStyle: .struct) }
}

/// Why a database URL was refused. Never repeats the URL, which may hold a password.
public enum DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAURL
    case notPostgres
    case noHost
    case badPort
    case badDatabaseName

    public var description: String {
        switch self {
        case .notAURL: "is not a URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE, special characters percent-encoded)"
        case .notPostgres: "must start with postgres:// or postgresql://"
        case .noHost: "has no host (postgres://USER@HOST:PORT/DATABASE)"
        case .badPort: "has a port that is not a number from 1 to 65535"
        case .badDatabaseName: "has a path that is not one database name"
        }
    }
}
