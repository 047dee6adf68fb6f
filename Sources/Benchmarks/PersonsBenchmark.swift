import Foundation
import PersonIndex
import SyntheticPersons

/// The person index's matcher on generated records with known truth: precision and recall of
/// the links (as the persons they build), the share of true pairs left to review, and the
/// time to resolve (generation excluded), for two sources of N records and, optionally,
/// 100,000 records from four sources. Splink (the reference the issue compares with) is not in
/// this first slice.
public struct PersonsBenchmark: Sendable {
    /// Records per source in the two-source run. Default: 5,000.
    public var recordsPerSource: Int
    /// Seed of the generated population. Default: 1.
    public var seed: UInt64
    /// Also run 100,000 records (four sources of 25,000).
    public var large: Bool

    public init(recordsPerSource: Int = 5_000, seed: UInt64 = 1, large: Bool = false) {
        self.recordsPerSource = recordsPerSource
        self.seed = seed
        self.large = large
    }

    /// Figures to standard output, progress to standard error.
    public func run() {
        run(printer: FigurePrinter())
    }

    /// Figure lines (`<name> <value> <unit>`) to `figures` instead (for tests).
    public func run(figures: @escaping @Sendable (String) -> Void) {
        run(printer: FigurePrinter(figures: figures))
    }

    func run(printer: FigurePrinter) {
        measure(name: "persons.\(recordsPerSource)x\(recordsPerSource)", sources: 2, recordsPerSource: recordsPerSource, printer)
        if large { measure(name: "persons.100000", sources: 4, recordsPerSource: 25_000, printer) }
    }

    private func measure(name: String, sources: Int, recordsPerSource: Int, _ printer: FigurePrinter) {
        printer.progress("\(name): generating \(sources) × \(recordsPerSource) records (seed \(seed))")
        let data = SyntheticPopulation(seed: seed).generate(sources: sources, recordsPerSource: recordsPerSource)
        printer.progress("\(name): resolving")
        let clock = ContinuousClock()
        let start = clock.now
        let resolution = PersonResolver().resolve(data.records) { progress in
            if case .blocked(_, let pairs) = progress { printer.progress("\(name): \(pairs) candidate pairs") }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let evaluation = LinkEvaluation(data, resolution)
        printer.figure("\(name).precision", evaluation.precision, "ratio")
        printer.figure("\(name).recall", evaluation.recall, "ratio")
        printer.figure("\(name).review_share", evaluation.reviewShare, "ratio")
        printer.figure("\(name).true_pairs", Double(evaluation.truePairs), "pairs")
        printer.figure("\(name).candidate_pairs", Double(resolution.statistics.candidatePairs), "pairs")
        printer.figure("\(name).time", seconds, "s")
    }
}
