import Foundation
import PersonIndex
import PersonIndexStore
import Storage
import SyntheticPersons

extension PersonsBenchmark {
    /// The same records through the person index's store, one at a time in the order the
    /// sources list them, as the running service adds them: the built-in model instead of one
    /// estimated on the batch, with the prior of the people the records describe (what a
    /// deployment serving them sets as `persons.population`), rules judged as each record
    /// arrives. Figures `<name>.store.population`, `.precision`, `.recall`, `.recall_decided`,
    /// `.review_share`, `.linked_pairs`, `.false_links`, `.time` (adding the records to an
    /// in-memory SQLite database).
    func measureStore(name: String, _ data: SyntheticPopulation.Labelled, _ printer: FigurePrinter) async {
        printer.progress("\(name): the same records through the store, one at a time")
        let population = data.personCount
        let model = IncrementalMatcher.builtInModel(population: population)
        let store = PersonIndexStore(matcher: IncrementalMatcher(configuration: configuration, model: model))
        let clock = ContinuousClock()
        do {
            let database = try SQLiteStorage.inMemory()
            let records = data.records
            let (persons, reviews, elapsed) = try await database.write { transaction in
                try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
                // Timed: adding the records, not reading the outcome back.
                let start = clock.now
                _ = try store.add(records, at: Date(timeIntervalSince1970: 1_750_000_000), transaction)
                let elapsed = start.duration(to: clock.now)
                let persons = try records.map { try store.personId(of: $0.recordId, transaction) ?? $0.recordId }
                let reviews = try store.pendingReviews(limit: .max, transaction).map {
                    ResolvedPair(a: $0.a.recordId, b: $0.b.recordId, score: $0.score, decision: .review, byIdentifier: false)
                }
                return (persons, reviews, elapsed)
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
        } catch {
            printer.progress("\(name): the store failed: \(error)")
        }
    }
}
