import ArgumentParser
import Foundation
import Pipeline
import Settings

/// `reentrybus serve SERVICE`: one service against any Kafka cluster.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service (router, warrant-resolver, inbox, views, feeds, person-index, scheduler, gateway) against a Kafka cluster.",
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
            finishes the batch in hand, commits and leaves the group, within the shutdown deadline. \
            The scheduler keeps no state and needs no notification key: it writes one tick a minute \
            to bus.timers from the wall clock, and on Ctrl-C finishes the tick it is sending. \
            The gateway (HTTP ingest and the inbox) needs no notification key but the token issuer's \
            public keys (--jwks-file, gateway.jwks-file); it listens on --listen (default 127.0.0.1:8080), \
            keeps what it ingested in <data-dir>/gateway.sqlite (or the schema gateway) and reads the \
            inbox's database (<data-dir>/inbox.sqlite, or the schema inbox). On Ctrl-C it stops \
            accepting requests and answers those in flight once the broker has acknowledged them.
            """)

    @Argument(help: "router, warrant-resolver, inbox, views, feeds, person-index, scheduler or gateway.")
    var service: String

    @Option(help: ArgumentHelp(
        "The gateway's HOST:PORT (else REENTRYBUS_GATEWAY_LISTEN or gateway.listen; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp(
        "The gateway's JSON Web Key Set of the token issuer's public keys (else REENTRYBUS_GATEWAY_JWKS_FILE or gateway.jwks-file).",
        valueName: "file"))
    var jwksFile: String?

    @Option(help: ArgumentHelp(
        "Internal receivers the gateway's webhooks may reach besides public addresses, comma-separated CIDR ranges or host names "
            + "(else REENTRYBUS_GATEWAY_WEBHOOKS_ALLOW or gateway.webhooks.allow; default: none).",
        valueName: "cidr|host,…"))
    var webhooksAllow: String?

    @Option(help: ArgumentHelp(
        "A file holding the web UI's form key (hex or base64, ≥ 32 bytes), the same for every gateway behind one address "
            + "(else REENTRYBUS_GATEWAY_FORM_KEY_FILE or gateway.form-key-file; default: a random key per process).",
        valueName: "path"))
    var formKeyFile: String?

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
            flags.set(.gatewayListen, listen, flag: "--listen")
            flags.set(.gatewayJWKSFile, jwksFile, flag: "--jwks-file")
            flags.set(.gatewayWebhooksAllow, webhooksAllow, flag: "--webhooks-allow")
            flags.set(.gatewayFormKeyFile, formKeyFile, flag: "--form-key-file")
            notificationKey.apply(to: &flags)
        }
        let settings = operation.configuration
        let logger = operation.logger
        let name = ServiceName(rawValue: service)!
        if name != .gateway, listen != nil || jwksFile != nil || webhooksAllow != nil || formKeyFile != nil {
            throw ValidationError("--listen, --jwks-file, --webhooks-allow and --form-key-file are the gateway's; \(name) does not use them.")
        }
        // The scheduler and the gateway sign and verify nothing: they need no key (an unused one of this process).
        let signingKey = name.isConsumer ? try notificationKey.signingKey(settings) : .random()
        let previousKeys = try notificationKey.previousKeys()
        logger.info("Configuration", metadata: [
            "file": "\(settings.configurationFile ?? "none")", "bootstrap": "\(settings.bootstrapServers.joined(separator: ","))",
            "security": "\(settings.security)", "group-prefix": "\(settings.groupPrefix)",
        ])
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
        configuration.personsPopulation = settings.personsPopulation
        configuration.personsLearning = settings.personsLearning
        configuration.personsLinkThreshold = settings.personsLinkThreshold
        configuration.personsReviewThreshold = settings.personsReviewThreshold
        if name == .gateway { configuration.gateway = try GatewaySetup.configuration(settings.gateway, logger: logger) }
        try await buildApplication(configuration, logger: logger).runAsCommand()
    }
}
