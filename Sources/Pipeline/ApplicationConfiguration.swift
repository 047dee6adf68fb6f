import Contracts
import Foundation
import Storage
import Kafka
import Notifications
import PersonIndex
import Gateway
import Observability
import ServiceKit

/// Everything `buildApplication(_:logger:onNotificationStored:)` needs to assemble the bus: where
/// Kafka is, which services run, where their databases live, the contracts, which topics to
/// create, client tuning and the shutdown deadline. `dev`, `serve`, `broker`, the tests and the
/// benchmark each fill one in; nothing else assembles services.
public struct ApplicationConfiguration: Sendable {
    /// Where Kafka is.
    public enum Broker: Sendable {
        /// An embedded broker (librdkafka's mock cluster, in memory) of this many brokers, started
        /// by `buildApplication` and stopped last at shutdown. What `dev` and `broker` run.
        case embedded(brokers: Int)
        /// An embedded broker someone else started and stops: tests that stop and start services
        /// one by one on the same broker.
        case shared(EmbeddedKafka)
        /// A Kafka cluster at these `host:port` addresses (at least one).
        case external(bootstrapServers: [String])
    }

    /// Which topics exist before the services start. Topics that exist are never changed
    /// (`reentrybus topics apply` reports drift and updates configs).
    public struct TopicOptions: Sendable {
        /// Create, when missing, the topic of every contract in the catalog, the bus topics
        /// (`BusTopic.all`) among them. Default: true.
        public var createContractTopics: Bool
        /// More topics to create when missing (`broker --topic`, the benchmark's wider
        /// topics). Created first, so they win over a contract's partitions. Default: none.
        public var additional: [KafkaTopicSpecification]

        public init(createContractTopics: Bool = true, additional: [KafkaTopicSpecification] = []) {
            self.createContractTopics = createContractTopics
            self.additional = additional
        }
    }

    /// Kafka client settings of every service.
    public struct ClientOptions: Sendable {
        /// Consumer groups are `<groupPrefix>.<service>`. Default: `reentrybus`.
        public var groupPrefix: String
        /// How long the group waits for a silent member. Default: 6 seconds (the embedded broker
        /// rebalances in session timeout − 1 s; Kafka's own default is 45 s).
        public var sessionTimeout: Duration
        /// How long a broker may hold an empty fetch. Default (nil): `EmbeddedKafka.fetchMaxWait`
        /// on an embedded broker, which holds every empty fetch that long, 10 ms elsewhere.
        public var fetchMaxWait: Duration?
        /// Largest batch a service applies in one transaction. Default: 1,000.
        public var maxBatchSize: Int
        /// Producer linger of the outbox. Default: 1 ms (a batch's notifications travel in a few
        /// requests).
        public var linger: Duration
        /// Extra librdkafka properties for the services' producers, applied over
        /// `EmbeddedKafka.producerTuning` on an embedded broker. Default: none.
        public var producerProperties: [String: String]
        /// How long the start waits for the broker to answer a metadata request before it fails
        /// with `ApplicationError.brokerUnreachable` (an address that refuses, does not resolve or
        /// is not Kafka). Also bounds each topic-setup request. Default: 30 seconds.
        public var connectTimeout: Duration
        /// TLS and SASL of every Kafka client the application makes: the services' consumers
        /// and producers and the topic-setup admin client. Default: plaintext (what the
        /// embedded broker speaks).
        public var security: KafkaSecurity

        public init(
            groupPrefix: String = "reentrybus", sessionTimeout: Duration = .seconds(6), fetchMaxWait: Duration? = nil,
            maxBatchSize: Int = 1_000, linger: Duration = .milliseconds(1), producerProperties: [String: String] = [:],
            connectTimeout: Duration = .seconds(30), security: KafkaSecurity = .plaintext
        ) {
            self.groupPrefix = groupPrefix
            self.sessionTimeout = sessionTimeout
            self.fetchMaxWait = fetchMaxWait
            self.maxBatchSize = maxBatchSize
            self.linger = linger
            self.producerProperties = producerProperties
            self.connectTimeout = connectTimeout
            self.security = security
        }
    }

    /// How the application stops.
    public struct ShutdownOptions: Sendable {
        /// How long graceful shutdown (each service finishes the batch in hand, commits,
        /// delivers its outbox and leaves its group) may take for all services together. Past it
        /// the remaining services are cancelled and `Application.run()` throws
        /// `ApplicationError.shutdownDeadlineExceeded` naming those that had not stopped.
        /// Default: 30 seconds.
        public var deadline: Duration
        /// How long cancelled services get to end after the deadline before `reentrybus` exits
        /// anyway (a service blocked in a C call ignores cancellation). Default: 5 seconds.
        public var cancellationGrace: Duration
        /// Whether SIGTERM and SIGINT (Ctrl-C) start graceful shutdown. Default: false (a
        /// library must not take the process's signals); `reentrybus` sets it.
        public var stopsOnTerminationSignals: Bool

        public init(deadline: Duration = .seconds(30), cancellationGrace: Duration = .seconds(5), stopsOnTerminationSignals: Bool = false) {
            self.deadline = deadline
            self.cancellationGrace = cancellationGrace
            self.stopsOnTerminationSignals = stopsOnTerminationSignals
        }
    }

    public var broker: Broker
    /// Each service keeps `<dataDirectory>/<service>.sqlite` (the directory is created when
    /// missing).
    public var dataDirectory: URL
    /// Where the services keep their state instead of `dataDirectory`'s SQLite files: a
    /// PostgreSQL database, each service in its own schema (named after the service, `-` as
    /// `_`). Default: nil, SQLite.
    public var postgres: PostgresStorage.Configuration?
    /// Each SQLite connection's page cache, in KiB. Default: ``ServiceDatabase/defaultCacheKibibytes``
    /// (16 MiB); `bench replay` gives the views a replay's (``ReplayOptions/sqliteCacheMebibytes``).
    public var sqliteCacheKibibytes = ServiceDatabase.defaultCacheKibibytes
    /// The services to run. Default: all of them but the gateway (`ServiceName.pipeline`).
    public var services: Set<ServiceName>
    /// The contracts events are checked against and whose topics are created. Required when
    /// any service runs, or `topics.createContractTopics` is set (`TopicCatalog.embedded()`
    /// is the copy built into the binary).
    public var catalog: TopicCatalog?
    public var topics: TopicOptions
    public var client: ClientOptions
    public var shutdown: ShutdownOptions
    /// The key the router and the warrant resolver sign notifications with, and the inbox
    /// verifies them with. Default: a random key of this process — right when every service
    /// runs in one process (`dev`, tests); services in separate processes must share one
    /// (`serve` reads it from configuration and refuses to start without it).
    public var notificationKey: NotificationSigningKey
    /// Keys the inbox also accepts, while the services move to a new `notificationKey`.
    /// Default: none.
    public var previousNotificationKeys: [NotificationSigningKey]
    /// The process's HTTP endpoint for Prometheus (`/metrics`) and health checks
    /// (`/health/live`, `/health/ready`). Default: nil, none (tests, the benchmark, `dev`).
    /// `MetricsSystem.bootstrap(export.factory)` must run before `buildApplication`: a metric
    /// made before it stays a no-op.
    public var observability: ObservabilityOptions?
    /// Who the feeds service tells, with the agency, of a silent feed: the bus's operators.
    /// Default: `unit:BUS-OPERATIONS`.
    public var feedOperators: Recipient = Recipient.unit("BUS-OPERATIONS")
    /// About how many people the person index's records describe: its prior that two records
    /// are one person is one in this (`IncrementalMatcher.builtInModel(population:)`). A replay
    /// of the index must be given the same number to decide as the service did. Default: 100,000.
    public var personsPopulation: Int = IncrementalMatcher.defaultPopulation
    /// Whether the person index learns m and u from its records (`persons.learning`).
    public var personsLearning = true
    /// The match probabilities the person index links at and reviews from
    /// (`persons.link-threshold`, `persons.review-threshold`). A replay of the index must be
    /// given the same to decide as the service did. Defaults: the resolver's, 0.99 and 0.5.
    public var personsLinkThreshold = ResolverConfiguration().linkThreshold
    public var personsReviewThreshold = ResolverConfiguration().reviewThreshold
    /// The HTTP gateway's settings; required when `services` holds `.gateway`. Default: nil.
    public var gateway: GatewayConfiguration?

    /// Where the metrics and health endpoint listens and what it exports.
    public struct ObservabilityOptions: Sendable {
        /// Default: `127.0.0.1:9464`.
        public var listen: ListenAddress
        public var export: MetricsExport

        public init(listen: ListenAddress = .default, export: MetricsExport) {
            self.listen = listen
            self.export = export
        }
    }

    public init(
        broker: Broker, dataDirectory: URL, services: Set<ServiceName> = Set(ServiceName.pipeline), catalog: TopicCatalog?,
        topics: TopicOptions = TopicOptions(), client: ClientOptions = ClientOptions(), shutdown: ShutdownOptions = ShutdownOptions(),
        notificationKey: NotificationSigningKey = .random(),
        previousNotificationKeys: [NotificationSigningKey] = [], observability: ObservabilityOptions? = nil,
        postgres: PostgresStorage.Configuration? = nil
    ) {
        self.postgres = postgres
        self.broker = broker
        self.dataDirectory = dataDirectory
        self.services = services
        self.catalog = catalog
        self.topics = topics
        self.client = client
        self.shutdown = shutdown
        self.notificationKey = notificationKey
        self.previousNotificationKeys = previousNotificationKeys
        self.observability = observability
    }

    /// The database file of `service` (when its state is kept in SQLite).
    public func databasePath(_ service: ServiceName) -> String {
        dataDirectory.appendingPathComponent("\(service.rawValue).sqlite").path
    }

    /// The PostgreSQL schema of `service` (when its state is kept in PostgreSQL).
    public func databaseSchema(_ service: ServiceName) -> String {
        service.rawValue.replacingOccurrences(of: "-", with: "_")
    }
}

extension ApplicationConfiguration {
    /// The person index's decision rules with this configuration's thresholds.
    var personsResolverConfiguration: ResolverConfiguration {
        var resolver = ResolverConfiguration()
        resolver.linkThreshold = personsLinkThreshold
        resolver.reviewThreshold = personsReviewThreshold
        return resolver
    }
}
