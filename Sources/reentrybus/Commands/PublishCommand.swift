import ArgumentParser
import Settings
import ContractTools
import Contracts
import Foundation
import Kafka

/// `reentrybus publish --topic T FILE`: validate a file of events, then publish it.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file of events (JSON, NDJSON or CSV) and publish it to a topic, all or nothing.",
        discussion: """
            The file is read strictly (UTF-8, CSV quoting and column counts, JSON syntax) and \
            every record validated against its contract; event ids must not repeat. If anything \
            is wrong, each bad record's line and error is printed and nothing is published (exit \
            status 1). Then the broker must answer within --connect-timeout and have the topic. \
            The events are published in one Kafka transaction: if anything fails, it is aborted \
            and nothing is published (exit status 1); readers of committed data (every \
            ReentryBus service) see all the events or none. The embedded broker (reentrybus \
            broker, dev) is a test broker that accepts transactions without enforcing them; \
            the output says when it was used. With --no-transaction (for a cluster without \
            transactions) events are sent in chunks: if the broker fails part-way, nothing more \
            is sent and the lines stored, failed and not sent are printed (exit status 1). CSV \
            files name each column's field in the header row (e.g. payload.facility.name, \
            schemaVersion:integer); see Topics/README.md.
            """)

    @Option(help: "The topic to publish to (one of the contracts).")
    var topic: String

    @Argument(help: "The file of events; the format comes from its extension unless --format is given.")
    var file: String

    @Option(help: "json, ndjson or csv.")
    var format: String?

    @Option(help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (else the environment or --config; default localhost:9092).")
    var bootstrap: String?

    @Option(help: "Seconds to wait for the broker to answer before giving up (default 30).")
    var connectTimeout: Int?

    @Flag(help: "Validate only; publish nothing.")
    var dryRun = false

    @Flag(help: "Publish without a Kafka transaction (for a cluster without transactions): a failure part-way leaves the events before it published.")
    var noTransaction = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard resolvedFormat != nil else {
            throw ValidationError("Cannot tell the format of \(file) from its extension; pass --format json, ndjson or csv.")
        }
        if let connectTimeout, connectTimeout <= 0 {
            throw ValidationError("--connect-timeout must be a positive number of seconds.")
        }
    }

    var resolvedFormat: EventFileFormat? {
        format.map(EventFileFormat.init(rawValue:)) ?? EventFileFormat(fileName: file)
    }

    func run() async throws {
        // Bootstrap servers, Kafka security (TLS, SASL) and the connect timeout: flag >
        // environment > configuration file > default, as for `serve` and `topics apply`.
        let settings = try config.resolve(logging: logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
            flags.set(.connectTimeout, connectTimeout.map(Double.init), flag: "--connect-timeout")
        }
        let logger = logging.logger("reentrybus.publish", settings)
        let catalog = try contracts.loadCatalog()
        guard let data = FileManager.default.contents(atPath: file), let format = resolvedFormat else {
            printError("cannot read \(file)")
            throw ExitCode.failure
        }
        let publisher = EventPublisher(catalog: catalog, logger: logger)
        let validation: EventPublisher.Validation
        do {
            validation = try publisher.validate(Array(data), format: format, topic: topic) { done, total in
                if total >= 1_000 { printError("validated \(done) of \(total) records") }
            }
        } catch {
            printError("publish: \(file): \(error)")
            throw ExitCode.failure
        }
        for failure in validation.failures { print("\(file):\(failure)") }
        if !validation.failures.isEmpty {
            print("\(validation.failures.count) of \(validation.records) records are invalid; nothing was published")
            throw ExitCode.failure
        }
        if dryRun {
            print("\(validation.records) records are valid (dry run: nothing published)")
            return
        }
        // Clients only once the file is known to be good: they start connecting at once.
        let client = settings.kafkaClient(clientID: "reentrybus-publish")
        // A fresh transactional id per run: two publishes at once must not fence each other. A
        // run killed mid-transaction leaves it to the broker, which aborts it after the
        // transaction timeout (60 s).
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                client: client, transactionalID: noTransaction ? nil : "reentrybus-publish-\(UUID().uuidString.lowercased())"),
            logger: logger)
        let destination = PublishDestination(
            producer: producer,
            administrator: try KafkaAdmin(configuration: client, timeout: settings.connectTimeout, logger: logger),
            connectTimeout: settings.connectTimeout)
        let publication: Publication
        do {
            publication = try await publisher.send(validation, to: destination)
        } catch {
            await producer.shutdown()
            printError("publish: \(file): \(error)")
            throw ExitCode.failure
        }
        await producer.shutdown()
        if publication.published == 0 {
            print("\(file) holds no events; nothing was published")
        } else {
            print("published \(publication.published) events to \(topic) \(Self.describe(publication.delivery))")
        }
    }

    /// How the events went, in the words printed after "published N events to TOPIC".
    static func describe(_ delivery: PublishDelivery) -> String {
        switch delivery {
        case .transaction:
            "in one transaction"
        case .transactionNotEnforced:
            "in one transaction, but on the embedded test broker, which does not enforce transactions (an aborted publish would have stayed visible there)"
        case .withoutTransaction:
            "without a transaction (--no-transaction)"
        }
    }
}
