/// What the resolver made of every blocked pair, for diagnosing a benchmark's misses: which true
/// pairs were never compared, which the model scored low, on which evidence. It keeps every
/// candidate pair in memory, so it is for benchmark data, not for production batches.
extension PersonResolver {
    /// A blocked pair, by the records' positions in the input, with its comparison vector and
    /// match probability (nil for a pair a strong identifier linked).
    public struct ScoredCandidate: Sendable {
        public var a: Int
        public var b: Int
        public var vector: ComparisonVector
        public var probability: Double?
    }

    /// The candidate pairs of `records` as ``resolve(_:progress:)`` scores them with `model`
    /// (the model it estimated on the same records).
    public func scoredCandidates(_ records: [PersonRecord], model: FellegiSunterModel) -> [ScoredCandidate] {
        let features = records.map(RecordFeatures.init)
        let candidates = CandidatePairs(records: features, passes: configuration.blockingPasses, maximumBlockSize: configuration.maximumBlockSize)
        let scorer = PairScorer(model: model, features: features, configuration: configuration)
        return candidates.pairs.map { pair in
            let (a, b) = (Int(pair.0), Int(pair.1))
            let vector = RecordComparison.compare(features[a], features[b])
            let probability = vector[.identifiers] == 1 ? nil : FellegiSunterModel.probability(weight: scorer.weight(a, b, vector))
            return ScoredCandidate(a: a, b: b, vector: vector, probability: probability)
        }
    }

    /// How two records agree, as a candidate pair of theirs would be compared (also for a pair
    /// blocking never brought together).
    public static func comparison(_ a: PersonRecord, _ b: PersonRecord) -> ComparisonVector {
        RecordComparison.compare(RecordFeatures(a), RecordFeatures(b))
    }
}

extension ComparisonVector: CustomStringConvertible {
    /// Each field's initial and level, `-` where a record lacks it: `g5 f4 d- s1 a0 n- i0`
    /// (givenName, familyName, dateOfBirth, sex, address, ssN, identifiers).
    public var description: String {
        let initials: [ComparisonField: String] = [
            .givenName: "g", .familyName: "f", .dateOfBirth: "d", .sex: "s", .address: "a", .ssn: "n", .identifiers: "i",
        ]
        return ComparisonField.allCases.map { field in "\(initials[field]!)\(self[field].map(String.init) ?? "-")" }.joined(separator: " ")
    }
}
