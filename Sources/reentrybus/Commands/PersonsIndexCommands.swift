import ArgumentParser
import Contracts
import Foundation
import Kafka
import Logging
import PersonIndex
import PersonIndexStore
import Storage

/// Where the person index keeps its state, for `persons index|review|link|distinct`.
struct PersonIndexDatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The person index's database: a SQLite file (created if missing; default .reentrybus/persons.sqlite) or postgres://USER@HOST:PORT/DATABASE.",
        valueName: "database"))
    var database: String?

    /// The file a command uses when `--database` is not given.
    static let defaultDatabase = ".reentrybus/persons.sqlite"

    /// Opens the database, brings its schema up to date, runs `body` in one transaction and
    /// closes it (PostgreSQL) whatever `body` did.
    func withStore<T: Sendable>(
        _ store: PersonIndexStore = PersonIndexStore(), _ body: @escaping @Sendable (PersonIndexStore, any StorageTransaction) throws -> T
    ) async throws -> T {
        let database = self.database ?? Self.defaultDatabase
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            var logger = Logger(label: "reentrybus.persons")
            logger.logLevel = .warning
            let postgres = PostgresStorage(configuration: try .init(url: database), logger: logger)
            do {
                let result = try await postgres.write { transaction in
                    try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
                    return try body(store, transaction)
                }
                try await postgres.close()
                return result
            } catch {
                try? await postgres.close()
                throw error
            }
        }
        let directory = URL(fileURLWithPath: database).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sqlite = try SQLiteStorage(path: database)
        return try await sqlite.write { transaction in
            try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
            return try body(store, transaction)
        }
    }
}

/// `persons index --input RECORDS.ndjson`: loads records into the index's store.
struct PersonsIndex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Add records to the person index's store: link, merge, or queue doubtful pairs for review.",
        discussion: """
            Reads the same NDJSON as persons resolve. Each record is compared with the stored records its \
            blocking keys reach, with the prior of --population people (give the number the records \
            describe, as the service's persons.population) and, as the service does, m and u learnt from \
            the index's records once it holds 2,000 and at each doubling (--no-learning keeps the built-in \
            ones, as persons.learning off does; persons stats says which decide). A malformed \
            line stops the run naming its line and field, and nothing is stored; a record id stored before \
            with the same contents is skipped, with other contents refused. Says how far it is on standard \
            error every --progress-every records; prints what the index decided (counts of bus.identity \
            events); persons review lists the queue.
            """)

    @Option(help: "Records, NDJSON.")
    var input: String

    @Option(help: ArgumentHelp(
        "About how many people the index's records describe: two records are one person with a chance of one in this, before the evidence.",
        valueName: "people"))
    var population: Int = IncrementalMatcher.defaultPopulation

    @Flag(help: "Keep the built-in m and u instead of learning them from the index's records (the service's persons.learning off).")
    var noLearning = false

    @Option(help: "Match probability at or above which two records are linked (the service's persons.link-threshold).")
    var linkThreshold = ResolverConfiguration().linkThreshold

    @Option(help: "Match probability at or above which a pair not linked waits for review (the service's persons.review-threshold).")
    var reviewThreshold = ResolverConfiguration().reviewThreshold

    @Option(help: ArgumentHelp("Say how far it is (on standard error) after every this many records.", valueName: "records"))
    var progressEvery = 5_000

    @OptionGroup var store: PersonIndexDatabaseOptions

    func validate() throws {
        guard (100...1_000_000_000).contains(population) else {
            throw ValidationError("--population must be a whole number of people from 100 to 1,000,000,000.")
        }
        guard progressEvery >= 1 else { throw ValidationError("--progress-every must be at least 1.") }
        if let problem = resolverConfiguration.problems.first { throw ValidationError(problem.prefix(1).uppercased() + problem.dropFirst() + ".") }
    }

    private var resolverConfiguration: ResolverConfiguration {
        var configuration = ResolverConfiguration()
        configuration.linkThreshold = linkThreshold
        configuration.reviewThreshold = reviewThreshold
        return configuration
    }

    func run() async throws {
        let records = try PersonsInputError.records(in: input, otherwise: "nothing was stored")
        let now = Date()
        let index = PersonIndexStore(
            matcher: IncrementalMatcher(configuration: resolverConfiguration, model: IncrementalMatcher.builtInModel(population: population)),
            learning: noLearning ? .off : PersonIndexStore.ModelLearning())
        let every = progressEvery
        let events = try await PersonsDecision.refusing {
            try await store.withStore(index) { store, transaction in
                // In parts, to say how far it is: the same decisions as one call (the index
                // decides each record as it arrives), all in one transaction.
                var events: [IdentityEvent] = []
                let started = ContinuousClock.now
                for first in stride(from: 0, to: records.count, by: every) {
                    let end = min(first + every, records.count)
                    events += try store.add(Array(records[first..<end]), at: now, transaction)
                    if end < records.count { Self.progress(end, of: records.count, since: started) }
                }
                return events
            }
        }
        var counts: [String: Int] = [:]
        for event in events { counts[event.eventType, default: 0] += 1 }
        let summary = IdentityEvent.Kind.allCases.compactMap { kind in counts[kind.eventType].map { "\($0) \(kind.rawValue)" } }
        print("\(records.count) records read; events: \(summary.isEmpty ? "none" : summary.joined(separator: ", "))")
    }

    /// `… 5000 of 100000 records indexed, 3912 a second, about 0:24 left` on standard error.
    private static func progress(_ done: Int, of total: Int, since started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var line = "… \(done) of \(total) records indexed"
        if seconds > 0 {
            let rate = Double(done) / seconds
            let left = Int((Double(total - done) / rate).rounded(.up))
            line += ", \(Int(rate.rounded())) a second, about \(left / 60):\(left % 60 < 10 ? "0" : "")\(left % 60) left"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// `persons review`: the pairs waiting for a human, side by side.
struct PersonsReview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List the pairs of records waiting for a human decision, side by side, with the score's reasons.",
        discussion: """
            Personal data, for the operator's terminal only: it is printed, never logged. Decide each pair \
            with persons link A B --by OPERATOR or persons distinct A B --by OPERATOR. Why a pair was held \
            is told against the index's link threshold: the service's persons.link-threshold from the \
            configuration file and the environment (--config), unless --link-threshold says it.
            """)

    @OptionGroup var store: PersonIndexDatabaseOptions

    @Option(help: "The link threshold the index decided by (default: the service's persons.link-threshold).")
    var linkThreshold: Double?

    @OptionGroup var config: ConfigurationOptions

    @Option(help: "At most this many pairs, oldest request first.")
    var limit = 20

    @Flag(help: "Print the pairs as JSON (one document) instead of text.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1.") }
        if let linkThreshold, !(linkThreshold > 0 && linkThreshold < 1) {
            throw ValidationError("--link-threshold must be a probability above 0 and below 1.")
        }
    }

    func run() async throws {
        let limit = self.limit
        // The one setting this command reads; it logs nothing, so no logging options of its own.
        let linkThreshold = try self.linkThreshold
            ?? config.resolve(logging: LoggingOptions.parse([]), keys: [.personsLinkThreshold, .personsReviewThreshold]).personsLinkThreshold
        let reviews = try await store.withStore { store, transaction in try store.pendingReviews(limit: limit, transaction) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = ReviewDocument(pairs: try reviews.map { try ReviewDocument.Pair($0, linkThreshold: linkThreshold) })
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
            return
        }
        guard !reviews.isEmpty else {
            print("No pairs waiting for review.")
            return
        }
        for review in reviews { print(Self.text(review, linkThreshold: linkThreshold)) }
    }

    /// The pair side by side, then, in further columns, the records the hold names (the other
    /// person plausible too, the records whose numbers differ), so the reviewer compares the
    /// pair with what made it doubtful without another lookup.
    static func text(_ review: PendingReview, linkThreshold: Double) -> String {
        let others = review.heldByRecords
        var table = TextTable()
        table.headers = ["FIELD", review.a.recordId, review.b.recordId] + others.map { "\($0.recordId) (named by the hold)" }
        for (field, values) in sideBySide([review.a, review.b] + others) { table.rows.append([field] + values) }
        let reasons = review.reasons.map { "\($0.field) \($0.level) \(String(format: "%+.2f", $0.weight))" }.joined(separator: ", ")
        return "\(review.a.recordId) (person \(review.aPersonId)) / \(review.b.recordId) (person \(review.bPersonId)): "
            + "score \(String(format: "%.4f", review.score))\n" + table.render(empty: "") + "reasons (bits): \(reasons)\n"
            + "not linked by the model: \(review.heldBecause(linkThreshold: linkThreshold).joined(separator: "; "))\n"
    }

    /// The records' fields, one row each (a field no record has is left out), "-" where a
    /// record lacks one.
    static func sideBySide(_ records: [PersonRecord]) -> [(field: String, values: [String])] {
        func fields(_ r: PersonRecord) -> [(String, String?)] {
            let address = r.address.map { [$0.line1, $0.line2, $0.city, $0.state, $0.postalCode].compactMap { $0 }.joined(separator: ", ") }
            let ids = r.identifiers
            return [
                ("source", r.source), ("givenName", r.givenName), ("familyName", r.familyName),
                ("aliases", r.aliases.isEmpty ? nil : r.aliases.joined(separator: "; ")), ("dateOfBirth", r.dateOfBirth?.description),
                ("sex", r.sex?.rawValue), ("address", address), ("stateId", ids.stateId), ("fbiNumber", ids.fbiNumber), ("ssn", ids.ssn),
                ("docNumber", ids.docNumber.map { "\($0)\(ids.docState.map { " (\($0))" } ?? "")" }),
                ("bookingNumber", ids.bookingNumber), ("rmsNumber", ids.rmsNumber),
            ]
        }
        let columns = records.map(fields)
        guard let names = columns.first?.map(\.0) else { return [] }
        return names.indices.compactMap { row in
            let values = columns.map { $0[row].1 }
            return values.allSatisfy { $0 == nil } ? nil : (names[row], values.map { $0 ?? "-" })
        }
    }

    /// A record's fields by name, those it has only, with its id.
    static func fields(of record: PersonRecord) -> [String: String] {
        var fields = ["recordId": record.recordId]
        for (field, values) in sideBySide([record]) { fields[field] = values[0] }
        return fields
    }

    struct ReviewDocument: Encodable {
        struct Pair: Encodable {
            var a: [String: String]
            var b: [String: String]
            var aPersonId: String
            var bPersonId: String
            var score: Double
            var reasons: [IdentityEvent.Reason]
            /// What kept the model from linking it (`PendingReview.heldBecause`).
            var heldBecause: [String]
            /// The hold's cause as the index stored it (`ReviewHold.Cause`, as on
            /// `bus.identity.review-requested`), and the other records it names; absent for a
            /// pair held before holds were stored.
            var holdCause: String?
            var heldBy: [String]?
            /// The fields of the records the hold names that the index still holds (personal
            /// data, like `a` and `b`).
            var heldByRecords: [[String: String]]?

            init(_ review: PendingReview, linkThreshold: Double) throws {
                a = PersonsReview.fields(of: review.a)
                b = PersonsReview.fields(of: review.b)
                aPersonId = review.aPersonId
                bPersonId = review.bPersonId
                score = review.score
                reasons = review.reasons
                heldBecause = review.heldBecause(linkThreshold: linkThreshold)
                holdCause = review.hold?.cause.rawValue
                heldBy = review.hold.flatMap { $0.records.isEmpty ? nil : $0.records }
                heldByRecords = review.heldByRecords.isEmpty ? nil : review.heldByRecords.map(PersonsReview.fields(of:))
            }
        }
        var pairs: [Pair]
    }
}

/// `persons link A B --by OPERATOR` and `persons distinct A B --by OPERATOR`.
///
/// By default the decision is published on `bus.person-decisions` for the running person index
/// to apply: only the service changes its state (it announces every change on `bus.identity`,
/// which the router and the warrant resolver follow), and a replay reads the decision again.
/// `--offline` writes it into a store of the index's own (`persons index`'s) instead, as before
/// the service existed: nothing is announced then.
struct PersonsDecision: ParsableArguments {
    @Argument(help: "The first record id.")
    var a: String

    @Argument(help: "The second record id.")
    var b: String

    @Option(help: "Who decides: the operator id (letters, digits, . _ @ -).")
    var by: String

    @Flag(help: "Write the decision into the --database store directly (persons index's offline store), not to the bus.")
    var offline = false

    @OptionGroup var store: PersonIndexDatabaseOptions

    @Option(help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (else the environment or --config; default localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Seconds to wait for the broker to answer before giving up (default 30).", valueName: "seconds"))
    var connectTimeout: Int?

    @Option(help: ArgumentHelp(
        "Seconds to wait for the running person index's verdict after publishing (default 30; 0: do not wait).", valueName: "seconds"))
    var wait: Int?

    /// How long to wait for the verdict (`--wait`, default 30 s).
    var waitSeconds: Int { wait ?? 30 }

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    static let discussion = """
        The decision is published on bus.person-decisions (checked against its contract, idempotent \
        producer; the command returns once the broker stored it). The running person index applies it \
        and announces what changed on bus.identity, which the router and the warrant resolver follow; \
        one it cannot apply (an unknown record, a link across a pair decided distinct) goes to \
        bus.dead-letters with the reason. Cluster settings as for `publish`: flag > REENTRYBUS_* \
        environment > configuration file > default. --offline writes the decision into an offline \
        store (persons index's, --database) instead and prints what it changed.

        After publishing, the command waits (--wait, default 30 s) for the index's verdict: the \
        decision applied (exit 0, naming the person record A now belongs to) or refused (exit 1, \
        with the index's reason). Without a verdict in time it says so and exits 0: the decision \
        is stored and is applied when the index runs. The verdict is read from bus.identity and \
        bus.dead-letters; a user that may not read bus.dead-letters (production reviewers) sees a \
        refusal as no verdict, and is told so.
        """

    func validate() throws {
        guard a != b else { throw ValidationError("The two record ids are the same (\(a)): a decision is about two records.") }
        for (name, id) in [("first", a), ("second", b)] where id.isEmpty || id.utf8.count > 80 {
            throw ValidationError("The \(name) record id must have 1 to 80 bytes.")
        }
        guard PersonIndexStoreError.isOperatorId(by) else {
            throw ValidationError("--by \"\(by)\" is not an operator id: 1 to 80 letters, digits, . _ @ -, starting with a letter or digit.")
        }
        if offline {
            guard bootstrap == nil, connectTimeout == nil else {
                throw ValidationError("--bootstrap and --connect-timeout are for the bus; --offline writes the --database store only.")
            }
        } else if store.database != nil {
            throw ValidationError(
                "--database names an offline store: add --offline to write the decision there, or leave it out to publish the decision for the running person index.")
        }
        if let connectTimeout, connectTimeout <= 0 {
            throw ValidationError("--connect-timeout must be a positive number of seconds.")
        }
        if let wait, wait < 0 { throw ValidationError("--wait must be 0 or a positive number of seconds.") }
        if offline, wait != nil { throw ValidationError("--wait is for the bus; --offline applies the decision at once.") }
    }

    func record(_ kind: HumanDecision.Kind) async throws {
        if offline { try await recordOffline(kind) } else { try await publish(kind) }
    }

    /// Publishes the decision on `bus.person-decisions`, once its contract accepts it; returns
    /// when the broker stored it.
    private func publish(_ kind: HumanDecision.Kind) async throws {
        let command = "reentrybus persons \(kind.rawValue)"
        let settings = try config.resolve(logging: logging) { flags in
            flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
            flags.set(.connectTimeout, connectTimeout.map(Double.init), flag: "--connect-timeout")
        }
        let logger = logging.logger("reentrybus.persons.decision", settings)
        let decision = PersonDecision(kind, a, b, by: by, at: Date())
        let topic = PersonDecision.topic
        let value = try decision.encoded()
        do {
            _ = try EventValidator(catalog: try contracts.loadCatalog())
                .validateMessage(topic: topic, key: Array(decision.a.utf8), value: value, headers: decision.headers)
        } catch {
            printError("\(command): the decision breaks its contract (\(topic)): \(error)")
            throw ExitCode.validationFailure
        }
        let cluster = OperatorCluster(
            command: command, client: settings.kafkaClient(clientID: "reentrybus-persons"), connectTimeout: settings.connectTimeout,
            logger: logger)
        try await cluster.requireTopic(topic)
        // Watching for the verdict starts before the decision is sent, so it cannot be missed.
        var verdict: PersonDecisionVerdict?
        if waitSeconds > 0 {
            do {
                verdict = try await PersonDecisionVerdict.watch(client: cluster.client, timeout: cluster.connectTimeout, logger: logger)
            } catch {
                printError("\(command): cannot read \(BusTopic.identity) for the verdict: \(error)")
                throw ExitCode.failure
            }
        }
        try await cluster.send("the decision", topic: topic, key: Array(decision.a.utf8), value: value, headers: decision.headers)
        print("published decision \(decision.id): \(kind.rawValue) \(decision.a) \(decision.b) by \(decision.decidedBy) at \(EventCodec.formatInstant(decision.at))")
        guard let verdict else {
            print("the person index applies it and announces what changed on \(BusTopic.identity); one it refuses goes to \(BusTopic.deadLetters) with the reason")
            return
        }
        switch await verdict.wait(for: decision, upTo: .seconds(waitSeconds)) {
        case .applied(let personId, let supersedes):
            let replaced = supersedes.map { " (replaces \($0))" } ?? ""
            print("applied by the person index: \(kind.rawValue)\(replaced); \(decision.a) now belongs to person \(personId)")
        case .refused(let reason):
            printError("\(command): the person index refused the decision: \(reason)")
            throw ExitCode.failure
        case .noVerdict:
            print("no verdict from the person index within \(waitSeconds) s (is `reentrybus serve person-index` running?); the decision is stored and is applied when the index reads it")
            if let unseen = verdict.refusalsUnseen {
                print("a refusal would not show here: \(BusTopic.deadLetters), where the index puts refused decisions with the reason, cannot be read (\(unseen)); see `reentrybus persons review` or the index's log")
            }
        }
    }

    private func recordOffline(_ kind: HumanDecision.Kind) async throws {
        let (a, b, by) = (self.a, self.b, self.by)
        let now = Date()
        let events = try await Self.refusing {
            try await store.withStore { store, transaction in try store.decide(kind, a, b, by: by, at: now, transaction) }
        }
        let described = events.map { event -> String in
            switch event.kind {
            case .decided: "decided \(event.decision ?? "")\(event.supersedes.map { " (replaces \($0))" } ?? "")"
            case .linked: "linked \(event.recordId ?? "") to person \(event.personId)"
            case .merged: "merged person \(event.mergedPersonId ?? "") into \(event.personId)"
            case .split: "split person \(event.personId) into \((event.persons ?? []).map(\.personId).joined(separator: ", "))"
            case .unlinked: "\(event.recordId ?? "") left person \(event.personId) for \(event.newPersonId ?? "")"
            case .reviewRequested: "review requested"
            }
        }
        print(described.joined(separator: "\n"))
    }

    /// Runs `body`, turning the index's refusals into `Error: …` lines without the usage text.
    static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PersonIndexStoreError {
            throw PersonsInputError(text: "\(error.description); nothing was changed")
        }
    }
}

struct PersonsLink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Decide that two records are the same person (a human decision: it wins over the model).",
        discussion: PersonsDecision.discussion)

    @OptionGroup var decision: PersonsDecision

    func run() async throws { try await decision.record(.link) }
}

struct PersonsDistinct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distinct",
        abstract: "Decide that two records are different people; splits their person when only the model joined them.",
        discussion: PersonsDecision.discussion)

    @OptionGroup var decision: PersonsDecision

    func run() async throws { try await decision.record(.distinct) }
}

/// `persons stats`: counts about the index, for its operators.
struct PersonsStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print counts about the person index: records, persons, links by what made them, pairs waiting for review.",
        discussion: """
            No personal data. The persons the index holds estimate, from above, how many people its records \
            describe (a person whose records are not linked yet counts more than once); the different state IDs \
            or FBI numbers it holds count them from below. The service's persons.population (--population, else \
            REENTRYBUS_PERSONS_POPULATION, else the configuration file, else 100,000, as `serve` reads it) is \
            checked against that floor: below it, the model's prior is too generous and the index links more \
            than it should (a warning on standard error; the counts are printed all the same).
            """)

    @OptionGroup var store: PersonIndexDatabaseOptions

    @Flag(help: "Print the counts as JSON instead of text.")
    var json = false

    @Option(help: ArgumentHelp(
        "The persons.population to check against the people the index knows apart (default: the service's setting).", valueName: "people"))
    var population: Int?

    @OptionGroup var config: ConfigurationOptions

    func validate() throws {
        if let population, !(100...1_000_000_000).contains(population) {
            throw ValidationError("--population must be a whole number of people from 100 to 1,000,000,000.")
        }
    }

    func run() async throws {
        // The one setting this command reads; it logs nothing, so no logging options of its own.
        let population = try self.population ?? config.resolve(logging: LoggingOptions.parse([]), keys: [.personsPopulation]).personsPopulation
        let statistics = try await store.withStore { store, transaction in try store.statistics(transaction) }
        if let warning = PersonIndexStore.populationWarning(population: population, peopleAtLeast: statistics.peopleAtLeast) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
            return
        }
        let links = ["strong_identifier", "model", "human"].map { "\(statistics.links[$0] ?? 0) \($0.replacingOccurrences(of: "_", with: " "))" }
        let held = statistics.pendingReviewsByHold.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
        print("""
            records                      \(statistics.records)
            persons                      \(statistics.persons)
            persons with several records \(statistics.personsWithSeveralRecords)
            links                        \(links.joined(separator: ", "))
            pairs waiting for review     \(statistics.pendingReviews)\(held.isEmpty ? "" : " (held: \(held))")
            human decisions              \(statistics.humanDecisions)
            people at least              \(statistics.peopleAtLeast) (different state IDs or FBI numbers)
            model                        \(Self.model(statistics))
            name frequencies             \(Self.nameFrequencies(statistics))
            """)
    }

    /// What exact name agreements are weighed by.
    static func nameFrequencies(_ statistics: PersonIndexStore.Statistics) -> String {
        statistics.namesCountedFrom > 0
            ? "counted in \(statistics.namesCountedFrom) records at the last learning"
            : "none yet (counted at each learning, names and addresses; until then they weigh the model's u)"
    }

    /// Which m and u the index decides with, and the last model it set aside.
    static func model(_ statistics: PersonIndexStore.Statistics) -> String {
        var text = if let at = statistics.modelLearntAtRecord, let from = statistics.modelLearntFrom {
            "learnt at record \(at) from the latest \(from) records"
        } else {
            "built-in (the index learns its own from \(PersonIndexStore.ModelLearning().firstAfter) records)"
        }
        if let at = statistics.modelSetAsideAtRecord, let because = statistics.modelSetAsideBecause {
            text += "; one learnt at record \(at) set aside: \(because)"
        }
        return text
    }
}
