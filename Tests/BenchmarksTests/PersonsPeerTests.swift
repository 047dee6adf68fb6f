import Foundation
import PersonIndex
import Synchronization
import SyntheticPersons
import Testing

@testable import Benchmarks

/// The parts of the Splink comparison that need neither Python nor PyPI: the records file the
/// script reads, the reading of what it prints, and what the benchmark prints when it cannot run.
@Suite struct PersonsPeerTests {
    @Test func recordsFileReadsBackAsTheSameRecordsInTheSameOrder() throws {
        let records = SyntheticPopulation(seed: 5).generate(sources: 2, recordsPerSource: 40).records
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("persons-peer-test-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try PersonsPeer.writeRecords(records, to: file)
        let read = try PersonRecordReader.read(Data(contentsOf: file))
        #expect(read == records)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.split(separator: "\n").count == records.count)
    }

    @Test func readsVersionTimeClustersAndReviewPairs() throws {
        let output = """
            splink 5.0.0
            seconds 1.250000
            person 2 agency_2-__-2
            person 0 agency_1-__-0
            person 1 agency_1-__-0
            review 0 2 0.731000

            """
        let result = try PersonsPeer.parse(output, recordCount: 3)
        #expect(result.version == "5.0.0")
        #expect(result.seconds == 1.25)
        #expect(result.personIds == ["agency_1-__-0", "agency_1-__-0", "agency_2-__-2"])
        #expect(result.reviewPairs == [.init(a: 0, b: 2, probability: 0.731)])

        let records = (0..<3).map { PersonRecord(recordId: "r\($0)", source: "s") }
        #expect(result.resolvedReviewPairs(records) == [
            ResolvedPair(a: "r0", b: "r2", score: 0.731, decision: .review, byIdentifier: false)
        ])
    }

    @Test(arguments: [
        ("a record without a cluster", "splink 5\nseconds 1\nperson 0 x\n"),
        ("a record in two clusters", "splink 5\nseconds 1\nperson 0 x\nperson 0 y\nperson 1 x\n"),
        ("a record position out of range", "splink 5\nseconds 1\nperson 0 x\nperson 1 x\nperson 2 x\n"),
        ("a review pair out of range", "splink 5\nseconds 1\nperson 0 x\nperson 1 y\nreview 0 7 0.6\n"),
        ("a probability above 1", "splink 5\nseconds 1\nperson 0 x\nperson 1 y\nreview 0 1 1.5\n"),
        ("no time", "splink 5\nperson 0 x\nperson 1 y\n"),
        ("a stray line", "splink 5\nseconds 1\nperson 0 x\nperson 1 y\nWARNING something\n"),
    ])
    func refusesAnIncompleteOrMalformedAnswer(_ answer: (problem: String, output: String)) {
        #expect(throws: BenchmarkFailure.self, "\(answer.problem)") { try PersonsPeer.parse(answer.output, recordCount: 2) }
    }

    /// The peer's environment cannot be made (no such Python): our figures are printed all the
    /// same, and the ratio lines say why theirs are missing. Needs no network: the failure is
    /// before pip.
    @Test func withoutPythonOurFiguresStayAndTheRatiosSayWhy() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persons-peer-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let peer = PersonsPeer(
            script: URL(fileURLWithPath: "/nonexistent/persons-peer.py"), environment: directory,
            python: "reentrybus-no-such-python")
        let lines = Mutex<[String]>([])
        await PersonsBenchmark(recordsPerSource: 100, seed: 3, peer: peer).run { line in lines.withLock { $0.append(line) } }
        let figures = lines.withLock { $0 }
        #expect(figures.prefix(10).map { $0.split(separator: " ")[0] } == [
            "persons.100x100.precision", "persons.100x100.recall", "persons.100x100.recall_decided", "persons.100x100.review_share",
            "persons.100x100.true_pairs", "persons.100x100.linked_pairs", "persons.100x100.false_links",
            "persons.100x100.candidate_pairs", "persons.100x100.time", "persons.100x100.f1",
        ])
        #expect(figures.dropFirst(10) == [
            "ratio persons.f1 missing: reentrybus-no-such-python is not on PATH (the peer needs Python 3 with venv)",
            "ratio persons.time missing: reentrybus-no-such-python is not on PATH (the peer needs Python 3 with venv)",
        ])
    }
}
