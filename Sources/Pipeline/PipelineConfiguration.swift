import Contracts
import Foundation
import Kafka
import Logging
import Notifications
import Routing
import ServiceKit
import Warrants

/// How the pipeline's services are built: where Kafka is, where their databases live, the
/// contracts to check events against, and client tuning. `dev`, `serve`, the tests and the
/// benchmark all assemble services through it.
public struct PipelineConfiguration: Sendable {
    /// The services `serve` can run.
    public enum ServiceName: String, Sendable, CaseIterable {
        case router
        case warrantResolver = "warrant-resolver"
        case inbox
    }

    public var bootstrapServers: [String]
    /// Each service keeps `<dataDirectory>/<service>.sqlite`.
    public var dataDirectory: URL
    public var catalog: TopicCatalog
    /// Consumer groups are `<groupPrefix>.<service>`. Default: `reentrybus`.
    public var groupPrefix: String
    /// Default: 6 seconds (the embedded broker rebalances in session timeout − 1 s).
    public var sessionTimeout: Duration
    /// Default: 10 ms (the embedded broker holds empty fetches for all of it).
    public var fetchMaxWait: Duration
    /// Largest batch applied in one transaction. Default: 1,000.
    public var maxBatchSize: Int
    /// Producer linger for the outbox. Default: 1 ms (a batch's notifications travel in a few requests).
    public var linger: Duration
    /// Where poison messages go. Default: `bus.dead-letters`.
    public var deadLetterTopic: String
    public var notificationsTopic: String
    public var jurisdictions: Jurisdictions
    /// Signs the services' notifications; the inbox verifies with it. Default: a random key,
    /// which only services in this process share.
    public var notificationKey: NotificationSigningKey
    /// Extra librdkafka properties for the services' producers, e.g.
    /// `EmbeddedKafka.producerTuning` on the embedded broker. Default: none.
    public var producerProperties: [String: String]

    public init(
        bootstrapServers: [String], dataDirectory: URL, catalog: TopicCatalog, groupPrefix: String = "reentrybus",
        sessionTimeout: Duration = .seconds(6), fetchMaxWait: Duration = .milliseconds(10), maxBatchSize: Int = 1_000,
        linger: Duration = .milliseconds(1), deadLetterTopic: String = BusTopics.deadLetters,
        notificationsTopic: String = NotificationOutbox.topic, jurisdictions: Jurisdictions = Jurisdictions(),
        producerProperties: [String: String] = [:], notificationKey: NotificationSigningKey = .random()
    ) {
        self.bootstrapServers = bootstrapServers
        self.dataDirectory = dataDirectory
        self.catalog = catalog
        self.groupPrefix = groupPrefix
        self.sessionTimeout = sessionTimeout
        self.fetchMaxWait = fetchMaxWait
        self.maxBatchSize = maxBatchSize
        self.linger = linger
        self.deadLetterTopic = deadLetterTopic
        self.notificationsTopic = notificationsTopic
        self.jurisdictions = jurisdictions
        self.producerProperties = producerProperties
        self.notificationKey = notificationKey
    }

    /// Settings for services running on `kafka`, the embedded broker.
    public static func embedded(
        _ kafka: EmbeddedKafka, dataDirectory: URL, catalog: TopicCatalog
    ) -> PipelineConfiguration {
        PipelineConfiguration(
            bootstrapServers: [kafka.bootstrapServers], dataDirectory: dataDirectory, catalog: catalog,
            fetchMaxWait: EmbeddedKafka.fetchMaxWait, producerProperties: EmbeddedKafka.producerTuning)
    }

    public func databasePath(_ service: ServiceName) -> String {
        dataDirectory.appendingPathComponent("\(service.rawValue).sqlite").path
    }

    public func serviceConfiguration(_ service: ServiceName) -> EventConsumerService.Configuration {
        // Nagle's algorithm holds a small produce request back until the previous one is
        // acknowledged (~40 ms with delayed ACKs): off, as notifications are small and urgent.
        let client = KafkaClientConfiguration(
            bootstrapServers: bootstrapServers, clientID: "reentrybus-\(service.rawValue)", properties: ["socket.nagle.disable": "true"])
        return EventConsumerService.Configuration(
            consumer: KafkaConsumerConfiguration(
                client: client, groupID: "\(groupPrefix).\(service.rawValue)", topics: [],
                sessionTimeout: sessionTimeout, fetchMaxWait: fetchMaxWait, maxBatchSize: maxBatchSize),
            producer: KafkaProducerConfiguration(
                client: client.adding(producerProperties), linger: linger),
            deadLetterTopic: deadLetterTopic)
    }

    public func projection(_ service: ServiceName, onStored: @escaping @Sendable (BusNotification) -> Void = { _ in }) -> any EventProjection {
        switch service {
        case .router: RouterProjection(signingKey: notificationKey)
        case .warrantResolver: WarrantResolverProjection(jurisdictions: jurisdictions, signingKey: notificationKey)
        case .inbox: InboxProjection(topic: notificationsTopic, verifyingKeys: [notificationKey], onStored: onStored)
        }
    }

    /// Builds one service (opening and migrating its database).
    public func makeService(
        _ service: ServiceName, logger: Logger, onStored: @escaping @Sendable (BusNotification) -> Void = { _ in }
    ) throws -> EventConsumerService {
        let projection = projection(service, onStored: onStored)
        let database = try ServiceDatabase(path: databasePath(service), registerMigrations: projection.registerMigrations)
        let admission: MessageAdmission = service == .inbox ? .headers : .contracts(EventValidator(catalog: catalog))
        return EventConsumerService(
            projection: projection, database: database, admission: admission,
            configuration: serviceConfiguration(service), logger: logger)
    }
}

/// The bus's own topics (not partner contracts): notifications and dead letters.
public enum BusTopics {
    public static let deadLetters = BusTopic.deadLetters
    public static let partitions = 12

    public static var all: [String] { BusTopic.all }

    /// Creates them on the embedded broker.
    public static func create(on kafka: EmbeddedKafka) throws {
        for topic in all { try kafka.createTopic(topic, partitions: partitions) }
    }

    /// Creates those missing on a cluster.
    public static func apply(to administrator: some KafkaTopicAdministrator) async throws {
        let existing = Set(try await administrator.listTopics())
        for topic in all where !existing.contains(topic) {
            try await administrator.createTopic(KafkaTopicSpecification(name: topic, partitions: partitions, configs: [:]))
        }
    }
}

extension KafkaClientConfiguration {
    fileprivate func adding(_ properties: [String: String]) -> KafkaClientConfiguration {
        var copy = self
        copy.properties.merge(properties) { _, new in new }
        return copy
    }
}
