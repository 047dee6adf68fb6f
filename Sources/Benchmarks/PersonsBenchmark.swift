import Foundation
import PersonIndex
import PersonIndexStore
import SyntheticPersons

/// The person index's matcher on generated records with known truth: precision and recall of
/// the links (as the persons they build), the share of true pairs left to review, and the
/// time to resolve (generation excluded), for two sources of N records and, optionally,
/// 100,000 records from four sources.
///
/// Beside each, in the same run, the peer (``PersonsPeer``: Splink with DuckDB, from PyPI) links
/// the same records with a comparable model; both are scored by the same ``LinkEvaluation`` and
/// printed as `ratio persons.f1` = our F1 ÷ Splink's and `ratio persons.time` = Splink's time ÷
/// ours (`persons.100000.f1` and `persons.100000.time` for the large run). When the peer cannot
/// run, our figures are printed all the same and each ratio line says why it is missing.
public struct PersonsBenchmark: Sendable {
    /// Records per source in the two-source run. Default: 5,000.
    public var recordsPerSource: Int
    /// Seed of the generated population. Default: 1.
    public var seed: UInt64
    /// Also run 100,000 records (four sources of 25,000).
    public var large: Bool
    /// Splink; `nil` measures our side only.
    public var peer: PersonsPeer?
    /// Also say why the true pairs left apart were missed (``MissedPairs``): a figure per
    /// reason, and the commonest comparison vectors among them on standard error.
    public var explain: Bool
    /// How our side decides (thresholds and rules); the peer is given the same thresholds.
    public var configuration: ResolverConfiguration
    /// How the generator spoils and shapes the records (its defaults unless a run asks for
    /// more, such as addresses many unrelated persons share).
    public var noise = SyntheticPopulation.Noise()
    /// Also add the records to the person index's store one at a time (the service's path).
    public var store: Bool
    /// When the store learns its m and u (the service's default; `.off` keeps the built-in ones).
    public var storeLearning: PersonIndexStore.ModelLearning
    /// Whether the store weighs an exact name agreement by how common the name is among its
    /// records (the service's default; false: by the model's u alone, for comparison).
    public var storeNameFrequencies: Bool
    /// Whether the store is given each record in a call of its own, as the service gives it
    /// each event's records (false: all in one call, sharing one call's caches).
    public var storeOnePerCall: Bool
    /// Where the store keeps its records: an in-memory SQLite database, or a fresh database of
    /// a private PostgreSQL 15 cluster the benchmark starts (skipped, saying why, without one).
    public var storeDatabase = StoreDatabase.sqlite

    public enum StoreDatabase: String, Sendable, CaseIterable {
        case sqlite, postgres
    }

    public init(
        recordsPerSource: Int = 5_000, seed: UInt64 = 1, large: Bool = false, peer: PersonsPeer? = nil, explain: Bool = false,
        configuration: ResolverConfiguration = ResolverConfiguration(), store: Bool = false,
        storeLearning: PersonIndexStore.ModelLearning = PersonIndexStore.ModelLearning(), storeNameFrequencies: Bool = true,
        storeOnePerCall: Bool = false
    ) {
        self.storeOnePerCall = storeOnePerCall
        self.storeNameFrequencies = storeNameFrequencies
        self.configuration = configuration
        self.store = store
        self.storeLearning = storeLearning
        self.recordsPerSource = recordsPerSource
        self.seed = seed
        self.large = large
        self.peer = peer
        self.explain = explain
    }

    /// Figures to standard output, progress to standard error.
    public func run() async {
        await run(printer: FigurePrinter())
    }

    /// Figure lines (`<name> <value> <unit>`) to `figures` instead (for tests).
    public func run(figures: @escaping @Sendable (String) -> Void) async {
        await run(printer: FigurePrinter(figures: figures))
    }

    func run(printer: FigurePrinter) async {
        await measure(
            name: "persons.\(recordsPerSource)x\(recordsPerSource)", ratioName: "persons", sources: 2,
            recordsPerSource: recordsPerSource, printer)
        if large { await measure(name: "persons.100000", ratioName: "persons.100000", sources: 4, recordsPerSource: 25_000, printer) }
    }

    private func measure(name: String, ratioName: String, sources: Int, recordsPerSource: Int, _ printer: FigurePrinter) async {
        printer.progress("\(name): generating \(sources) × \(recordsPerSource) records (seed \(seed))")
        let data = SyntheticPopulation(seed: seed, noise: noise).generate(sources: sources, recordsPerSource: recordsPerSource)
        printer.progress("\(name): resolving")
        let resolver = PersonResolver(configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        let resolution = resolver.resolve(data.records) { progress in
            if case .blocked(_, let pairs) = progress { printer.progress("\(name): \(pairs) candidate pairs") }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let evaluation = LinkEvaluation(data, resolution)
        printer.figure("\(name).precision", evaluation.precision, "ratio")
        printer.figure("\(name).recall", evaluation.recall, "ratio")
        printer.figure("\(name).recall_decided", evaluation.recallOnDecided, "ratio")
        printer.figure("\(name).review_share", evaluation.reviewShare, "ratio")
        printer.figure("\(name).true_pairs", Double(evaluation.truePairs), "pairs")
        // The counts behind precision, which three decimals round (0.9987 prints as 0.999).
        printer.figure("\(name).linked_pairs", Double(evaluation.linkedPairs), "pairs")
        printer.figure("\(name).false_links", Double(evaluation.linkedPairs - evaluation.correctLinkedPairs), "pairs")
        printer.figure("\(name).candidate_pairs", Double(resolution.statistics.candidatePairs), "pairs")
        if let reason = resolution.statistics.learntMSetAside { printer.progress("\(name): the m EM learnt was set aside for the built-in m: \(reason)") }
        printer.figure("\(name).time", seconds, "s")
        printer.figure("\(name).f1", evaluation.f1, "ratio")
        if explain { explainMisses(name: name, data, resolution, resolver, printer) }
        if store { await measureStore(name: name, data, printer) }

        guard let peer else { return }
        printer.progress("\(name): Splink on the same records")
        do {
            let (splink, processSeconds) = try await peer.resolve(
                data.records, linkThreshold: resolver.configuration.linkThreshold,
                reviewThreshold: resolver.configuration.reviewThreshold, progress: printer.progress)
            printer.progress("\(name): Splink \(splink.version)")
            let theirs = LinkEvaluation(data, personIds: splink.personIds, pairs: splink.resolvedReviewPairs(data.records))
            printer.figure("peer.\(name).precision", theirs.precision, "ratio")
            printer.figure("peer.\(name).recall", theirs.recall, "ratio")
            printer.figure("peer.\(name).review_share", theirs.reviewShare, "ratio")
            printer.figure("peer.\(name).f1", theirs.f1, "ratio")
            printer.figure("peer.\(name).time", splink.seconds, "s")
            printer.figure("peer.\(name).process_time", processSeconds, "s")
            printer.ratio("\(ratioName).f1", evaluation.f1 / theirs.f1)
            printer.ratio("\(ratioName).time", splink.seconds / seconds)
        } catch {
            let reason = String(describing: error)
            printer.progress("\(name): Splink did not run: \(reason)")
            let short = String((reason.split(separator: "\n").first.map(String.init) ?? reason).prefix(300))
            printer.missingRatio("\(ratioName).f1", reason: short)
            printer.missingRatio("\(ratioName).time", reason: short)
        }
    }

    /// The missed true pairs by reason (figures), then their commonest vectors (progress lines).
    private func explainMisses(
        name: String, _ data: SyntheticPopulation.Labelled, _ resolution: PersonResolver.Resolution, _ resolver: PersonResolver,
        _ printer: FigurePrinter
    ) {
        let candidates = resolver.scoredCandidates(data.records, model: resolution.model)
        let missed = MissedPairs(data, personIds: resolution.personIds, candidates: candidates, configuration: resolver.configuration)
        for reason in MissedPairs.Reason.allCases {
            printer.figure("\(name).missed.\(reason.rawValue)", Double(missed.byReason[reason] ?? 0), "pairs")
        }
        printer.progress("\(name): commonest vectors of missed compared pairs (g f d s a n i: level, - missing):")
        for pattern in missed.patterns {
            printer.progress("  \(pattern.vector)  missed \(pattern.missed)  false candidates \(pattern.falseCandidates)  mean p \(String(format: "%.3f", pattern.meanProbability))")
        }
        printer.progress("\(name): commonest vectors of true pairs never compared:")
        for (vector, count) in missed.notComparedPatterns { printer.progress("  \(vector)  \(count)") }
        // Synthetic records only, so their names may be shown: what each wrong link joined.
        var indexOf: [String: Int] = [:]
        for (index, record) in data.records.enumerated() { indexOf[record.recordId] = index }
        let wrong = resolution.pairs.compactMap { pair -> (pair: ResolvedPair, a: Int, b: Int)? in
            guard pair.decision == .link, !pair.byOtherLinks, let a = indexOf[pair.a], let b = indexOf[pair.b],
                  data.personOfRecord[a] != data.personOfRecord[b] else { return nil }
            return (pair, a, b)
        }
        // A link counts once here; the persons it joins can add several pairs to `false_links`.
        printer.progress("\(name): links joining two different persons: \(wrong.count) (false_links counts the pairs within the persons they built)")
        for (pair, a, b) in wrong {
            printer.progress(Self.describeLink(data.records[a], data.records[b], score: pair.score))
            // Every record of both persons, so a reader can judge whether anything in them
            // told the two apart (relatives of one address named alike, namesakes born a day
            // apart) or the resolver missed what was there.
            for person in [data.personOfRecord[a], data.personOfRecord[b]] {
                for index in data.records.indices where data.personOfRecord[index] == person {
                    printer.progress("    person \(person): \(Self.describeRecord(data.records[index]))")
                }
            }
        }
    }

    /// One synthetic record on a line: id, names, date of birth, sex, street line and postal
    /// code, and the strong identifiers it carries.
    static func describeRecord(_ record: PersonRecord) -> String {
        let ids = record.identifiers
        let strong = [ids.stateId.map { "sid \($0)" }, ids.fbiNumber.map { "fbi \($0)" }, ids.ssn.map { "ssn \($0)" }].compactMap { $0 }
        return "\(record.recordId)  \(record.givenName ?? "-") \(record.familyName ?? "-")  \(record.dateOfBirth.map { "\($0)" } ?? "-")  "
            + "\(record.sex.map { "\($0)" } ?? "-")  \(record.address.map { "\($0.line1 ?? "-") \($0.postalCode ?? "-")" } ?? "-")"
            + (strong.isEmpty ? "" : "  " + strong.joined(separator: " "))
    }

    /// One wrong link for `--explain`: the pair's comparison vector, what decided it (the
    /// store's links), its score and the generator's names and dates (synthetic, not real ones).
    static func describeLink(_ x: PersonRecord, _ y: PersonRecord, decidedBy: String? = nil, score: Double) -> String {
        "  \(PersonResolver.comparison(x, y))  \(decidedBy.map { "\($0) " } ?? "")p \(String(format: "%.4f", score))  "
            + "\(x.givenName ?? "-") \(x.familyName ?? "-") \(x.dateOfBirth.map { "\($0)" } ?? "-") | "
            + "\(y.givenName ?? "-") \(y.familyName ?? "-") \(y.dateOfBirth.map { "\($0)" } ?? "-")"
    }
}
