/// For each record, the records it might be: every partner it was linked to or sent to review
/// with, and whether the pair's given names or sexes disagreed outright. `PersonResolver` asks
/// it whether a record held back for a weak given-name agreement has a rival.
struct PlausiblePartners {
    private var partners: [[(record: Int32, contradicts: Bool)]]

    init(recordCount: Int) {
        partners = Array(repeating: [], count: recordCount)
    }

    /// `contradicts`: the pair's given names or sexes disagree outright (not for a pair a
    /// shared strong identifier linked: that is an alias, not a rival).
    mutating func add(_ a: Int, _ b: Int, contradicts: Bool) {
        partners[a].append((Int32(b), contradicts))
        partners[b].append((Int32(a), contradicts))
    }

    /// Whether linking `a` and `b` would be a guess: `a` or `b` has a plausible partner in
    /// neither person (a twin, a namesake born the same day), or a partner in the other person
    /// whose given name or sex disagrees outright (a twin already linked there).
    func hasRival(_ a: Int, _ b: Int, clusters: inout PersonClusters) -> Bool {
        for (record, other) in [(a, b), (b, a)] {
            for partner in partners[record] {
                let c = Int(partner.record)
                let inOther = clusters.areLinked(c, other)
                if !inOther && !clusters.areLinked(c, record) { return true }
                if inOther && partner.contradicts { return true }
            }
        }
        return false
    }
}

extension ComparisonVector {
    /// The given names disagree outright (not even by initial or sound) or the sexes differ:
    /// evidence of two people however the other fields agree.
    var contradictsGivenNameOrSex: Bool { self[.givenName] == 0 || self[.sex] == 0 }
}
