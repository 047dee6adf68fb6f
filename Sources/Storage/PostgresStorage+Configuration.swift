import Foundation

extension PostgresStorage {
    /// Where the PostgreSQL database is and who connects: from a `postgres://` URL or field by field.
    public struct Configuration: Sendable, Hashable {
        /// Host name or address; default `127.0.0.1`.
        public var host: String
        /// TCP port; default 5432.
        public var port: Int
        public var username: String
        /// Nil for trust or peer authentication. Never printed (see `location`).
        public var password: String?
        public var database: String
        /// How long connecting may take before the database counts as unavailable; default 10 s.
        public var connectTimeout: Duration
        /// The schema whose tables the connection sees (its `search_path`), created on connect
        /// when missing; nil for PostgreSQL's default (`public`). Services sharing one database
        /// each take their own schema, so their tables (offsets, outbox) never meet.
        /// Set through ``inSchema(_:)``, which checks it.
        public private(set) var schema: String?

        public init(
            host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil,
            database: String, connectTimeout: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.connectTimeout = connectTimeout
        }

        /// The same database, seen through `schema`.
        ///
        /// - Throws: ``StorageError`` `.invalidConfiguration` unless `schema` is a plain lower-case
        ///   identifier (letters, digits, `_`; not starting with a digit; at most 63 bytes): it
        ///   is written into SQL, so nothing else is accepted.
        public func inSchema(_ schema: String) throws(StorageError) -> Configuration {
            let allowed = schema.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
            guard allowed, !schema.isEmpty, schema.utf8.count <= 63, !(schema.utf8.first.map { $0 >= 48 && $0 <= 57 } ?? true) else {
                throw StorageError(.invalidConfiguration(field: "schema", reason: "must be lower-case letters, digits and _, not starting with a digit, at most 63 bytes"))
            }
            var copy = self
            copy.schema = schema
            return copy
        }

        /// Reads `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?password=…&sslmode=disable]`
        /// (also `postgresql://`). Connections are plain TCP: TLS is not offered yet, so any
        /// other `sslmode` is refused, as is a parameter this client does not know.
        ///
        /// - Throws: ``StorageError`` `.invalidConfiguration` naming the part at fault (never the password).
        public init(url: String) throws(StorageError) {
            guard let components = URLComponents(string: url), let scheme = components.scheme,
                  scheme == "postgres" || scheme == "postgresql"
            else { throw StorageError(.invalidConfiguration(field: "database URL", reason: "expected postgres://USER@HOST:PORT/DATABASE")) }
            guard let host = components.host, !host.isEmpty else {
                throw StorageError(.invalidConfiguration(field: "host", reason: "the URL names no host"))
            }
            guard let username = components.user, !username.isEmpty else {
                throw StorageError(.invalidConfiguration(field: "user", reason: "the URL names no user"))
            }
            let database = String(components.path.drop { $0 == "/" })
            guard !database.isEmpty, !database.contains("/") else {
                throw StorageError(.invalidConfiguration(field: "database", reason: "the URL's path must be one database name"))
            }
            if let port = components.port, !(1...65535).contains(port) {
                throw StorageError(.invalidConfiguration(field: "port", reason: "must be between 1 and 65535"))
            }
            var password = components.password
            for item in components.queryItems ?? [] {
                switch (item.name, item.value) {
                case ("password", let value?): password = value
                case ("sslmode", "disable"): continue
                case ("sslmode", _):
                    // Refused rather than ignored: a URL asking for TLS must not connect in the clear.
                    throw StorageError(.invalidConfiguration(field: "sslmode", reason: "TLS connections are not supported yet; use sslmode=disable on a trusted network"))
                default:
                    throw StorageError(.invalidConfiguration(field: item.name, reason: "is not a parameter this client knows (password, sslmode=disable)"))
                }
            }
            self.init(host: host, port: components.port ?? 5432, username: username, password: password, database: database)
        }

        /// The URL without the password: names the database in errors and logs.
        public var location: String {
            let url = "postgres://\(username)@\(host):\(port)/\(database)"
            return schema.map { "\(url) (schema \($0))" } ?? url
        }
    }
}
