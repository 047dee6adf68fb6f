/// The m and u a person index learnt from its own records, as a batch learns them from
/// itself (`PersonResolver`: m by EM on the blocked pairs, u from random pairs), without the
/// prior: an index's prior comes from the population its deployment serves, not from the
/// share of matches among its candidates.
///
/// Why an index learns at all: the built-in m and u were estimated on the generator's data,
/// whose error rates (typos, swapped dates, moved addresses) are the generator's, not the
/// agencies'. Learnt from the records an index holds, each field weighs what it is worth in
/// those records.
public struct LearntModel: Sendable, Equatable, Codable {
    /// m per field (by `ComparisonField.rawValue`) and level.
    public var m: [[Double]]
    /// u per field and level.
    public var u: [[Double]]
    /// Records learnt from.
    public var records: Int
    /// Blocked pairs among them whose comparison vectors EM read.
    public var candidatePairs: Int
    /// EM rounds, over all sessions.
    public var emIterations: Int
    public var converged: Bool
    /// Candidate pairs that share a strong identifier (one person, by their numbers), and how
    /// many of them this model and the model it would replace score at or above the link
    /// threshold on every other field (`recognition`).
    public var knownPairs: Int
    public var recognised: Int
    public var recognisedBefore: Int

    public init(
        m: [[Double]], u: [[Double]], records: Int, candidatePairs: Int, emIterations: Int, converged: Bool, knownPairs: Int = 0,
        recognised: Int = 0, recognisedBefore: Int = 0
    ) {
        self.m = m
        self.u = u
        self.records = records
        self.candidatePairs = candidatePairs
        self.emIterations = emIterations
        self.converged = converged
        self.knownPairs = knownPairs
        self.recognised = recognised
        self.recognisedBefore = recognisedBefore
    }

    /// Why an index must not decide with this model, or nil when it may: fields whose weights
    /// contradict agreement (``implausibleFields``), fewer than `minimumKnownPairs` pairs to
    /// check it on, or under half as many of those pairs recognised as the model it would
    /// replace recognises. The pairs the strong identifiers prove are one person are the only
    /// truth an index has without a reviewer: EM can learn a wrong class (relatives, one
    /// agency's numbering) with weights whose signs look right, and on one agency's records it
    /// did (the README has the figures). Only a collapse counts: a sound model may well be
    /// stricter than the built-in one (one pair fewer of 898 on a benchmark seed, 334 against
    /// 359 on one agency's records, each linking well).
    public func setAsideBecause(minimumKnownPairs: Int) -> String? {
        let implausible = implausibleFields
        if !implausible.isEmpty { return "weights contradict agreement: " + implausible.map(\.description).joined(separator: ", ") }
        if knownPairs < minimumKnownPairs { return "\(knownPairs) pairs known by their numbers to check it on, fewer than \(minimumKnownPairs)" }
        if recognised * 2 < recognisedBefore {
            return "recognises \(recognised) of \(knownPairs) pairs known by their numbers, under half of the model in use's \(recognisedBefore)"
        }
        return nil
    }

    /// The learnt m and u with `prior`.
    public func model(matchPrior prior: Double) -> FellegiSunterModel {
        FellegiSunterModel(m: m, u: u, matchPrior: prior)
    }

    /// The fields whose learnt weights contradict what agreement means: full agreement not
    /// evidence for one person, or outright disagreement not evidence against. EM learns
    /// whatever class of pairs stands out among the candidates; when true pairs are rare
    /// there (one agency's records, each person once or twice), that class is relatives or
    /// neighbours, and the "match" it learns disagrees on given names and dates of birth.
    /// Measured on one source of the benchmark's records: 2,000 records gave m(equal dates) =
    /// 0.0001, 4,000 gave m(given names disagree) = 0.98. Such a model must not decide.
    public var implausibleFields: [ComparisonField] {
        ComparisonField.allCases.filter { field in
            let f = field.rawValue, agree = field.levelCount - 1
            return !(m[f][agree] > u[f][agree] && m[f][0] < u[f][0])
        }
    }

    /// Whether m and u have one probability per level of every field, each in (0, 1]: what a
    /// stored model must be before an index decides with it.
    public var isWellFormed: Bool {
        func wellFormed(_ table: [[Double]]) -> Bool {
            table.count == ComparisonField.allCases.count
                && zip(table, ComparisonField.allCases).allSatisfy { levels, field in
                    levels.count == field.levelCount && levels.allSatisfy { $0.isFinite && $0 > 0 && $0 <= 1 }
                }
        }
        return wellFormed(m) && wellFormed(u)
    }
}

extension PersonResolver {
    /// Learns m and u from `records` as `resolve` learns them from a batch: the records blocked
    /// with this configuration's passes, the candidates compared, m by EM in the two sessions
    /// of `estimateModel`, u from the configuration's random pairs (seeded: the same records
    /// give the same model). Both stay blended with the built-in values, so a small or uniform
    /// set of records moves them little.
    ///
    /// `current`, the model the index decides with, is checked beside it on the pairs that
    /// share a strong identifier (``LearntModel/recognised``), both with `current`'s prior.
    public func learnModel(from records: [PersonRecord], replacing current: FellegiSunterModel = IncrementalMatcher.builtInModel) -> LearntModel {
        var statistics = Statistics()
        statistics.records = records.count
        let features = records.map(RecordFeatures.init)
        let candidates = CandidatePairs(
            records: features, passes: configuration.blockingPasses, maximumBlockSize: configuration.maximumBlockSize)
        let vectors = candidates.pairs.map { RecordComparison.compare(features[Int($0.0)], features[Int($0.1)]) }
        let model = estimateModel(features: features, vectors: vectors, statistics: &statistics)
        return assessed(
            m: model.m, u: model.u, records: records.count, vectors: vectors, emIterations: statistics.emIterations,
            converged: statistics.emConverged, against: current)
    }

    /// `m` and `u` as a ``LearntModel``, checked beside `current` on the pairs among `vectors`
    /// that share a strong identifier, both with `current`'s prior. Shared by `learnModel` and
    /// the batch's own check of its EM m (`estimateModel(…, checkingM: true)`).
    func assessed(
        m: [[Double]], u: [[Double]], records: Int, vectors: [ComparisonVector], emIterations: Int, converged: Bool,
        against current: FellegiSunterModel
    ) -> LearntModel {
        let known = vectors.filter { $0[.identifiers] == 1 }
        return LearntModel(
            m: m, u: u, records: records, candidatePairs: vectors.count, emIterations: emIterations, converged: converged,
            knownPairs: known.count, recognised: recognition(of: FellegiSunterModel(m: m, u: u, matchPrior: current.matchPrior), known),
            recognisedBefore: recognition(of: current, known))
    }

    /// How many of `vectors` `model` scores at or above the link threshold without the
    /// identifiers' own evidence.
    private func recognition(of model: FellegiSunterModel, _ vectors: [ComparisonVector]) -> Int {
        vectors.count { vector in
            var withoutNumbers = vector
            withoutNumbers[.identifiers] = nil
            return FellegiSunterModel.probability(weight: model.matchWeight(withoutNumbers)) >= configuration.linkThreshold
        }
    }
}
