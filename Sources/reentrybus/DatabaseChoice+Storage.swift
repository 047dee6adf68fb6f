import ArgumentParser
import Settings
import Storage

extension DatabaseChoice {
    /// The SQLite directory and, for PostgreSQL, the connection the services use.
    ///
    /// - Throws: `ValidationError` naming the part of the URL at fault (never the password).
    func storage(dataDirectory: String) throws -> (directory: String, postgres: PostgresStorage.Configuration?) {
        switch self {
        case .sqlite(let directory): return (directory ?? dataDirectory, nil)
        case .postgres(let url, let password):
            do {
                var configuration = try PostgresStorage.Configuration(url: url.connectionString.revealed)
                if let password { configuration.password = password.revealed }
                return (dataDirectory, configuration)
            } catch {
                throw ValidationError("database: \(error.description)")
            }
        }
    }
}
