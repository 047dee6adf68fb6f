import PersonIndex

/// How a resolution compares with the truth. Links count as the persons they build: two records
/// are decided "same" when they end up in one person (so a pair linked through a third record
/// counts, as it would for routing). Review share: true pairs not linked whose pair was sent to
/// review, over all true pairs.
public struct LinkEvaluation: Sendable, Equatable {
    public var truePairs: Int
    public var linkedPairs: Int
    public var correctLinkedPairs: Int
    public var truePairsInReview: Int

    public var precision: Double { linkedPairs == 0 ? 1 : Double(correctLinkedPairs) / Double(linkedPairs) }
    public var recall: Double { truePairs == 0 ? 1 : Double(correctLinkedPairs) / Double(truePairs) }
    public var reviewShare: Double { truePairs == 0 ? 0 : Double(truePairsInReview) / Double(truePairs) }
    /// Recall on the pairs the matcher decided: true pairs linked over true pairs not left to
    /// review (issue 19's "recall on decided links"; ``recall`` counts the review queue as missed).
    public var recallOnDecided: Double {
        let decided = truePairs - truePairsInReview
        return decided <= 0 ? 1 : Double(correctLinkedPairs) / Double(decided)
    }
    public var f1: Double {
        precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    public init(_ labelled: SyntheticPopulation.Labelled, _ resolution: PersonResolver.Resolution) {
        self.init(labelled, personIds: resolution.personIds, pairs: resolution.pairs)
    }

    /// From the person id each record ended in (same order as `labelled.records`) and the pairs
    /// decided (only those sent to review count here): for resolutions made other than by
    /// `PersonResolver`, such as the index's store adding records one at a time.
    public init(_ labelled: SyntheticPopulation.Labelled, personIds: [String], pairs: [ResolvedPair] = []) {
        truePairs = labelled.truePairCount
        var members: [String: [Int]] = [:]
        for (index, person) in personIds.enumerated() { members[person, default: []].append(index) }
        var linked = 0, correct = 0
        for group in members.values where group.count > 1 {
            for i in 0..<(group.count - 1) {
                for j in (i + 1)..<group.count {
                    linked += 1
                    if labelled.personOfRecord[group[i]] == labelled.personOfRecord[group[j]] { correct += 1 }
                }
            }
        }
        linkedPairs = linked
        correctLinkedPairs = correct
        var indexOf: [String: Int] = [:]
        for (index, record) in labelled.records.enumerated() { indexOf[record.recordId] = index }
        var inReview = 0
        for pair in pairs where pair.decision == .review {
            guard let a = indexOf[pair.a], let b = indexOf[pair.b] else { continue }
            if labelled.personOfRecord[a] == labelled.personOfRecord[b], personIds[a] != personIds[b] {
                inReview += 1
            }
        }
        truePairsInReview = inReview
    }
}
