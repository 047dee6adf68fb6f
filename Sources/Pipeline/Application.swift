import Foundation
import Gateway
import Kafka
import Logging
import Observability
import ServiceKit
import ServiceLifecycle
import Synchronization
import Timers

/// The bus as one runnable value: the broker (embedded, or the address of an external one),
/// the topic setup, and the services, built by `buildApplication(_:logger:onNotificationStored:)`.
///
/// `run()` first checks that the broker answers (within `ClientOptions.connectTimeout`) and
/// creates the topics, then runs every service in one `ServiceGroup` until graceful shutdown
/// (a configured signal, `triggerGracefulShutdown()`, a service that ends or fails). Services
/// start together and stop one by one in reverse order: added services (`addService`) first,
/// then the router, the warrant resolver, the inbox, and the embedded broker last.
///
/// Graceful shutdown has a deadline (`ShutdownOptions.deadline`); past it the group is
/// cancelled and `run()` throws `ApplicationError.shutdownDeadlineExceeded` naming the services
/// that had not stopped.
public final class Application: Sendable {
    public let configuration: ApplicationConfiguration
    /// The embedded broker, when the configuration starts or shares one.
    public let kafka: EmbeddedKafka?
    /// Where the services connect.
    public let bootstrapServers: [String]
    /// The pipeline's services, for their progress (`ServiceProgress`) and databases.
    public let services: [ServiceName: EventConsumerService]
    /// The scheduler, when the configuration runs it (`ServiceName.scheduler`).
    public let scheduler: Scheduler?
    /// The HTTP gateway, when the configuration runs it (`ServiceName.gateway`).
    public let gateway: GatewayService?

    let logger: Logger
    let states = ServiceStates()
    private let ownsBroker: Bool
    private let lifecycle: Mutex<Lifecycle>

    private enum Lifecycle {
        case configuring(added: [(name: String, service: any Service)], prepared: Bool, stopRequested: Bool)
        case running(ServiceGroup)
        case finished
    }

    init(
        configuration: ApplicationConfiguration, kafka: EmbeddedKafka?, ownsBroker: Bool, bootstrapServers: [String],
        services: [ServiceName: EventConsumerService], scheduler: Scheduler? = nil, gateway: GatewayService? = nil, logger: Logger
    ) {
        self.scheduler = scheduler
        self.gateway = gateway
        self.configuration = configuration
        self.kafka = kafka
        self.ownsBroker = ownsBroker
        self.bootstrapServers = bootstrapServers
        self.services = services
        self.logger = logger
        self.lifecycle = Mutex(.configuring(added: [], prepared: false, stopRequested: false))
    }

    /// Adds a service that runs with the others (`dev --demo`'s publisher), stopped first.
    /// Only before `run()`; afterwards it throws `invalidConfiguration`.
    public func addService(_ service: some Service, named name: String) throws(ApplicationError) {
        let added = lifecycle.withLock { lifecycle -> Bool in
            guard case .configuring(var services, let prepared, let stopRequested) = lifecycle else { return false }
            services.append((name, service))
            lifecycle = .configuring(added: services, prepared: prepared, stopRequested: stopRequested)
            return true
        }
        guard added else { throw .invalidConfiguration(field: "addService", reason: "must be called before run()") }
    }

    /// Checks that the broker answers a metadata request within `ClientOptions.connectTimeout`,
    /// then creates the missing topics (`TopicOptions`). `run()` does this first unless it was
    /// done; call it yourself to produce events before the services start (the benchmark's
    /// replay). Call it from one task at a time.
    public func prepare() async throws(ApplicationError) {
        let prepared = lifecycle.withLock { lifecycle -> Bool in
            if case .configuring(_, false, _) = lifecycle { return false }
            return true
        }
        guard !prepared else { return }
        let timeout = configuration.client.connectTimeout
        let setup = TopicSetup(options: configuration.topics, catalog: configuration.catalog, logger: logger)
        do {
            if let kafka {
                try await setup.apply(to: try kafka.administrator(timeout: timeout))
            } else {
                let administrator = try KafkaAdmin(
                    configuration: KafkaClientConfiguration(
                        bootstrapServers: bootstrapServers, clientID: "reentrybus-setup", security: configuration.client.security),
                    timeout: timeout, logger: logger)
                do {
                    _ = try await administrator.listTopics()
                } catch {
                    throw ApplicationError.brokerUnreachable(bootstrapServers: bootstrapServers, timeout: timeout, reason: error.description)
                }
                try await setup.apply(to: administrator)
            }
        } catch let error as ApplicationError {
            throw error
        } catch {
            throw .topicSetupFailed(reason: "\(error)")
        }
        lifecycle.withLock { lifecycle in
            if case .configuring(let added, _, let stopRequested) = lifecycle {
                lifecycle = .configuring(added: added, prepared: true, stopRequested: stopRequested)
            }
        }
    }

    /// Prepares (unless done), then runs every service until graceful shutdown has finished.
    /// Throws the first service's failure (`ApplicationError.serviceFailed`), or
    /// `shutdownDeadlineExceeded` when services had to be cancelled. Runs once.
    public func run() async throws {
        try await prepare()
        var entries: [(name: String, service: any Service)]
        do {
            entries = try lifecycle.withLock { lifecycle throws(ApplicationError) in
                guard case .configuring(let added, _, _) = lifecycle else {
                    throw .invalidConfiguration(field: "run", reason: "may be called once")
                }
                var entries: [(name: String, service: any Service)] = []
                if ownsBroker, let kafka { entries.append(("embedded-broker", kafka)) }
                for name in services.keys.sorted(by: { $0.startOrder < $1.startOrder }) {
                    entries.append((name.rawValue, services[name]!))
                }
                // Last: stopped first, so no tick is written for services that have stopped.
                if let scheduler { entries.append((ServiceName.scheduler.rawValue, scheduler)) }
                // After the scheduler: stopped before everything else, so no new request reaches
                // the bus while the services drain.
                if let gateway { entries.append((ServiceName.gateway.rawValue, gateway)) }
                return entries + added
            }
        }
        if let options = configuration.observability {
            // First: it stops last, so Prometheus can scrape the drain while readiness says 503.
            let joined = ReadinessCheck.servicesJoined(Dictionary(uniqueKeysWithValues: services.map { ($0.key.rawValue, $0.value.progress) }))
            let states = self.states
            let readiness = ReadinessCheck { states.shutdownBegan != nil ? ["shutting-down"] : joined.pending() }
            entries.insert(("observability", ObservabilityService(
                configuration: .init(address: options.listen), export: options.export, readiness: readiness, logger: logger)), at: 0)
        }
        for entry in entries { states.register(entry.name) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: entries.map { entry in
                .init(service: SupervisedService(name: entry.name, base: entry.service, states: states),
                      successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: configuration.shutdown.stopsOnTerminationSignals ? [.sigterm, .sigint] : [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdown.deadline
        let group = ServiceGroup(configuration: groupConfiguration)
        let stopRequested = lifecycle.withLock { lifecycle -> Bool in
            guard case .configuring(_, _, let stopRequested) = lifecycle else { return false }
            lifecycle = .running(group)
            return stopRequested
        }
        if stopRequested { await group.triggerGracefulShutdown() }

        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        lifecycle.withLock { $0 = .finished }
        if let exceeded = deadlineExceeded() {
            if case .failure(let error) = outcome, !(error is CancellationError) {
                logger.error("A service failed before the shutdown deadline passed", metadata: ["error": "\(error)"])
            }
            throw exceeded
        }
        try outcome.get()
    }

    /// Starts graceful shutdown: at once when running, as soon as `run()` starts otherwise.
    public func triggerGracefulShutdown() async {
        let group = lifecycle.withLock { lifecycle -> ServiceGroup? in
            switch lifecycle {
            case .configuring(let added, let prepared, _):
                lifecycle = .configuring(added: added, prepared: prepared, stopRequested: true)
                return nil
            case .running(let group): return group
            case .finished: return nil
            }
        }
        await group?.triggerGracefulShutdown()
    }

    /// Runs `action` once every service has started, on the thread of the last to start. From
    /// then on the termination signals (`ShutdownOptions.stopsOnTerminationSignals`) start a
    /// graceful shutdown: `reentrybus` announces itself here, so a script that waits for its
    /// banner can stop it cleanly.
    public func onRunning(_ action: @escaping @Sendable () -> Void) {
        states.onAllStarted(action)
    }

    /// Runs `action` once graceful shutdown begins (the first service is asked to stop), on
    /// the thread that asks; at once if it has begun. `reentrybus` arms its exit deadline here.
    public func onShutdownBegan(_ action: @escaping @Sendable () -> Void) {
        states.onShutdownBegan(action)
    }

    /// Names of the services `run()` started whose own `run()` has not returned yet.
    public var unfinishedServices: [String] { states.unfinished }

    /// The deadline error when services were cancelled after shutdown had run for the deadline.
    private func deadlineExceeded() -> ApplicationError? {
        guard let began = states.shutdownBegan, ContinuousClock.now - began >= configuration.shutdown.deadline else { return nil }
        let phases = states.phases
        let notStopped = phases.filter { $0.phase == .cancelledWhileStopping }.map(\.name)
        guard !notStopped.isEmpty else { return nil }
        return .shutdownDeadlineExceeded(
            deadline: configuration.shutdown.deadline, notStopped: notStopped,
            cancelledUnasked: phases.filter { $0.phase == .cancelledUnasked }.map(\.name))
    }
}
