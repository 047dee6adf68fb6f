import Audit
import Foundation
import Gateway
import Kafka
import Logging
import Policy
import ServiceKit
import Storage
import Synchronization

extension ServiceFactory {
    /// The gateway (`ServiceName.gateway`): its own database (`gateway.sqlite`, or the schema
    /// `gateway`) for the outcomes of what it ingested, an idempotent producer with the
    /// services' client settings, and the inbox's database to read notifications from: the
    /// in-process inbox's when it runs here (`dev`), else `<data-dir>/inbox.sqlite` (opened
    /// read-only when a request first needs it, so the gateway may start before the inbox) or
    /// the PostgreSQL schema `inbox`. It discloses by the built-in access policy, and appends
    /// every disclosure to the bus's audit ledger, the store `reentrybus audit` reads
    /// (`<data-dir>/audit.sqlite`, or the schema `audit`), opened when it runs.
    func makeGateway(inbox: (any StorageDatabase)?, logger: Logger) throws(ApplicationError) -> GatewayService {
        guard let settings = configuration.gateway else {
            throw .invalidConfiguration(field: "gateway", reason: "is needed to run the gateway")
        }
        guard let catalog = configuration.catalog else {
            throw .invalidConfiguration(field: "catalog", reason: "is needed by the gateway, which checks events against the contracts")
        }
        do {
            _ = try BearerAuthenticator.checkKeySet(settings.authentication)
        } catch {
            throw .invalidConfiguration(field: "gateway.authentication", reason: error.reason)
        }
        let policy: AccessPolicy
        do {
            policy = try AccessPolicy.bundled(catalog: catalog)
        } catch {
            throw .invalidConfiguration(field: "catalog", reason: "the built-in access policy does not fit the contracts: \(error.description)")
        }
        let database: ServiceDatabase
        let notifications: any NotificationSource
        let auditStorage: any StorageDatabase
        do {
            if let postgres = configuration.postgres {
                database = try ServiceDatabase(
                    postgres: PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.gateway)), logger: logger),
                    migrations: Gateway.migrations)
                let inboxStorage: any StorageDatabase
                if let inbox {
                    inboxStorage = inbox
                } else {
                    inboxStorage = PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.inbox)), logger: logger)
                }
                notifications = StorageNotificationSource { inboxStorage }
                auditStorage = PostgresStorage(configuration: try postgres.inSchema(AuditLedger.storeName), logger: logger)
            } else {
                database = try ServiceDatabase(path: configuration.databasePath(.gateway), migrations: Gateway.migrations)
                if let inbox {
                    notifications = StorageNotificationSource { inbox }
                } else {
                    let path = configuration.databasePath(.inbox)
                    let opened = InboxOpener(path: path)
                    notifications = StorageNotificationSource { try opened.storage() }
                }
                auditStorage = try SQLiteStorage(path: configuration.dataDirectory.appendingPathComponent("\(AuditLedger.storeName).sqlite").path)
            }
        } catch let error as ServiceDatabaseError {
            throw .databaseUnusable(service: ServiceName.gateway.rawValue, error: error)
        } catch {
            throw .invalidConfiguration(field: "database", reason: "could not open the database of the gateway: \(error)")
        }
        // Made when the gateway runs (nothing connects before `Application.run()`).
        let producerConfiguration = serviceConfiguration(.gateway).producer
        return GatewayService(
            configuration: settings, catalog: catalog, producerConfiguration: producerConfiguration, database: database, notifications: notifications,
            disclosure: DisclosurePolicy(policy: policy), auditStorage: auditStorage, logger: logger)
    }
}

/// The inbox service's SQLite file, opened read-only on first use and kept open.
final class InboxOpener: Sendable {
    let path: String
    private let opened = Mutex<SQLiteStorage?>(nil)

    init(path: String) {
        self.path = path
    }

    func storage() throws -> SQLiteStorage {
        try opened.withLock { opened in
            if let opened { return opened }
            guard FileManager.default.fileExists(atPath: path) else { throw InboxNotCreatedYet(path: path) }
            let storage = try ServiceDatabase.openReadOnly(path: path)
            opened = storage
            return storage
        }
    }
}

/// The inbox service has not created its database yet (the gateway answers 503 meanwhile).
struct InboxNotCreatedYet: Error, CustomStringConvertible {
    let path: String
    var description: String { "no inbox database at \(path) yet" }
}
