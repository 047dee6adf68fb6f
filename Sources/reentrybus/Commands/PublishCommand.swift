import ArgumentParser
import ContractTools
import Contracts
import Foundation
import Kafka

/// `reentrybus publish --topic T FILE`: validate a file of events, then publish all or none.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file of events (JSON, NDJSON or CSV) and publish it to a topic, all or nothing.",
        discussion: """
            Every record is validated against its contract first. If any is invalid, each bad \
            record's line and error is printed and nothing is published (exit status 1). CSV \
            files name each column's field in the header row (e.g. payload.facility.name, \
            schemaVersion:integer); see Topics/README.md.
            """)

    @Option(help: "The topic to publish to (a contract in --dir).")
    var topic: String

    @Argument(help: "The file of events; the format comes from its extension unless --format is given.")
    var file: String

    @Option(help: "json, ndjson or csv.")
    var format: String?

    @Option(help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…].")
    var bootstrap = "localhost:9092"

    @Flag(help: "Validate only; publish nothing.")
    var dryRun = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard resolvedFormat != nil else {
            throw ValidationError("Cannot tell the format of \(file) from its extension; pass --format json, ndjson or csv.")
        }
    }

    var resolvedFormat: EventFileFormat? {
        format.map(EventFileFormat.init(rawValue:)) ?? EventFileFormat(fileName: file)
    }

    func run() async throws {
        let logger = logging.logger("reentrybus.publish")
        let catalog = try contracts.loadCatalog()
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("cannot read \(file)")
            throw ExitCode.failure
        }
        let publisher = EventPublisher(catalog: catalog, logger: logger)
        let producer = dryRun ? nil : try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: KafkaClientConfiguration(
                bootstrapServers: bootstrap.split(separator: ",").map(String.init), clientID: "reentrybus-publish")),
            logger: logger)
        let report: EventPublisher.Report
        do {
            report = try await publisher.publish(
                Array(data), format: resolvedFormat!, topic: topic, producer: producer, dryRun: dryRun,
                progress: { done, total in
                    if total >= 1_000 { printError("validated \(done) of \(total) records") }
                })
        } catch {
            await producer?.shutdown()
            printError("publish: \(error)")
            throw ExitCode.failure
        }
        await producer?.shutdown()
        for failure in report.failures { print("\(file):\(failure)") }
        if !report.failures.isEmpty {
            print("\(report.failures.count) of \(report.records) records are invalid; nothing was published")
            throw ExitCode.failure
        }
        print(dryRun ? "\(report.records) records are valid (dry run: nothing published)" : "published \(report.published) events to \(topic)")
    }
}
