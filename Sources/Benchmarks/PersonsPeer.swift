import Foundation
import LocalPostgres
import PersonIndex

/// The yardstick of `bench persons`: Splink (PyPI, DuckDB backend) run by
/// `scripts/persons-peer.py` on the same generated records, with a model built to be
/// comparable to ours (the script's header lists what it compares and how it blocks and
/// trains), predictions at our review threshold and persons as the clusters at our link
/// threshold. Its output comes back as the cluster of each record and the pairs it would send
/// to review, so the benchmark scores both sides with the same ``LinkEvaluation``.
///
/// On first use it makes a virtual environment with pinned versions (``packages``); later runs
/// reuse it.
public struct PersonsPeer: Sendable {
    /// The pinned packages: Splink and the versions of its dependencies it was measured with
    /// (DuckDB, SQLGlot, PyArrow), and jellyfish for the NYSIIS blocking keys.
    public static let packages = ["splink==5.0.0", "duckdb==2.0.1", "sqlglot==30.31.0", "pyarrow==26.0.1", "jellyfish==1.3.0"]

    /// `scripts/persons-peer.py`.
    public var script: URL
    /// Where the virtual environment lives (made on first use).
    public var environment: URL
    /// The Python that makes the environment. Default: `python3` on `PATH`.
    public var python: String

    public init(script: URL, environment: URL, python: String = "python3") {
        self.script = script
        self.environment = environment
        self.python = python
    }

    /// What Splink decided about the records, and the time it took.
    public struct Result: Sendable, Equatable {
        /// A pair Splink scored at or above the review threshold but below the link threshold,
        /// as the positions of its records in the input.
        public struct ReviewPair: Sendable, Equatable {
            public var a: Int
            public var b: Int
            public var probability: Double
        }

        /// Splink's version, as the script reports it.
        public var version: String
        /// The timed part of the script: cleaning, training, prediction, clustering, results
        /// back in Python (not Python's start, its imports, or reading the file).
        public var seconds: Double
        /// The cluster of each record, in the order of the input.
        public var personIds: [String]
        public var reviewPairs: [ReviewPair]

        /// The review pairs as the resolver would report them, for ``LinkEvaluation``.
        public func resolvedReviewPairs(_ records: [PersonRecord]) -> [ResolvedPair] {
            reviewPairs.map {
                ResolvedPair(a: records[$0.a].recordId, b: records[$0.b].recordId, score: $0.probability, decision: .review, byIdentifier: false)
            }
        }
    }

    /// Runs Splink on `records`; throws ``BenchmarkFailure`` saying why when it cannot run.
    /// Also returns the child's whole wall time (Python's start, imports and reading included).
    func resolve(
        _ records: [PersonRecord], linkThreshold: Double, reviewThreshold: Double, progress: (String) -> Void
    ) async throws -> (result: Result, processSeconds: Double) {
        let interpreter = try await PeerEnvironment(directory: environment, packages: Self.packages, python: python)
            .prepare(progress: progress)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("persons-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("records.ndjson")
        try Self.writeRecords(records, to: file)
        let clock = ContinuousClock()
        let start = clock.now
        let run = try await ChildProcess.run(interpreter, [
            script.path, "--records", file.path,
            "--link-threshold", String(linkThreshold), "--review-threshold", String(reviewThreshold),
        ])
        let elapsed = start.duration(to: clock.now)
        guard run.termination == .init(status: 0, bySignal: false) else {
            throw BenchmarkFailure(description: "the peer failed (\(run.termination)): \(run.errors.suffix(2_000))")
        }
        let result = try Self.parse(run.output, recordCount: records.count)
        // The script's own summary (time per stage, the prior it estimated) is progress.
        for line in run.errors.split(separator: "\n") where line.hasPrefix("persons-peer:") { progress(String(line)) }
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// The records as NDJSON, one a line in the form `persons resolve` reads, in their order
    /// (the script names records by their line).
    static func writeRecords(_ records: [PersonRecord], to file: URL) throws {
        var text = ""
        text.reserveCapacity(records.count * 300)
        for record in records {
            text += try record.jsonLine()
            text += "\n"
        }
        try Data(text.utf8).write(to: file)
    }

    /// Reads the script's output (see `scripts/persons-peer.py`): its version, its time, a
    /// cluster for every record and the review pairs. Throws when a line is malformed, a record
    /// position is out of range, a record has no cluster or two, or the version or time is
    /// missing: a partial answer would be scored as if the missing records stood alone.
    static func parse(_ output: String, recordCount: Int) throws -> Result {
        var version: String?
        var seconds: Double?
        var personIds = [String?](repeating: nil, count: recordCount)
        var reviewPairs: [Result.ReviewPair] = []
        func position(_ field: Substring) -> Int? {
            guard let index = Int(field), (0..<recordCount).contains(index) else { return nil }
            return index
        }
        func unexpected(_ line: Substring) -> BenchmarkFailure {
            BenchmarkFailure(description: "the peer printed an unexpected line: \(line.prefix(200))")
        }
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            switch (fields.first, fields.count) {
            case ("splink", 2):
                version = String(fields[1])
            case ("seconds", 2):
                guard let value = Double(fields[1]), value >= 0 else { throw unexpected(line) }
                seconds = value
            case ("person", 3):
                guard let index = position(fields[1]), personIds[index] == nil else { throw unexpected(line) }
                personIds[index] = String(fields[2])
            case ("review", 4):
                guard let a = position(fields[1]), let b = position(fields[2]), a != b,
                    let probability = Double(fields[3]), (0...1).contains(probability)
                else { throw unexpected(line) }
                reviewPairs.append(.init(a: a, b: b, probability: probability))
            default:
                throw unexpected(line)
            }
        }
        guard let version, let seconds else {
            throw BenchmarkFailure(description: "the peer printed no version or no time")
        }
        let assigned = personIds.compactMap { $0 }
        guard assigned.count == recordCount else {
            throw BenchmarkFailure(description: "the peer placed \(assigned.count) of \(recordCount) records in a cluster")
        }
        return Result(version: version, seconds: seconds, personIds: assigned, reviewPairs: reviewPairs)
    }
}
