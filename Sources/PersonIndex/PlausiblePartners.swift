/// For each record, the records it might be: every partner it was linked to or sent to review
/// with. `PersonResolver` asks it whether a record held back for a bare initial has a rival.
struct PlausiblePartners {
    private var partners: [[Int32]]

    init(recordCount: Int) {
        partners = Array(repeating: [], count: recordCount)
    }

    mutating func add(_ a: Int, _ b: Int) {
        partners[a].append(Int32(b))
        partners[b].append(Int32(a))
    }

    /// Whether linking `a` and `b` would be a guess: `a` or `b` has a plausible partner in
    /// neither person (a twin, a namesake born the same day), or some record of `a`'s person
    /// and some record of `b`'s contradict each other (`contradict`: given names or sexes
    /// disagreeing outright, such as twins already linked on either side, whatever their
    /// pair scored).
    func hasRival(_ a: Int, _ b: Int, clusters: inout PersonClusters, contradict: (Int, Int) -> Bool) -> Bool {
        for (record, other) in [(a, b), (b, a)] {
            for partner in partners[record] {
                let c = Int(partner)
                if !clusters.areLinked(c, other) && !clusters.areLinked(c, record) { return true }
            }
        }
        let theirs = clusters.members(of: b)
        for x in clusters.members(of: a) {
            for y in theirs where contradict(x, y) { return true }
        }
        return false
    }
}

extension ComparisonVector {
    /// The given names disagree outright (not even by initial or sound) or the sexes differ:
    /// evidence of two people however the other fields agree.
    var contradictsGivenNameOrSex: Bool { self[.givenName] == 0 || self[.sex] == 0 }
}
