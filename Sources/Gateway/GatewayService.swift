import Audit
import Contracts
import Foundation
import Hummingbird
import Kafka
import Logging
import ServiceKit
import ServiceLifecycle
import Storage
import Synchronization

/// The gateway as a ServiceLifecycle service: `run()` loads the key set, opens the audit
/// ledger, delivers webhooks (`WebhookDispatcher`) and listens until graceful shutdown, then
/// ends the live streams and the dispatcher, stops accepting connections, finishes the
/// requests in flight (each waits for its delivery reports), publishes what the ledger still
/// queues for `bus.audit` (one last attempt), and only then shuts the producer down,
/// delivering what it holds.
public struct GatewayService: Service {
    public let configuration: GatewayConfiguration
    let catalog: TopicCatalog
    /// The settings of the producer behind the gateway's sink (idempotent, `acks=all`): made
    /// when `run()` starts (nothing connects before), shut down after the server.
    public let producerConfiguration: KafkaProducerConfiguration
    let database: ServiceDatabase
    let notifications: any NotificationSource
    let disclosure: DisclosurePolicy
    let disclosureContext: any DisclosureContextSource
    /// The bus's audit store (`<data-dir>/audit.sqlite` or the schema `audit`), opened as the
    /// ledger when `run()` starts.
    let auditStorage: any StorageDatabase
    let auditTiming: AuditPublication.Timing
    /// The read-model views it serves; nil: none (their endpoints answer 503).
    let views: GatewayViews?
    let logger: Logger
    let onListening: @Sendable (_ host: String, _ port: Int) -> Void
    /// Tells whoever asks where the server listens, once it does (`dev` prints the URL).
    public let listener = GatewayListener()

    /// - Parameters:
    ///   - disclosure: what callers see (the access policy).
    ///   - disclosureContext: consent in force and Part 23 subscriptions, per notification.
    ///   - auditStorage: the audit ledger's store, the one `reentrybus audit` reads.
    ///   - auditTiming: how often the ledger's queue is sent to `bus.audit`, and the backoff.
    ///   - onListening: called once the server listens, with the port it got (the one the
    ///     system chose when the configured port is 0).
    public init(
        configuration: GatewayConfiguration, catalog: TopicCatalog, producerConfiguration: KafkaProducerConfiguration,
        database: ServiceDatabase,
        notifications: any NotificationSource, disclosure: DisclosurePolicy,
        disclosureContext: any DisclosureContextSource = NoDisclosureContext(), auditStorage: any StorageDatabase,
        auditTiming: AuditPublication.Timing = AuditPublication.Timing(), logger: Logger, onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in },
        views: GatewayViews? = nil
    ) {
        self.views = views
        self.configuration = configuration
        self.catalog = catalog
        self.producerConfiguration = producerConfiguration
        self.database = database
        self.notifications = notifications
        self.disclosure = disclosure
        self.disclosureContext = disclosureContext
        self.auditStorage = auditStorage
        self.auditTiming = auditTiming
        self.logger = logger
        self.onListening = onListening
    }

    /// The topics the gateway writes: every agency topic (ingest) and
    /// `bus.notification-acks` (acknowledgements) and `bus.audit` (its disclosures). Its Kafka
    /// user's Write grants.
    public var writtenTopics: [String] {
        EventIngest.ingestTopics(catalog) + [BusTopic.notificationAcks, BusTopic.audit]
    }

    public func run() async throws {
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let gateway: Gateway
        let openAPI: [UInt8]
        let ledger: AuditLedger
        let publication = AuditPublication(timing: auditTiming)
        do {
            let authenticator = try await BearerAuthenticator(configuration: configuration.authentication)
            openAPI = try OpenAPIDocument.bytes()
            ledger = try await AuditLedger.open(storage: auditStorage)
            gateway = Gateway(
                configuration: configuration, catalog: catalog, authenticator: authenticator, sink: KafkaEventSink(producer: producer),
                database: database, notifications: notifications, disclosure: disclosure,
                recorder: LedgerDisclosureRecorder(ledger: ledger, publication: publication, logger: logger),
                disclosureContext: disclosureContext, logger: logger, views: views)
        } catch {
            await producer.shutdown()
            throw error
        }
        let configuration = self.configuration
        let logger = self.logger
        let onListening = self.onListening
        let listener = self.listener
        let application = Application(
            router: buildGatewayRouter(gateway, openAPI: openAPI),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("Gateway listening", metadata: ["listen": "\(configuration.host):\(port)"])
                onListening(configuration.host, port)
                listener.listening(host: configuration.host, port: port)
            },
            logger: logger)
        let publisher = AuditPublisher(ledger: ledger, producer: producer)
        // What an earlier run left queued goes out first.
        publication.appended()
        let publishing = Task { await publication.run(logger: logger) { try await publisher.publishPending() } }
        // Webhook deliveries run beside the server; graceful shutdown ends open streams and the
        // dispatcher (at its next wait), so the server does not wait on them.
        let dispatching = Task { await WebhookDispatcher(gateway: gateway, logger: logger).run() }
        let outcome: Result<Void, any Error>
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: {
                gateway.shutdown.trigger()
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        gateway.shutdown.trigger()
        await dispatching.value
        // Requests and deliveries are over: one last publication of the ledger's queue, then the producer.
        publication.finish()
        await publishing.value
        await producer.shutdown()
        try outcome.get()
    }
}

/// Where the gateway listens, once it does: actions registered before run when it starts
/// listening, at once after.
public final class GatewayListener: Sendable {
    private let state = Mutex<(address: (host: String, port: Int)?, actions: [@Sendable (String, Int) -> Void])>((nil, []))

    public init() {}

    /// Runs `action` with the host and port once the server listens.
    public func whenListening(_ action: @escaping @Sendable (_ host: String, _ port: Int) -> Void) {
        let now = state.withLock { state -> (String, Int)? in
            if let address = state.address { return address }
            state.actions.append(action)
            return nil
        }
        if let now { action(now.0, now.1) }
    }

    func listening(host: String, port: Int) {
        let actions = state.withLock { state in
            state.address = (host, port)
            defer { state.actions = [] }
            return state.actions
        }
        for action in actions { action(host, port) }
    }
}
