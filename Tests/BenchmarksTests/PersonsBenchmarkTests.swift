import Benchmarks
import Synchronization
import Testing

/// `bench persons` on a tiny population: the figures it prints, not their values' speed.
@Suite struct PersonsBenchmarkTests {
    @Test func printsPrecisionRecallReviewShareAndTime() async throws {
        let lines = Mutex<[String]>([])
        await PersonsBenchmark(recordsPerSource: 200, seed: 3).run { line in lines.withLock { $0.append(line) } }
        let figures = lines.withLock { $0 }
        #expect(figures.map { $0.split(separator: " ")[0] } == [
            "persons.200x200.precision", "persons.200x200.recall", "persons.200x200.review_share",
            "persons.200x200.true_pairs", "persons.200x200.candidate_pairs", "persons.200x200.time", "persons.200x200.f1",
        ])
        let precision = try #require(figures.first.flatMap { Double($0.split(separator: " ")[1]) })
        #expect(precision > 0.9 && precision <= 1)
    }
}
