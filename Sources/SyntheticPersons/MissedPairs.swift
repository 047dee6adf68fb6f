import PersonIndex

/// Why the true pairs a resolution left in different persons were missed, for tuning the
/// matcher on generated data: never compared (no blocking key in common), scored below the
/// review threshold, sent to review, or scored at the link threshold but held back by the rule
/// that a link needs close given names and sexes that do not disagree. For the commonest
/// comparison vectors among the compared ones, how many false candidate pairs share the vector:
/// what linking that vector would cost in precision.
public struct MissedPairs: Sendable {
    public enum Reason: String, Sendable, CaseIterable {
        case notCompared = "not_compared"
        case belowReview = "below_review"
        case review
        case heldBack = "held_back"
    }

    /// A comparison vector shared by missed true pairs.
    public struct Pattern: Sendable {
        public var vector: ComparisonVector
        /// True pairs with this vector that were missed.
        public var missed: Int
        /// Candidate pairs with this vector that are not the same person.
        public var falseCandidates: Int
        /// The mean match probability of the missed pairs (names' frequencies make it vary).
        public var meanProbability: Double
    }

    /// Missed true pairs per reason.
    public var byReason: [Reason: Int]
    /// The commonest vectors among the missed pairs that were compared, commonest first.
    public var patterns: [Pattern]
    /// The commonest vectors among the true pairs blocking never compared, with their counts,
    /// commonest first: what a blocking pass would have to catch.
    public var notComparedPatterns: [(vector: ComparisonVector, count: Int)]

    /// - Parameters:
    ///   - candidates: `PersonResolver.scoredCandidates` of the same records with the model the
    ///     resolution estimated.
    ///   - top: how many vectors to keep.
    public init(
        _ labelled: SyntheticPopulation.Labelled, personIds: [String], candidates: [PersonResolver.ScoredCandidate],
        configuration: ResolverConfiguration, top: Int = 15
    ) {
        var candidateOf: [Int64: Int] = [:]
        candidateOf.reserveCapacity(candidates.count)
        for (index, candidate) in candidates.enumerated() { candidateOf[Self.key(candidate.a, candidate.b)] = index }
        var members: [Int: [Int]] = [:]
        for (record, person) in labelled.personOfRecord.enumerated() { members[person, default: []].append(record) }

        var byReason: [Reason: Int] = [:]
        var missed: [UInt32: (count: Int, probability: Double)] = [:]
        var uncompared: [UInt32: Int] = [:]
        for group in members.values where group.count > 1 {
            for i in 0..<(group.count - 1) {
                for j in (i + 1)..<group.count where personIds[group[i]] != personIds[group[j]] {
                    guard let index = candidateOf[Self.key(group[i], group[j])] else {
                        byReason[.notCompared, default: 0] += 1
                        uncompared[PersonResolver.comparison(labelled.records[group[i]], labelled.records[group[j]]).packed, default: 0] += 1
                        continue
                    }
                    let candidate = candidates[index]
                    let probability = candidate.probability ?? 1
                    let reason: Reason = probability < configuration.reviewThreshold ? .belowReview
                        : probability >= configuration.linkThreshold ? .heldBack : .review
                    byReason[reason, default: 0] += 1
                    let entry = missed[candidate.vector.packed] ?? (0, 0)
                    missed[candidate.vector.packed] = (entry.count + 1, entry.probability + probability)
                }
            }
        }
        var falseCandidates: [UInt32: Int] = [:]
        for candidate in candidates where missed[candidate.vector.packed] != nil
            && labelled.personOfRecord[candidate.a] != labelled.personOfRecord[candidate.b] {
            falseCandidates[candidate.vector.packed, default: 0] += 1
        }
        self.byReason = byReason
        notComparedPatterns = uncompared.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(top).map { (ComparisonVector(packed: $0.key), $0.value) }
        patterns = missed.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(top).map { packed, entry in
            Pattern(
                vector: ComparisonVector(packed: packed), missed: entry.count, falseCandidates: falseCandidates[packed] ?? 0,
                meanProbability: entry.probability / Double(entry.count))
        }
    }

    private static func key(_ a: Int, _ b: Int) -> Int64 { Int64(min(a, b)) << 32 | Int64(max(a, b)) }
}
