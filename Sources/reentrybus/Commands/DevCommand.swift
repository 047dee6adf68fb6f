import ArgumentParser
import ContractTools
import Contracts
import Demo
import Foundation
import Kafka
import Notifications
import Pipeline
import ServiceLifecycle

/// `reentrybus dev`: the embedded broker, the topics, and every service in one process.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded broker, the topics and the services in one process; print each notification.",
        discussion: """
            Prints one line per notification stored in the inbox: time, recipient, priority, summary. \
            The embedded broker keeps nothing between runs, so the services' databases in --data-dir \
            start empty on every run (list a recipient's notifications meanwhile with \
            `reentrybus inbox RECIPIENT --data-dir DIR`). Ctrl-C (or SIGTERM) shuts down cleanly.
            """)

    @Flag(help: "Publish a scenario covering flow A (supervisee arrested), flow B (scheduled release with a warrant, then recalled) and the unscheduled-release variant.")
    var demo = false

    @Option(help: "Where the services keep their SQLite databases.")
    var dataDir = ".reentrybus/dev"

    @Option(help: "Brokers in the embedded cluster.")
    var brokers = 1

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.logger("reentrybus.dev")
        let catalog = try contracts.loadCatalog()
        let kafka = try EmbeddedKafka(brokers: brokers, logger: logger)
        _ = try await TopicApplier(catalog: catalog, logger: logger).apply(to: try kafka.administrator())
        try BusTopics.create(on: kafka)

        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        let configuration = PipelineConfiguration.embedded(kafka, dataDirectory: directory, catalog: catalog)
        for service in PipelineConfiguration.ServiceName.allCases {
            let path = configuration.databasePath(service)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let output = FileHandle.standardOutput
        let router = try configuration.makeService(.router, logger: logger)
        let resolver = try configuration.makeService(.warrantResolver, logger: logger)
        let inbox = try configuration.makeService(.inbox, logger: logger) { notification in
            output.write(Data((notification.line + "\n").utf8))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: kafka), .init(service: router), .init(service: resolver), .init(service: inbox),
        ]
        if demo {
            let publisher = DemoPublisher(
                scenario: try DemoScenario(now: Date()), producer: kafka.producerConfiguration(clientID: "reentrybus-demo"),
                progress: [.router: router.progress, .warrantResolver: resolver.progress], logger: logger)
            services.append(.init(service: publisher))
        }
        output.write(Data("""
            reentrybus dev: embedded broker at \(kafka.bootstrapServers); services: router, warrant-resolver, inbox; data in \(dataDir)
            \(demo ? "publishing the demo scenario (flows A, B and the variant); " : "")Ctrl-C stops

            """.utf8))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
