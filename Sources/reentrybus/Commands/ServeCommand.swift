import ArgumentParser
import Foundation
import Pipeline
import Settings

/// `reentrybus serve SERVICE`: one service against any Kafka cluster.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service (router, warrant-resolver, inbox, views, feeds) against a Kafka cluster.",
        discussion: """
            Settings come from the flags, then the REENTRYBUS_* environment variables, then the \
            configuration file (--config or REENTRYBUS_CONFIG), then the defaults; \
            `reentrybus config check FILE` shows the result. Kafka TLS and SASL are set there \
            (kafka.security-protocol, kafka.sasl.*, kafka.tls.*). A bad setting stops the command \
            before anything starts (exit status 64). \
            The service keeps its state and its consumed offsets in <data-dir>/<service>.sqlite, or with \
            --database postgres://USER@HOST:PORT/DATABASE in that PostgreSQL database's schema <service> \
            (password from database-password-file or REENTRYBUS_DATABASE), and resumes from them; \
            delete the file (or drop the schema) to rebuild it from the beginning of the topics. \
            It fails at start when no broker answers within the connect timeout. Ctrl-C (or SIGTERM) \
            finishes the batch in hand, commits and leaves the group, within the shutdown deadline.
            """)

    @Argument(help: "router, warrant-resolver, inbox, views or feeds.")
    var service: String

    @OptionGroup var broker: BrokerConnectionOptions
    @OptionGroup var state: ServiceStateOptions

    @Option(help: ArgumentHelp("Consumer group prefix; the group is <prefix>.<service> (default: reentrybus).", valueName: "prefix"))
    var groupPrefix: String?

    @Option(help: ArgumentHelp(
        "Consumer session timeout in seconds (default: 6, which suits the embedded broker; Kafka's default is 45).", valueName: "seconds"))
    var sessionTimeout: Double?

    @Flag(help: "Create the contracts' topics and the bus topics that are missing (as `topics apply` creates them).")
    var createTopics = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var notificationKey: NotificationKeyOptions
    @OptionGroup var operational: OperationalOptions

    func validate() throws {
        guard ServiceName(rawValue: service) != nil else {
            throw ValidationError("Unknown service \(service); choose \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        // Everything is resolved and checked before anything starts.
        let operation = try operational.resolve(command: service) { flags in
            broker.apply(to: &flags)
            state.apply(to: &flags)
            flags.set(.groupPrefix, groupPrefix, flag: "--group-prefix")
            flags.set(.sessionTimeout, sessionTimeout, flag: "--session-timeout")
            notificationKey.apply(to: &flags)
        }
        let settings = operation.configuration
        let logger = operation.logger
        let signingKey = try notificationKey.signingKey(settings)
        let previousKeys = try notificationKey.previousKeys()
        logger.info("Configuration", metadata: [
            "file": "\(settings.configurationFile ?? "none")", "bootstrap": "\(settings.bootstrapServers.joined(separator: ","))",
            "security": "\(settings.security)", "group-prefix": "\(settings.groupPrefix)",
        ])
        let name = ServiceName(rawValue: service)!
        let catalog = try contracts.loadCatalog()
        let (dataDirectory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        var configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: settings.bootstrapServers),
            dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true),
            services: [name], catalog: catalog,
            topics: .init(createContractTopics: createTopics),
            client: .init(
                groupPrefix: settings.groupPrefix, sessionTimeout: settings.sessionTimeout,
                connectTimeout: settings.connectTimeout, security: settings.security),
            shutdown: operation.shutdown,
            notificationKey: signingKey, previousNotificationKeys: previousKeys, observability: operation.observability,
            postgres: postgres)
        configuration.feedOperators = settings.feedOperators
        try await buildApplication(configuration, logger: logger).runAsCommand()
    }
}
