import ArgumentParser
import Audit
import Foundation
import Kafka
import Logging
import Placeholders
import Policy
import Settings
import Storage

/// `reentrybus audit verify|search`: the audit ledger of disclosures.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit ledger's chain, or find who saw a person's data.",
        discussion: """
            Reads the ledger the gateway and the CLI views append to: <data-dir>/audit.sqlite, or the \
            schema audit of --database postgres://…. Each entry records who received which fields of \
            whose data, why and when, never the values, chained to the one before by SHA-256.
            """,
        subcommands: [AuditVerify.self, AuditSearch.self, AuditPublish.self])
}

/// Where the ledger is, as `view` finds the views database.
struct AuditStoreOptions: ParsableArguments {
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var state: ServiceStateOptions

    /// Opens the ledger; with `mustExist`, a missing SQLite file is an error rather than a new ledger.
    func open(mustExist: Bool) async throws -> AuditLedger {
        try await openAuditLedger(config: config, logging: logging, state: state, mustExist: mustExist)
    }
}

/// The audit ledger where `config`, `logging` and `state` say the services' state is (`audit`
/// and `view` alike): `<data-dir>/audit.sqlite`, or the schema `audit` of PostgreSQL.
func openAuditLedger(
    config: ConfigurationOptions, logging: LoggingOptions, state: ServiceStateOptions, mustExist: Bool
) async throws -> AuditLedger {
    let settings = try config.resolve(logging: logging, keys: [.dataDirectory, .database, .databasePasswordFile]) { flags in
        state.apply(to: &flags, defaultDataDirectory: config.file == nil ? ".reentrybus/dev" : nil)
    }
    let (directory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
    if let postgres {
        var logger = Logger(label: "reentrybus.audit")
        logger.logLevel = .error
        return try await AuditLedger.open(storage: PostgresStorage(configuration: try postgres.inSchema(AuditLedger.storeName), logger: logger))
    }
    let folder = URL(fileURLWithPath: directory, isDirectory: true)
    let path = folder.appendingPathComponent("\(AuditLedger.storeName).sqlite").path
    if mustExist, !FileManager.default.fileExists(atPath: path) {
        throw ValidationError("There is no audit ledger at \(path): nothing was disclosed through it yet, or pass --data-dir.")
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return try await AuditLedger.open(storage: try SQLiteStorage(path: path))
}

/// `reentrybus audit verify`: exit 0 when the chain is whole, 1 naming the first bad entry.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no entry of the ledger was changed, removed or reordered.",
        discussion: """
            Prints the number of entries and the chain's head (sequence and hash): keep the head \
            elsewhere, as the ledger alone cannot show that its last entries were removed. Exits 1 \
            and names the first bad entry when the chain is broken.
            """)

    @OptionGroup var store: AuditStoreOptions

    func run() async throws {
        let verification = try await store.open(mustExist: true).verify()
        if let problem = verification.problem {
            printError("reentrybus audit verify: the chain is broken at \(problem) (\(verification.verifiedEntries) entries before it are intact)")
            throw ExitCode.failure
        }
        if let head = verification.head {
            print("audit ledger intact: \(verification.verifiedEntries) entries; head \(head.sequence) \(head.hash)")
        } else {
            print("audit ledger intact: no entries")
        }
    }
}

/// `reentrybus audit search --person ID`: who saw that person's data.
struct AuditSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List who received a person's data, or was refused it: when, who, agency, roles, purpose, channel, outcome, which fields.")

    @Option(help: ArgumentHelp("The person's identifier (state ID, FBI number, DOC, booking or RMS number).", valueName: "id"))
    var person: String

    @Flag(help: "Print the entries as JSON (one document) instead of a table.")
    var json = false

    @OptionGroup var store: AuditStoreOptions

    func validate() throws {
        // The ledger files no disclosure under such a value (`PersonIdentifier.all`): asking
        // for it would answer "nobody" about whoever was recorded so.
        if PersonNumberPlaceholder.isPlaceholder(person) {
            throw ValidationError("--person \(person) \(PersonNumberPlaceholder.meaning): give the person's number.")
        }
    }

    func run() async throws {
        let entries = try await store.open(mustExist: true).search(person: person)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        var table = TextTable("#", "WHEN", "WHO", "AGENCY", "ROLES", "PURPOSE", "CHANNEL", "RESOURCE", "OUTCOME", "DISCLOSED", "WITHHELD")
        for entry in entries {
            let classes = Set(entry.disclosed.flatMap(\.classifications)).map(\.rawValue).sorted()
            table.add(
                String(entry.sequence), ViewFormat.minute(entry.at), entry.requester.subject, entry.requester.agencyId ?? "-",
                entry.requester.roles.map(\.rawValue).joined(separator: ","), entry.purpose.rawValue, entry.channel.rawValue, entry.resource,
                Self.outcome(entry), "\(entry.disclosed.count) fields (\(classes.joined(separator: ", ")))", String(entry.withheld.count))
        }
        print(table.render(empty: "Nobody received data about \(person) through this ledger."), terminator: "")
    }

    /// `disclosed`, or `denied (<reason>)`: whether data left the bus or the request was refused
    /// (an entry written before outcomes were recorded was a disclosure).
    static func outcome(_ entry: AuditEntry) -> String {
        guard entry.isDenial else { return DisclosureOutcome.disclosed.rawValue }
        return DisclosureOutcome.denied.rawValue + (entry.denialReason.map { " (\($0.rawValue))" } ?? "")
    }
}

/// `reentrybus audit publish`: sends the entries still queued in the ledger's outbox (the CLI
/// views', or a gateway's that stopped before its broker came back) to `bus.audit`.
struct AuditPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Send the ledger's entries not yet on bus.audit (idempotent producer; returns once the broker stored them).",
        discussion: "Exits 1 when no broker answers or the cluster has no bus.audit; the entries then stay queued.")

    @Option(help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (else the environment or --config; default localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @OptionGroup var store: AuditStoreOptions

    func run() async throws {
        let settings = try store.config.resolve(logging: store.logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
        }
        let logger = store.logging.logger("reentrybus.audit", settings)
        let ledger = try await store.open(mustExist: true)
        let cluster = OperatorCluster(
            command: "reentrybus audit publish", client: settings.kafkaClient(clientID: "reentrybus-audit"),
            connectTimeout: settings.connectTimeout, logger: logger)
        try await cluster.requireTopic(AuditEntry.topic)
        let producer = try cluster.producer()
        let published: Int
        do {
            published = try await AuditPublisher(ledger: ledger, producer: producer).publishPending()
        } catch {
            await producer.shutdown()
            printError("reentrybus audit publish: \(error); the entries not acknowledged stay queued")
            throw ExitCode.failure
        }
        await producer.shutdown()
        print("published \(published) audit entries to \(AuditEntry.topic)")
    }
}
