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
    /// the PostgreSQL schema `inbox`. Whether a consent is in force and a caller holds a Part 23
    /// subscription it reads the same way from the views' database (the police view's bulletins)
    /// and the router's (the explicit subscriptions). It discloses by the built-in access policy, and appends
    /// every disclosure to the bus's audit ledger, the store `reentrybus audit` reads
    /// (`<data-dir>/audit.sqlite`, or the schema `audit`), opened when it runs. Its read-model
    /// views read the `views` and `warrant-resolver` databases the same way as the inbox's, by
    /// the built-in `Policy/views.yaml`; the feeds' coverage map (the web UI's feeds page) the
    /// `feeds` database the same way.
    func makeGateway(
        inbox: (any StorageDatabase)?, views: (any StorageDatabase)? = nil, warrants: (any StorageDatabase)? = nil,
        router: (any StorageDatabase)? = nil, feeds: (any StorageDatabase)? = nil, logger: Logger
    ) throws(ApplicationError) -> GatewayService {
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
        let viewPolicy: ViewPolicy
        do {
            viewPolicy = try ViewPolicy.bundled(catalog: catalog)
        } catch {
            throw .invalidConfiguration(field: "catalog", reason: "the built-in views policy does not fit the contracts: \(error.description)")
        }
        let database: ServiceDatabase
        let notifications: any NotificationSource
        let disclosureContext: any DisclosureContextSource
        let auditStorage: any StorageDatabase
        let viewSource: StorageViewSource
        let feedsStorage: @Sendable () throws -> any StorageDatabase
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
                let viewsStorage = try views ?? PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.views)), logger: logger)
                let routerStorage = try router ?? PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.router)), logger: logger)
                disclosureContext = StorageDisclosureContextSource(views: { viewsStorage }, subscriptions: { routerStorage })
                auditStorage = PostgresStorage(configuration: try postgres.inSchema(AuditLedger.storeName), logger: logger)
                let warrantsStorage: any StorageDatabase = try warrants
                    ?? PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.warrantResolver)), logger: logger)
                viewSource = StorageViewSource(views: { viewsStorage }, warrants: { warrantsStorage })
                let feedsDatabase = try feeds ?? PostgresStorage(configuration: try postgres.inSchema(configuration.databaseSchema(.feeds)), logger: logger)
                feedsStorage = { feedsDatabase }
            } else {
                database = try ServiceDatabase(path: configuration.databasePath(.gateway), migrations: Gateway.migrations)
                let inboxStorage = readOnly(.inbox, inProcess: inbox)
                notifications = StorageNotificationSource { try inboxStorage() }
                let viewsStorage = readOnly(.views, inProcess: views)
                let routerStorage = readOnly(.router, inProcess: router)
                disclosureContext = StorageDisclosureContextSource(views: { try viewsStorage() }, subscriptions: { try routerStorage() })
                auditStorage = try SQLiteStorage(path: configuration.dataDirectory.appendingPathComponent("\(AuditLedger.storeName).sqlite").path)
                let warrantsStorage = readOnly(.warrantResolver, inProcess: warrants)
                viewSource = StorageViewSource(views: { try viewsStorage() }, warrants: { try warrantsStorage() })
                let feedsDatabase = readOnly(.feeds, inProcess: feeds)
                feedsStorage = { try feedsDatabase() }
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
            disclosure: DisclosurePolicy(policy: policy), disclosureContext: disclosureContext, auditStorage: auditStorage, logger: logger,
            views: GatewayViews(source: viewSource, policy: viewPolicy, feeds: feedsStorage))
    }

    /// Another service's SQLite database as the gateway reads it: the in-process service's
    /// when it runs here, else its file, opened read-only when a request first needs it.
    private func readOnly(_ service: ServiceName, inProcess: (any StorageDatabase)?) -> @Sendable () throws -> any StorageDatabase {
        if let inProcess { return { inProcess } }
        let opener = ReadOnlyOpener(path: configuration.databasePath(service))
        return { try opener.storage() }
    }
}

/// Another service's SQLite file (the inbox's, the views', the router's, the warrant
/// resolver's), opened read-only on first use and kept open.
final class ReadOnlyOpener: Sendable {
    let path: String
    private let opened = Mutex<SQLiteStorage?>(nil)

    init(path: String) {
        self.path = path
    }

    func storage() throws -> SQLiteStorage {
        try opened.withLock { opened in
            if let opened { return opened }
            guard FileManager.default.fileExists(atPath: path) else { throw DatabaseNotCreatedYet(path: path) }
            let storage = try ServiceDatabase.openReadOnly(path: path)
            opened = storage
            return storage
        }
    }
}

/// The service has not created its database yet (the gateway answers 503 meanwhile).
struct DatabaseNotCreatedYet: Error, CustomStringConvertible {
    let path: String
    var description: String { "no database at \(path) yet" }
}
