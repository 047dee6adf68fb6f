import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// The gateway's collaborators, assembled once: what the router's handlers call. Tests build
/// one with in-memory sources and sinks and drive `buildGatewayRouter(_:)` without a socket.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let catalog: TopicCatalog
    public let authenticator: BearerAuthenticator
    public let ingest: EventIngest
    public let notifications: any NotificationSource
    /// What of a notification a caller sees: the access policy, field by field.
    public let disclosure: DisclosurePolicy
    /// Whether a notification's consent is in force and the caller holds a Part 23 subscription
    /// for it (`DisclosureContextSource`); by default neither, so both kinds of field are withheld.
    public let disclosureContext: any DisclosureContextSource
    /// Where every disclosure is recorded before its response goes out: the audit ledger.
    public let recorder: any DisclosureRecorder
    /// Where acknowledgements go (`bus.notification-acks`): the same producer as ingest.
    public let sink: any EventSink
    /// The read-model views and who may read them; nil when this gateway serves none (their
    /// endpoints then answer 503).
    public let views: GatewayViews?
    /// The gateway's own database: ingest outcomes, webhook endpoints and their deliveries.
    public let database: ServiceDatabase
    /// Triggered on graceful shutdown: open streams end, the webhook dispatcher stops.
    public let shutdown = ShutdownSignal()
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        configuration: GatewayConfiguration, catalog: TopicCatalog, authenticator: BearerAuthenticator, sink: any EventSink,
        database: ServiceDatabase, notifications: any NotificationSource, disclosure: DisclosurePolicy,
        recorder: any DisclosureRecorder, disclosureContext: any DisclosureContextSource = NoDisclosureContext(), logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init, views: GatewayViews? = nil
    ) {
        self.views = views
        self.configuration = configuration
        self.catalog = catalog
        self.authenticator = authenticator
        self.sink = sink
        self.database = database
        ingest = EventIngest(
            catalog: catalog, sink: sink, database: database, directory: notifications, configuration: configuration.ingest, logger: logger, now: now)
        self.notifications = notifications
        self.disclosure = disclosure
        self.disclosureContext = disclosureContext
        self.recorder = recorder
        self.logger = logger
        self.now = now
    }

    /// The gateway's own tables (`IngestStore`, `WebhookStore`).
    public static var migrations: [StorageMigration] { IngestStore.migrations + WebhookStore.migrations }
}
