/// For each record, the records it might be: every partner it was linked to or sent to review
/// with, and how strongly. `PersonResolver` asks it whether a record held back from a link
/// (a bare initial, a missing date of birth: `hasRival`; given names that leave the formal
/// name open: `hasNamedRival`) has a rival.
struct PlausiblePartners {
    struct Partner {
        var record: Int32
        /// The pair's match weight (bits).
        var weight: Double
        /// The pair's records name two people (`ComparisonVector.contradictsOnePerson`).
        var contradicted: Bool
    }

    private var partners: [[Partner]]

    init(recordCount: Int) {
        partners = Array(repeating: [], count: recordCount)
    }

    mutating func add(_ a: Int, _ b: Int, weight: Double, contradicted: Bool) {
        partners[a].append(Partner(record: Int32(b), weight: weight, contradicted: contradicted))
        partners[b].append(Partner(record: Int32(a), weight: weight, contradicted: contradicted))
    }

    /// Whether linking `a` and `b` would be a guess: `a` or `b` has a plausible partner in
    /// neither person (a twin, a namesake born the same day), or some record of `a`'s person
    /// and some record of `b`'s contradict each other (`contradict`: given names or sexes
    /// disagreeing outright, dates of birth far apart, such as twins already linked on either
    /// side, whatever their pair scored).
    ///
    /// Not rivals: a partner whose pair contradicts (a brother named otherwise at the same
    /// address scores high on family name and address alone, but is not who the record names),
    /// and, when `outweighs` is given, a partner whose pair weighs at least that many bits less
    /// than `weight` (a namesake elsewhere beside the same name at the record's own address).
    func hasRival(
        _ a: Int, _ b: Int, weight: Double, outweighs margin: Double?, clusters: inout PersonClusters, contradict: (Int, Int) -> Bool
    ) -> Bool {
        for (record, other) in [(a, b), (b, a)] {
            for partner in partners[record] where !partner.contradicted {
                if let margin, partner.weight <= weight - margin { continue }
                let c = Int(partner.record)
                if !clusters.areLinked(c, other) && !clusters.areLinked(c, record) { return true }
            }
        }
        return contradicts(a, b, clusters: &clusters, contradict)
    }

    /// Whether linking `a` and `b`, whose given names leave the formal name open
    /// (`GivenNameDoubt`; `sharing`: the formal names both may stand for), would be a guess: `a` or `b` has a
    /// plausible partner in neither person whose given name stands for another of the formal
    /// names its own may stand for and none of those shared (Christine beside "Tina" and
    /// Christina: the Tina may be hers), or some record of `a`'s person and some record of
    /// `b`'s contradict each other or name formal names that have none in common (a
    /// "Chrsitine" already linked with the Tina, beside Christina). A partner whose name the
    /// table does not know (an initial) or that fits the shared name is no such rival: it is as
    /// likely the same person.
    func hasNamedRival(
        _ a: Int, _ b: Int, sharing shared: Set<String>, formalNames: (Int) -> Set<String>, clusters: inout PersonClusters,
        contradict: (Int, Int) -> Bool
    ) -> Bool {
        for (record, other) in [(a, b), (b, a)] {
            let own = formalNames(record)
            for partner in partners[record] where !partner.contradicted {
                let c = Int(partner.record)
                guard !clusters.areLinked(c, other) && !clusters.areLinked(c, record) else { continue }
                if GivenNameDoubt.isRival(partner: formalNames(c), own: own, shared: shared) { return true }
            }
        }
        let theirs = clusters.members(of: b).map { ($0, formalNames($0)) }
        for x in clusters.members(of: a) {
            let mine = formalNames(x)
            for (y, names) in theirs {
                if contradict(x, y) || GivenNameDoubt.nameTwoPeople(mine, names) { return true }
            }
        }
        return false
    }

    /// Whether some record of `a`'s person and some record of `b`'s contradict each other.
    private func contradicts(_ a: Int, _ b: Int, clusters: inout PersonClusters, _ contradict: (Int, Int) -> Bool) -> Bool {
        let theirs = clusters.members(of: b)
        for x in clusters.members(of: a) {
            for y in theirs where contradict(x, y) { return true }
        }
        return false
    }
}

extension ComparisonVector {
    /// Evidence of two people however the other fields agree: the given names disagree
    /// outright (not even by initial or sound), the sexes differ, the dates of birth differ
    /// in more than one component (a slip changes one: a day, a month, a year, or day and month
    /// swapped), or the records carry different state IDs, FBI numbers or DOC numbers of one
    /// state.
    var contradictsOnePerson: Bool {
        self[.givenName] == 0 || self[.sex] == 0 || (self[.dateOfBirth].map { $0 <= 1 } ?? false) || self[.identifiers] == 0
    }
}
