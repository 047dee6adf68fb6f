import ArgumentParser
import Foundation
import Pipeline

/// `reentrybus serve SERVICE`: one service against any Kafka cluster.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service (router, warrant-resolver, inbox) against a Kafka cluster.",
        discussion: """
            The service keeps its state and its consumed offsets in <data-dir>/<service>.sqlite and \
            resumes from them; delete the file to rebuild it from the beginning of the topics. \
            It fails at start when no broker answers within --connect-timeout. Ctrl-C (or SIGTERM) \
            finishes the batch in hand, commits and leaves the group, within --shutdown-deadline.
            """)

    @Argument(help: "router, warrant-resolver or inbox.")
    var service: String

    @Option(help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…].")
    var bootstrap = "localhost:9092"

    @Option(help: "Where the service keeps its SQLite database.")
    var dataDir = ".reentrybus/serve"

    @Option(help: "Consumer group prefix (the group is <prefix>.<service>).")
    var groupPrefix = "reentrybus"

    @Option(help: "Consumer session timeout in seconds (6 suits the embedded broker; Kafka's default is 45).")
    var sessionTimeout = 6

    @Option(help: ArgumentHelp("Seconds to wait at start for a broker to answer before failing.", valueName: "seconds"))
    var connectTimeout: Double = 30

    @Flag(help: "Create the contracts' topics and the bus topics that are missing (as `topics apply` creates them).")
    var createTopics = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var notificationKey: NotificationKeyOptions
    @OptionGroup var shutdown: ShutdownOptions
    @OptionGroup var logging: LoggingOptions

    var servers: [String] {
        bootstrap.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    func validate() throws {
        guard ServiceName(rawValue: service) != nil else {
            throw ValidationError("Unknown service \(service); choose router, warrant-resolver or inbox.")
        }
        guard !servers.isEmpty, !servers.contains(where: \.isEmpty) else {
            throw ValidationError("--bootstrap must name at least one HOST:PORT (and no empty one between commas).")
        }
        guard sessionTimeout >= 1 else { throw ValidationError("--session-timeout must be at least 1 second.") }
        guard connectTimeout > 0, connectTimeout <= 3_600 else {
            throw ValidationError("--connect-timeout must be more than 0 and at most 3600 seconds, not \(connectTimeout).")
        }
    }

    func run() async throws {
        let logger = logging.logger("reentrybus.\(service)")
        let name = ServiceName(rawValue: service)!
        let catalog = try contracts.loadCatalog()
        let configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: servers), dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true),
            services: [name], catalog: catalog,
            topics: .init(createContractTopics: createTopics),
            client: .init(
                groupPrefix: groupPrefix, sessionTimeout: .seconds(sessionTimeout),
                connectTimeout: .milliseconds(Int64((connectTimeout * 1_000).rounded()))),
            shutdown: shutdown.options,
            notificationKey: try notificationKey.signingKey(), previousNotificationKeys: try notificationKey.previousKeys())
        try await buildApplication(configuration, logger: logger).runAsCommand()
    }
}
