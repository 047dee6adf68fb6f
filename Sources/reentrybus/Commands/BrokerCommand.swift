import ArgumentParser
import Foundation
import Kafka
import Pipeline

/// `reentrybus broker`: the embedded Kafka cluster, served to other processes until Ctrl-C.
struct Broker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded Kafka broker (in memory) for kcat and other clients.",
        discussion: """
            Creates the --topic topics, prints the bootstrap servers on standard output, then serves \
            until interrupted (Ctrl-C or SIGTERM). It answers no CreateTopics request: name every \
            topic other processes need with --topic (others are auto-created with 4 partitions). \
            Data lives in memory only; production uses Apache Kafka. \
            From the configuration file (--config or REENTRYBUS_CONFIG) and the REENTRYBUS_* \
            environment, broker reads log.*, metrics.listen and shutdown-deadline (flags win).
            """)

    @Option(help: "Number of brokers in the cluster.")
    var brokers = 3

    @Option(name: .customLong("topic"), help: "Create a topic at start: NAME or NAME:PARTITIONS (repeatable).")
    var topics: [String] = []

    @OptionGroup var operational: OperationalOptions

    func validate() throws {
        guard (1...32).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 32.") }
        for topic in topics where TopicArgument(topic) == nil {
            throw ValidationError("--topic \(topic) is not NAME or NAME:PARTITIONS with a positive number of partitions.")
        }
    }

    func run() async throws {
        let operation = try operational.resolve(command: "broker", keys: OperationalOptions.embeddedBrokerKeys)
        let logger = operation.logger
        let configuration = ApplicationConfiguration(
            broker: .embedded(brokers: brokers),
            // No service runs, so no database is opened here.
            dataDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            services: [], catalog: nil,
            topics: .init(
                createContractTopics: false,
                additional: topics.compactMap(TopicArgument.init).map { KafkaTopicSpecification(name: $0.name, partitions: $0.partitions) }),
            shutdown: operation.shutdown, observability: operation.observability)
        let application = try buildApplication(configuration, logger: logger)
        try await application.prepare()
        let announcement = """
            bootstrap servers: \(application.bootstrapServers.joined(separator: ","))
            brokers: \(brokers); other topics are auto-created with 4 partitions; Ctrl-C stops

            """
        // Written unbuffered once the broker runs with its topics (and Ctrl-C and SIGTERM stop
        // it gracefully): scripts read the address before the broker stops.
        application.onRunning { FileHandle.standardOutput.write(Data(announcement.utf8)) }
        try await application.runAsCommand()
    }
}

/// A `--topic` argument: `NAME` (4 partitions) or `NAME:PARTITIONS`.
struct TopicArgument {
    var name: String
    var partitions: Int

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { return nil }
        self.name = String(name)
        if parts.count == 2 {
            guard let partitions = Int(parts[1]), partitions > 0 else { return nil }
            self.partitions = partitions
        } else {
            self.partitions = 4
        }
    }
}
