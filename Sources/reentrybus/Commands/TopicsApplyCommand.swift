import ArgumentParser
import Settings
import ContractTools
import Contracts
import Kafka

struct TopicsApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create the contracts' topics (bus.* included) on a cluster, align their configs, report drift.",
        discussion: """
            Creates missing topics with the contract's partitions and configs, sets configs that \
            differ, adds partitions the contract asks for where the cluster can, and reports what \
            it cannot change. Idempotent: a second run changes nothing. Prints one line per change \
            or drift. The cluster's address and security (TLS, SASL) come from the flags, the \
            REENTRYBUS_* environment and the configuration file (--config), as for `serve`.
            """)

    @Option(help: ArgumentHelp("Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (default: localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Seconds each request to the cluster may take (default: 30).", valueName: "seconds"))
    var connectTimeout: Double?

    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let settings = try config.resolve(logging: logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
            flags.set(.connectTimeout, connectTimeout, flag: "--connect-timeout")
        }
        let logger = logging.logger("reentrybus.topics", settings)
        let catalog = try contracts.loadCatalog()
        let admin = try KafkaAdmin(
            configuration: settings.kafkaClient(clientID: "reentrybus-topics"), timeout: settings.connectTimeout, logger: logger)
        let changes = try await TopicApplier(catalog: catalog, logger: logger).apply(to: admin)
        for change in changes { print(change) }
        let created = changes.filter(\.isModification).count
        print(changes.isEmpty ? "no changes: every topic matches its contract" : "\(created) topic(s) created, \(changes.count - created) drift(s) reported")
    }
}
