import Benchmarks
import LocalPostgres
import PersonIndex
import Synchronization
import Testing

/// `bench persons` on a tiny population: the figures it prints, not their values' speed.
@Suite struct PersonsBenchmarkTests {
    @Test func printsPrecisionRecallReviewShareAndTime() async throws {
        let lines = Mutex<[String]>([])
        await PersonsBenchmark(recordsPerSource: 200, seed: 3).run { line in lines.withLock { $0.append(line) } }
        let figures = lines.withLock { $0 }
        #expect(figures.map { $0.split(separator: " ")[0] } == [
            "persons.200x200.precision", "persons.200x200.recall", "persons.200x200.recall_decided", "persons.200x200.review_share",
            "persons.200x200.true_pairs", "persons.200x200.linked_pairs", "persons.200x200.false_links",
            "persons.200x200.candidate_pairs", "persons.200x200.time", "persons.200x200.f1",
        ])
        let value = { (index: Int) in try #require(Double(figures[index].split(separator: " ")[1])) }
        let precision = try value(0), linked = try value(5), wrong = try value(6)
        #expect(precision > 0.9 && precision <= 1)
        // The counts are what the rounded precision comes from.
        #expect(linked > 0 && abs(precision - (linked - wrong) / linked) < 0.0005, "\(precision) vs \(wrong) of \(linked)")
    }

    /// The thresholds given are the ones the run decides by: with review at the link threshold
    /// nothing waits for review, with a higher link threshold no more pairs are linked.
    @Test func decidesByTheThresholdsGiven() async throws {
        func figures(link: Double, review: Double) async -> [String: Double] {
            var configuration = ResolverConfiguration()
            configuration.linkThreshold = link
            configuration.reviewThreshold = review
            return await Self.figures(PersonsBenchmark(recordsPerSource: 200, seed: 3, configuration: configuration))
        }
        let standard = await figures(link: 0.99, review: 0.5), strict = await figures(link: 0.999_999, review: 0.999_999)
        #expect(try #require(standard["persons.200x200.review_share"]) > 0)
        #expect(strict["persons.200x200.review_share"] == 0)
        #expect(try #require(strict["persons.200x200.linked_pairs"]) <= (try #require(standard["persons.200x200.linked_pairs"])))
    }

    /// `--store` adds the store's figures, from the same records added one at a time: its
    /// counts agree with its precision as the batch's do, and it is told the generated
    /// population (fewer people than records, more than half as many).
    @Test func measuresTheStoreOnTheSameRecords() async throws {
        let figures = await Self.figures(PersonsBenchmark(recordsPerSource: 200, seed: 3, store: true))
        let names = ["population", "precision", "recall", "recall_decided", "review_share", "linked_pairs", "false_links", "time"].map { "persons.200x200.store.\($0)" }
        #expect(names.allSatisfy { figures[$0] != nil }, "\(figures.keys.sorted())")
        let precision = try #require(figures["persons.200x200.store.precision"])
        let linked = try #require(figures["persons.200x200.store.linked_pairs"]), wrong = try #require(figures["persons.200x200.store.false_links"])
        #expect(linked > 0 && abs(precision - (linked - wrong) / linked) < 0.0005, "\(precision) vs \(wrong) of \(linked)")
        #expect(try #require(figures["persons.200x200.store.recall"]) > 0.5)
        let population = try #require(figures["persons.200x200.store.population"])
        #expect(population > 200 && population < 400, "\(population)")
    }

    /// `--store-database postgres` adds the same records to a store on a private PostgreSQL
    /// cluster: the same decisions as on SQLite, figure for figure (the time aside).
    @Test(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)))
    func theStoreDecidesAlikeOnPostgreSQL() async throws {
        var onPostgres = PersonsBenchmark(recordsPerSource: 150, seed: 3, store: true, storeOnePerCall: true)
        onPostgres.storeDatabase = .postgres
        let postgres = await Self.figures(onPostgres)
        let sqlite = await Self.figures(PersonsBenchmark(recordsPerSource: 150, seed: 3, store: true, storeOnePerCall: true))
        let decisions = ["population", "precision", "recall", "recall_decided", "review_share", "linked_pairs", "false_links", "learnt_at"]
            .map { "persons.150x150.store.\($0)" }
        #expect(decisions.allSatisfy { sqlite[$0] != nil }, "\(sqlite.keys.sorted())")
        for name in decisions { #expect(postgres[name] == sqlite[name], "\(name)") }
        #expect(try #require(postgres["persons.150x150.store.time"]) > 0)
    }

    /// `--explain` adds one figure per reason a true pair was missed, which add up to the true
    /// pairs the recall says were missed.
    @Test func explainingAccountsForEveryMissedPair() async throws {
        let figures = await Self.figures(PersonsBenchmark(recordsPerSource: 200, seed: 3, explain: true))
        let reasons = ["not_compared", "below_review", "review", "held_back"].map { "persons.200x200.missed.\($0)" }
        #expect(reasons.allSatisfy { figures[$0] != nil }, "\(figures.keys.sorted())")
        let missed = reasons.compactMap { figures[$0] }.reduce(0, +)
        let truePairs = try #require(figures["persons.200x200.true_pairs"]), recall = try #require(figures["persons.200x200.recall"])
        #expect(abs(missed - truePairs * (1 - recall)) < 1, "missed \(missed), true pairs \(truePairs), recall \(recall)")
    }

    /// The figures a run prints, by name.
    private static func figures(_ benchmark: PersonsBenchmark) async -> [String: Double] {
        let lines = Mutex<[String]>([])
        await benchmark.run { line in lines.withLock { $0.append(line) } }
        var figures: [String: Double] = [:]
        for line in lines.withLock({ $0 }) {
            let parts = line.split(separator: " ")
            figures[String(parts[0])] = Double(parts[1])
        }
        return figures
    }
}
