import ArgumentParser
import Contracts
import Foundation
import Kafka
import Pipeline
import ServiceLifecycle

/// `reentrybus serve SERVICE`: one service against any Kafka cluster.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service (router, warrant-resolver, inbox) against a Kafka cluster.",
        discussion: """
            The service keeps its state and its consumed offsets in <data-dir>/<service>.sqlite and \
            resumes from them; delete the file to rebuild it from the beginning of the topics. \
            Ctrl-C (or SIGTERM) finishes the batch in hand, commits and leaves the group.
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

    @Flag(help: "Create bus.notifications and bus.dead-letters if they are missing.")
    var createBusTopics = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard PipelineConfiguration.ServiceName(rawValue: service) != nil else {
            throw ValidationError("Unknown service \(service); choose router, warrant-resolver or inbox.")
        }
        guard sessionTimeout >= 1 else { throw ValidationError("--session-timeout must be at least 1 second.") }
    }

    func run() async throws {
        let logger = logging.logger("reentrybus.\(service)")
        let name = PipelineConfiguration.ServiceName(rawValue: service)!
        let servers = bootstrap.split(separator: ",").map(String.init)
        if createBusTopics {
            let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: servers), timeout: .seconds(30), logger: logger)
            try await BusTopics.apply(to: admin)
        }
        let configuration = PipelineConfiguration(
            bootstrapServers: servers, dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true), catalog: try contracts.loadCatalog(),
            groupPrefix: groupPrefix, sessionTimeout: .seconds(sessionTimeout))
        let instance = try configuration.makeService(name, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: instance)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
