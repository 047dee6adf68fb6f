import Contracts
import Foundation
import Hummingbird
import Kafka
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The gateway as a ServiceLifecycle service: `run()` loads the key set, listens until
/// graceful shutdown, then stops accepting connections, finishes the requests in flight (each
/// waits for its delivery reports), and only then shuts the producer down, delivering what it
/// holds.
public struct GatewayService: Service {
    public let configuration: GatewayConfiguration
    let catalog: TopicCatalog
    /// The settings of the producer behind the gateway's sink (idempotent, `acks=all`): made
    /// when `run()` starts (nothing connects before), shut down after the server.
    public let producerConfiguration: KafkaProducerConfiguration
    let database: ServiceDatabase
    let notifications: any NotificationSource
    let filter: (any DisclosureFilter)?
    let recorder: (any DisclosureRecorder)?
    let logger: Logger
    let onListening: @Sendable (_ host: String, _ port: Int) -> Void
    /// Tells whoever asks where the server listens, once it does (`dev` prints the URL).
    public let listener = GatewayListener()

    /// - Parameters:
    ///   - filter: what callers see; nil for the deny-by-default `PublicFieldsOnlyFilter`.
    ///   - recorder: where disclosures are recorded; nil for `LoggingDisclosureRecorder`.
    ///   - onListening: called once the server listens, with the port it got (the one the
    ///     system chose when the configured port is 0).
    public init(
        configuration: GatewayConfiguration, catalog: TopicCatalog, producerConfiguration: KafkaProducerConfiguration,
        database: ServiceDatabase,
        notifications: any NotificationSource, filter: (any DisclosureFilter)? = nil, recorder: (any DisclosureRecorder)? = nil,
        logger: Logger, onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.producerConfiguration = producerConfiguration
        self.database = database
        self.notifications = notifications
        self.filter = filter
        self.recorder = recorder
        self.logger = logger
        self.onListening = onListening
    }

    /// The topics the gateway writes: every agency topic (ingest) and
    /// `bus.notification-acks` (acknowledgements). Its Kafka user's Write grants.
    public var writtenTopics: [String] {
        EventIngest.ingestTopics(catalog) + [BusTopic.notificationAcks]
    }

    public func run() async throws {
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let gateway: Gateway
        let openAPI: [UInt8]
        do {
            let authenticator = try await BearerAuthenticator(configuration: configuration.authentication)
            openAPI = try OpenAPIDocument.bytes()
            gateway = Gateway(
                configuration: configuration, catalog: catalog, authenticator: authenticator, sink: KafkaEventSink(producer: producer),
                database: database, notifications: notifications, filter: filter, recorder: recorder, logger: logger)
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
        do {
            try await application.run()
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
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
