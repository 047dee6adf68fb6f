import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The process's HTTP endpoint for Prometheus and health checks (`buildObservabilityRouter`),
/// as a ServiceLifecycle service: `run()` listens until graceful shutdown, then stops accepting
/// connections and finishes the requests in flight; cancellation closes it at once.
///
/// Add it to the process's `ServiceGroup` with the services it reports on. It logs when it
/// listens (the address only); requests are not logged.
public struct ObservabilityService: Service {
    public struct Configuration: Sendable {
        /// Where to listen. Default: `ListenAddress.default` (`127.0.0.1:9464`).
        public var address: ListenAddress

        public init(address: ListenAddress = .default) {
            self.address = address
        }
    }

    public let configuration: Configuration
    let export: MetricsExport
    let readiness: ReadinessCheck
    let logger: Logger
    let onListening: @Sendable (ListenAddress) -> Void

    /// - Parameter onListening: called once the endpoint listens, with the address it got (the
    ///   port the system chose when the configured one is 0).
    public init(
        configuration: Configuration, export: MetricsExport, readiness: ReadinessCheck, logger: Logger,
        onListening: @escaping @Sendable (ListenAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.export = export
        self.readiness = readiness
        self.logger = logger
        self.onListening = onListening
    }

    /// Listens until graceful shutdown.
    ///
    /// - Throws: `ObservabilityError.listenFailed` when the address cannot be bound (in use,
    ///   not this host's); after that, whatever stops the server.
    public func run() async throws {
        let address = configuration.address
        let listening = ListeningFlag()
        let logger = self.logger
        let onListening = self.onListening
        let application = Application(
            router: buildObservabilityRouter(export: export, readiness: readiness),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                listening.set()
                var bound = address
                if let port = channel.localAddress?.port { bound.port = port }
                logger.info("Serving /metrics, /health/live and /health/ready", metadata: ["listen": "\(bound)"])
                onListening(bound)
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            guard !listening.isSet else { throw error }
            throw ObservabilityError.listenFailed(address: address.description, reason: "\(error)")
        }
    }
}

/// Whether the server got as far as listening: an error before that is a failure to bind.
private final class ListeningFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
