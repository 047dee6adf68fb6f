import ArgumentParser
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
            or drift.
            """)

    @Option(help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…].")
    var bootstrap = "localhost:9092"

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.logger("reentrybus.topics")
        let catalog = try contracts.loadCatalog()
        let admin = try KafkaAdmin(
            configuration: KafkaClientConfiguration(bootstrapServers: bootstrap.split(separator: ",").map(String.init)),
            timeout: .seconds(30), logger: logger)
        let changes = try await TopicApplier(catalog: catalog, logger: logger).apply(to: admin)
        for change in changes { print(change) }
        let created = changes.filter(\.isModification).count
        print(changes.isEmpty ? "no changes: every topic matches its contract" : "\(created) topic(s) created, \(changes.count - created) drift(s) reported")
    }
}
