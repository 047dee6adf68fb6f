import Foundation
import LocalPostgres
import Logging
import PersonIndex
import PersonIndexStore
import Storage
import SyntheticPersons

extension PersonsBenchmark {
    /// The same records through the person index's store, one at a time in the order the
    /// sources list them, as the running service adds them: m and u learnt from the records
    /// as they accumulate (`storeLearning`, the service's default; the built-in ones before
    /// the first learning) instead of the batch's estimate, with the prior of the people the
    /// records describe (what a deployment serving them sets as `persons.population`), rules
    /// judged as each record arrives, exact name agreements weighed by how common the name is
    /// among the records added so far (`storeNameFrequencies`, the service's default). Figures `<name>.store.population`, `.precision`,
    /// `.recall`, `.recall_decided`, `.review_share`, `.linked_pairs`, `.false_links`, `.time`
    /// (adding the records to an in-memory SQLite database or, with `storeDatabase`, a fresh
    /// PostgreSQL one; learning included) and
    /// `.learnt_at` (the records added when the store last learnt a model it decides with; 0:
    /// never) and `.set_aside_at` (when it last set an implausible one aside; 0: never).
    func measureStore(name: String, _ data: SyntheticPopulation.Labelled, _ printer: FigurePrinter) async {
        printer.progress("\(name): the same records through the store, one at a time")
        let population = data.personCount
        let model = IncrementalMatcher.builtInModel(population: population)
        var storeConfiguration = configuration
        storeConfiguration.termFrequencyAdjustment = storeNameFrequencies
        let store = PersonIndexStore(matcher: IncrementalMatcher(configuration: storeConfiguration, model: model), learning: storeLearning)
        do {
            switch storeDatabase {
            case .sqlite:
                try await measureStore(name: name, data, store, population: population, on: try SQLiteStorage.inMemory(), printer)
            case .postgres:
                guard PostgresBinaries.isInstalled else {
                    printer.progress("\(name): the store on PostgreSQL was SKIPPED: \(PostgresBinaries.notFoundReason)")
                    return
                }
                printer.progress("\(name): starting a private PostgreSQL cluster for the store")
                try await PostgresCluster.with { cluster in
                    var logger = Logger(label: "bench-persons")
                    logger.logLevel = .warning
                    let url = cluster.url(database: try await cluster.createDatabase("bench_persons"))
                    let database = PostgresStorage(configuration: try .init(url: url), logger: logger)
                    do {
                        try await measureStore(name: name, data, store, population: population, on: database, printer)
                        try await database.close()
                    } catch {
                        try? await database.close()
                        throw error
                    }
                }
            }
        } catch {
            printer.progress("\(name): the store failed: \(error)")
        }
    }

    private func measureStore(
        name: String, _ data: SyntheticPopulation.Labelled, _ store: PersonIndexStore, population: Int, on database: any StorageDatabase,
        _ printer: FigurePrinter
    ) async throws {
        let clock = ContinuousClock()
        let records = data.records
        let (persons, reviews, elapsed, learnt) = try await database.write { transaction in
            try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
            // Timed: adding the records, not reading the outcome back.
            let start = clock.now
            let at = Date(timeIntervalSince1970: 1_750_000_000)
            if storeOnePerCall {
                for record in records { _ = try store.add([record], at: at, transaction) }
            } else {
                _ = try store.add(records, at: at, transaction)
            }
            let elapsed = start.duration(to: clock.now)
            let persons = try records.map { try store.personId(of: $0.recordId, transaction) ?? $0.recordId }
            let pending = try store.pendingReviews(limit: .max, transaction)
            let reviews = pending.map {
                ResolvedPair(a: $0.a.recordId, b: $0.b.recordId, score: $0.score, decision: .review, byIdentifier: false)
            }
            if explain { try explainStoreLinks(name: name, data, pending, transaction, printer) }
            return (persons, reviews, elapsed, try store.learningState(transaction))
        }
        let evaluation = LinkEvaluation(data, personIds: persons, pairs: reviews)
        printer.figure("\(name).store.population", Double(population), "persons")
        printer.figure("\(name).store.precision", evaluation.precision, "ratio")
        printer.figure("\(name).store.recall", evaluation.recall, "ratio")
        printer.figure("\(name).store.recall_decided", evaluation.recallOnDecided, "ratio")
        printer.figure("\(name).store.review_share", evaluation.reviewShare, "ratio")
        printer.figure("\(name).store.linked_pairs", Double(evaluation.linkedPairs), "pairs")
        printer.figure("\(name).store.false_links", Double(evaluation.linkedPairs - evaluation.correctLinkedPairs), "pairs")
        printer.figure("\(name).store.time", elapsed.seconds, "s")
        printer.figure("\(name).store.learnt_at", Double(learnt?.atRecord ?? 0), "records")
        printer.figure("\(name).store.set_aside_at", Double(learnt?.setAsideAtRecord ?? 0), "records")
    }

    /// With `--explain`: the store's links that joined records of two different persons, with
    /// what decided each, its comparison vector and the generator's names (not real ones).
    private func explainStoreLinks(
        name: String, _ data: SyntheticPopulation.Labelled, _ pending: [PendingReview], _ transaction: any StorageTransaction,
        _ printer: FigurePrinter
    ) throws {
        let indexOf = Dictionary(uniqueKeysWithValues: data.records.enumerated().map { ($1.recordId, $0) })
        let rows = try transaction.fetchAll("SELECT a, b, decided_by, score FROM person_index_links ORDER BY a, b", [])
        var lines: [String] = []
        for row in rows {
            guard let a = indexOf[try row.get("a", as: String.self)], let b = indexOf[try row.get("b", as: String.self)],
                data.personOfRecord[a] != data.personOfRecord[b]
            else { continue }
            lines.append(Self.describeLink(
                data.records[a], data.records[b], decidedBy: try row.get("decided_by", as: String.self), score: try row.get("score", as: Double.self)))
        }
        printer.progress("\(name): the store's links joining two different persons: \(lines.count)")
        for line in lines { printer.progress(line) }
        // Where the review share comes from: the true pairs waiting, by why the store held them.
        var held: [String: Int] = [:]
        for review in pending {
            guard let a = indexOf[review.a.recordId], let b = indexOf[review.b.recordId], data.personOfRecord[a] == data.personOfRecord[b]
            else { continue }
            held[review.hold?.cause.rawValue ?? "not_recorded", default: 0] += 1
        }
        let causes = held.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        printer.progress("\(name): true pairs the store holds for review, by why: \(causes)")
    }
}
