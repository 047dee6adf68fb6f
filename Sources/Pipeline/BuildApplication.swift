import Contracts
import Feeds
import Foundation
import Kafka
import Logging
import Storage
import Notifications
import PersonIndex
import PersonIndexService
import PersonIndexStore
import ReadModels
import Routing
import ServiceKit
import Timers
import Warrants

/// Builds the bus described by `configuration`: starts the embedded broker when it asks for
/// one, opens and migrates each service's database, and wires each service to Kafka. Nothing
/// connects until `Application.run()` (or `prepare()`).
///
/// `dev`, `serve`, `broker`, the tests and the benchmark all build through here, so a service
/// is assembled the same way everywhere.
///
/// - Parameter onNotificationStored: called by the inbox after each commit, once per
///   notification it stored (`dev` prints them, the benchmark times them).
public func buildApplication(
    _ configuration: ApplicationConfiguration, logger: Logger,
    onNotificationStored: @escaping @Sendable (BusNotification) -> Void = { _ in }
) throws(ApplicationError) -> Application {
    try validate(configuration)
    let kafka: EmbeddedKafka?
    let bootstrapServers: [String]
    switch configuration.broker {
    case .embedded(let brokers):
        do {
            kafka = try EmbeddedKafka(brokers: brokers, logger: logger)
        } catch {
            throw .invalidConfiguration(field: "broker", reason: "could not start the embedded broker: \(error)")
        }
        bootstrapServers = [kafka!.bootstrapServers]
    case .shared(let shared):
        kafka = shared
        bootstrapServers = [shared.bootstrapServers]
    case .external(let servers):
        kafka = nil
        bootstrapServers = servers
    }
    let factory = ServiceFactory(configuration: configuration, bootstrapServers: bootstrapServers, embedded: kafka != nil)
    var services: [ServiceName: EventConsumerService] = [:]
    for name in configuration.services where name.isConsumer {
        services[name] = try factory.makeService(name, logger: logger, onNotificationStored: onNotificationStored)
    }
    let scheduler = configuration.services.contains(.scheduler) ? factory.makeScheduler(logger: logger) : nil
    let gateway = configuration.services.contains(.gateway)
        ? try factory.makeGateway(
            inbox: services[.inbox]?.database.storage, views: services[.views]?.database.storage,
            warrants: services[.warrantResolver]?.database.storage, router: services[.router]?.database.storage,
            feeds: services[.feeds]?.database.storage, logger: logger) : nil
    var ownsBroker = false
    if case .embedded = configuration.broker { ownsBroker = true }
    return Application(
        configuration: configuration, kafka: kafka, ownsBroker: ownsBroker, bootstrapServers: bootstrapServers,
        services: services, scheduler: scheduler, gateway: gateway, logger: logger)
}

private func validate(_ configuration: ApplicationConfiguration) throws(ApplicationError) {
    switch configuration.broker {
    case .embedded(let brokers) where !(1...32).contains(brokers):
        throw .invalidConfiguration(field: "broker", reason: "must have 1 to 32 embedded brokers, not \(brokers)")
    case .external(let servers) where servers.isEmpty || servers.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }):
        throw .invalidConfiguration(field: "broker", reason: "needs at least one bootstrap server, HOST:PORT, and no empty one")
    default: break
    }
    guard configuration.personsPopulation >= 2 else {
        throw .invalidConfiguration(field: "personsPopulation", reason: "must be at least 2 people, not \(configuration.personsPopulation)")
    }
    if let problem = configuration.personsResolverConfiguration.problems.first {
        throw .invalidConfiguration(field: "personsLinkThreshold", reason: problem)
    }
    if configuration.services.contains(.gateway) && configuration.gateway == nil {
        throw .invalidConfiguration(field: "gateway", reason: "is needed to run the gateway (its keys, issuer, audience and address)")
    }
    if configuration.catalog == nil {
        if configuration.topics.createContractTopics {
            throw .invalidConfiguration(field: "catalog", reason: "is needed to create the contracts' topics")
        }
        if let name = configuration.services.first(where: { $0.isConsumer || $0 == .gateway }) {
            throw .invalidConfiguration(field: "catalog", reason: "is needed by \(name), which checks events against the contracts")
        }
    }
    let client = configuration.client
    guard client.maxBatchSize > 0 else { throw .invalidConfiguration(field: "client.maxBatchSize", reason: "must be at least 1") }
    guard client.sessionTimeout >= .seconds(1) else { throw .invalidConfiguration(field: "client.sessionTimeout", reason: "must be at least 1 second") }
    guard client.connectTimeout > .zero else { throw .invalidConfiguration(field: "client.connectTimeout", reason: "must be positive") }
    guard configuration.shutdown.deadline > .zero else { throw .invalidConfiguration(field: "shutdown.deadline", reason: "must be positive") }
}

/// Makes one service of the pipeline: its projection, database, admission and Kafka settings.
struct ServiceFactory: Sendable {
    let configuration: ApplicationConfiguration
    let bootstrapServers: [String]
    /// Whether the broker is embedded, which takes the clients' embedded tuning.
    let embedded: Bool

    func makeService(
        _ name: ServiceName, logger: Logger, onNotificationStored: @escaping @Sendable (BusNotification) -> Void
    ) throws(ApplicationError) -> EventConsumerService {
        let projection = try makeProjection(name, onNotificationStored: onNotificationStored)
        let admission = try makeAdmission(name)
        let database: ServiceDatabase
        do {
            if let postgres = configuration.postgres {
                let schema = try postgres.inSchema(configuration.databaseSchema(name))
                database = try ServiceDatabase(postgres: PostgresStorage(configuration: schema, logger: logger), migrations: projection.migrations)
            } else {
                database = try ServiceDatabase(
                    path: configuration.databasePath(name), migrations: projection.migrations, cacheKibibytes: configuration.sqliteCacheKibibytes)
            }
        } catch let error as ServiceDatabaseError {
            throw .databaseUnusable(service: name.rawValue, error: error)
        } catch {
            throw .invalidConfiguration(field: "database", reason: "could not open the database of \(name): \(error)")
        }
        return EventConsumerService(
            projection: projection, database: database, admission: admission,
            configuration: serviceConfiguration(name), logger: logger)
    }

    /// The scheduler (`ServiceName.scheduler`): the wall clock, an idempotent producer with the
    /// services' client settings.
    func makeScheduler(logger: Logger) -> Scheduler {
        Scheduler(configuration: .init(producer: serviceConfiguration(.scheduler).producer), logger: logger)
    }

    /// The service's rules and tables (what `serve` and `replay` both run).
    func makeProjection(
        _ name: ServiceName, onNotificationStored: @escaping @Sendable (BusNotification) -> Void
    ) throws(ApplicationError) -> any EventProjection {
        let verifyingKeys = [configuration.notificationKey] + configuration.previousNotificationKeys
        return switch name {
        case .router: RouterProjection(signingKey: configuration.notificationKey)
        case .warrantResolver: WarrantResolverProjection(signingKey: configuration.notificationKey)
        case .views:
            ViewsProjection(stores: ReadModelCatalog.all(verifyingNotificationsWith: verifyingKeys))
        case .inbox, .scheduler, .gateway:
            // The scheduler and the gateway have no projection (`makeScheduler`,
            // `makeGateway`); never asked for one.
            InboxProjection(
                topic: BusTopic.notifications, verifyingKeys: verifyingKeys, signingKey: configuration.notificationKey,
                validator: configuration.catalog.map { EventValidator(catalog: $0) }, onStored: onNotificationStored)
        case .feeds:
            FeedsProjection(catalog: try catalog(for: name), signingKey: configuration.notificationKey, operators: configuration.feedOperators)
        case .personIndex:
            PersonIndexProjection(
                catalog: try catalog(for: name),
                store: PersonIndexStore(
                    matcher: IncrementalMatcher(
                        configuration: configuration.personsResolverConfiguration,
                        model: IncrementalMatcher.builtInModel(population: configuration.personsPopulation)),
                    learning: configuration.personsLearning ? PersonIndexStore.ModelLearning() : .off),
                population: configuration.personsPopulation)
        }
    }

    /// How the service checks what it reads against the contracts. The inbox checks the envelope
    /// (key, headers, an event type of `bus.notifications`' contract, the documented headers)
    /// and leaves the value to its own rule, which verifies the signature over the exact
    /// bytes, decodes the notification and checks its id and recipient against the headers
    /// and key: a schema check on top would cost the latency path without adding trust.
    func makeAdmission(_ name: ServiceName) throws(ApplicationError) -> MessageAdmission {
        let validator = EventValidator(catalog: try catalog(for: name))
        // The feeds service reads every agency event for its envelope's source alone: it checks
        // the few topics whose contents it uses (the directory, the ticks) in full itself.
        return name == .inbox || name == .feeds ? .envelopes(validator) : .contracts(validator)
    }

    /// The contracts, which every service needs.
    private func catalog(for name: ServiceName) throws(ApplicationError) -> TopicCatalog {
        guard let catalog = configuration.catalog else {
            throw .invalidConfiguration(field: "catalog", reason: "is needed by \(name)")
        }
        return catalog
    }

    func serviceConfiguration(_ name: ServiceName) -> EventConsumerService.Configuration {
        let options = configuration.client
        // Nagle's algorithm holds a small produce request back until the previous one is
        // acknowledged (~40 ms with delayed ACKs): off, as notifications are small and urgent.
        let client = KafkaClientConfiguration(
            bootstrapServers: bootstrapServers, clientID: "reentrybus-\(name.rawValue)", security: options.security,
            properties: ["socket.nagle.disable": "true"])
        var producerClient = client
        if embedded { producerClient.properties.merge(EmbeddedKafka.producerTuning) { _, tuned in tuned } }
        producerClient.properties.merge(options.producerProperties) { _, new in new }
        return EventConsumerService.Configuration(
            consumer: KafkaConsumerConfiguration(
                client: client, groupID: "\(options.groupPrefix).\(name.rawValue)", topics: [],
                sessionTimeout: options.sessionTimeout,
                fetchMaxWait: options.fetchMaxWait ?? (embedded ? EmbeddedKafka.fetchMaxWait : .milliseconds(10)),
                maxBatchSize: options.maxBatchSize),
            producer: KafkaProducerConfiguration(client: producerClient, linger: options.linger),
            deadLetterTopic: BusTopic.deadLetters, retention: eventIdRetention)
    }

    /// Applied event ids are remembered for their topic's retention (contracts); a topic kept
    /// forever gets a year: offsets already stop the redelivery of what was consumed, and an
    /// event written twice is written close in time.
    var eventIdRetention: EventIdRetention {
        var byTopic: [String: Duration] = [:]
        for topic in configuration.catalog?.topics ?? [] {
            switch topic.retention {
            case .milliseconds(let milliseconds): byTopic[topic.name] = .milliseconds(milliseconds)
            case .forever: byTopic[topic.name] = .seconds(365 * 86_400)
            }
        }
        return EventIdRetention(byTopic: byTopic)
    }
}
