import Foundation

/// Links the records of one batch that name the same person: strong identifiers first, then a
/// Fellegi–Sunter model over the blocked pairs whose m probabilities are estimated by EM from
/// the batch itself and whose u probabilities come from random pairs; decisions by two
/// thresholds; persons as the clusters of the links. The same records and configuration give
/// the same result on every run (no clock, no unseeded randomness, no hash-order dependence).
public struct PersonResolver: Sendable {
    public var configuration: ResolverConfiguration

    public init(configuration: ResolverConfiguration = ResolverConfiguration()) {
        self.configuration = configuration
    }

    /// What `resolve` reports while it works (for a progress line on long inputs).
    public enum Progress: Sendable {
        case blocked(records: Int, candidatePairs: Int)
        case compared(pairs: Int, of: Int)
        case estimated(iterations: Int, converged: Bool)
    }

    /// Counts for the operator (no personal data).
    public struct Statistics: Sendable {
        public var records = 0
        public var candidatePairs = 0
        public var oversizedBlocks = 0
        public var distinctVectors = 0
        public var emIterations = 0
        public var emConverged = false
        /// Why the m that EM learnt was set aside for the built-in m (nil: it was not):
        /// `LearntModel.setAsideBecause(minimumKnownPairs:)`, checked on this batch's pairs.
        public var learntMSetAside: String?
        public var links = 0
        public var linksByIdentifier = 0
        public var reviews = 0
    }

    public struct Resolution: Sendable {
        /// Linked and review pairs, in the order of their first record, then second.
        public var pairs: [ResolvedPair]
        /// Person id per record (same order as the input): the survivor rule of `PersonClusters`.
        public var personIds: [String]
        /// The model as estimated on this batch.
        public var model: FellegiSunterModel
        public var statistics: Statistics
    }

    public func resolve(_ records: [PersonRecord], progress: (Progress) -> Void = { _ in }) -> Resolution {
        var statistics = Statistics()
        statistics.records = records.count
        let features = records.map(RecordFeatures.init)
        let candidates = CandidatePairs(
            records: features, passes: configuration.blockingPasses, maximumBlockSize: configuration.maximumBlockSize)
        statistics.candidatePairs = candidates.pairs.count
        statistics.oversizedBlocks = candidates.oversizedBlocks
        progress(.blocked(records: records.count, candidatePairs: candidates.pairs.count))

        var vectors: [ComparisonVector] = []
        vectors.reserveCapacity(candidates.pairs.count)
        let step = max(100_000, candidates.pairs.count / 10)
        for (index, (a, b)) in candidates.pairs.enumerated() {
            vectors.append(RecordComparison.compare(features[Int(a)], features[Int(b)]))
            if (index + 1) % step == 0 { progress(.compared(pairs: index + 1, of: candidates.pairs.count)) }
        }

        let model = estimateModel(features: features, vectors: vectors, statistics: &statistics, checkingM: true)
        progress(.estimated(iterations: statistics.emIterations, converged: statistics.emConverged))

        let scorer = PairScorer(model: model, features: features, configuration: configuration)
        var clusters = PersonClusters(recordIds: records.map(\.recordId))
        var pairs: [ResolvedPair] = []
        // Each pair's two records (indexes into `records`), beside `pairs`.
        var pairRecords: [(first: Int, second: Int)] = []
        var plausible = PlausiblePartners(recordCount: records.count)
        var heldBack: [HeldPair] = []
        // Links whose given names are only close while a sex is missing (each pair's index in
        // `pairs` and its records): made after the confident links unless the sexes disagree.
        var heldForSexes: [(pair: Int, first: Int, second: Int)] = []
        // The identifiers' links first, so that a model link sees every number its two persons carry.
        for ((a, b), vector) in zip(candidates.pairs, vectors) where vector[.identifiers] == 1 { clusters.link(Int(a), Int(b)) }
        let identifiersConflict = { (clusters: inout PersonClusters, x: Int, y: Int) -> Bool in
            guard configuration.conflictingIdentifiersBlockLinks else { return false }
            return Self.identifiersConflict(clusters.members(of: x), clusters.members(of: y), features)
        }
        for ((a, b), vector) in zip(candidates.pairs, vectors) {
            let first = Int(a), second = Int(b)
            if vector[.identifiers] == 1 {
                pairs.append(ResolvedPair(a: records[first].recordId, b: records[second].recordId, score: 1, decision: .link, byIdentifier: true))
                pairRecords.append((first, second))
                clusters.link(first, second)
                plausible.add(first, second, weight: .infinity, contradicted: false)
                statistics.linksByIdentifier += 1
                continue
            }
            let weight = scorer.weight(first, second, vector)
            let probability = FellegiSunterModel.probability(weight: weight)
            guard var decision = Self.decision(probability: probability, vector: vector, configuration: configuration) else { continue }
            if decision == .link, !clusters.areLinked(first, second), identifiersConflict(&clusters, first, second) { decision = .review }
            if decision == .link, let shared = Self.formalNamesLeftOpen(vector, features[first], features[second], configuration) {
                decision = .review
                heldBack.append(HeldPair(pair: pairs.count, first: first, second: second, weight: weight, doubt: .givenName(shared: shared)))
            } else if decision == .link, Self.closeNamesWithoutBothSexes(vector, configuration) {
                decision = .review
                heldForSexes.append((pairs.count, first, second))
            } else if decision == .review, Self.linksWhenUnambiguous(
                probability: probability, vector: vector, features[first], features[second],
                rarestGivenName: vector[.givenName] == 2 ? scorer.rarestGivenName(first, second) : nil, configuration: configuration) {
                heldBack.append(HeldPair(pair: pairs.count, first: first, second: second, weight: weight, doubt: .rivals(undated: vector[.dateOfBirth] == nil)))
            } else if decision == .review, Self.linksUnlessDatesConfirmedApart(probability: probability, vector: vector, configuration: configuration) {
                heldBack.append(HeldPair(pair: pairs.count, first: first, second: second, weight: weight, doubt: .datesDiffer))
            }
            pairs.append(ResolvedPair(a: records[first].recordId, b: records[second].recordId, score: probability, decision: decision, byIdentifier: false))
            pairRecords.append((first, second))
            plausible.add(first, second, weight: weight, contradicted: vector.contradictsOnePerson)
            if decision == .link { clusters.link(first, second) }
        }
        // Before the other held pairs, which judge their rivals by the persons these make.
        for held in heldForSexes where !clusters.areLinked(held.first, held.second) {
            guard !identifiersConflict(&clusters, held.first, held.second),
                !Self.sexesDisagree(clusters.members(of: held.first), clusters.members(of: held.second), features)
            else { continue }
            pairs[held.pair].decision = .link
            clusters.link(held.first, held.second)
        }
        // Strongest first, ties in candidate order: the same records give the same links every
        // run. Each held pair is judged once, against the persons as they stand at its turn.
        heldBack.sort { (pairs[$0.pair].score, $1.pair) > (pairs[$1.pair].score, $0.pair) }
        let contradict = { (x: Int, y: Int) in RecordComparison.compare(features[x], features[y]).contradictsOnePerson }
        // Each record's formal given names, worked out when a held pair first asks (reading a
        // typo scans the nickname table).
        var formalNames = [Set<String>?](repeating: nil, count: records.count)
        let names = { (record: Int) -> Set<String> in
            if let known = formalNames[record] { return known }
            let worked = features[record].formalGivenNames
            formalNames[record] = worked
            return worked
        }
        for held in heldBack {
            // Joined through other links before its turn: its doubt is settled (reported below).
            if clusters.areLinked(held.first, held.second) { continue }
            guard !identifiersConflict(&clusters, held.first, held.second) else { continue }
            switch held.doubt {
            case .datesDiffer:
                let dates = { (record: Int) in clusters.members(of: record).map { features[$0].dateOfBirth } }
                guard !DateOfBirth.confirmedApart(dates(held.first), dates(held.second)) else { continue }
            case .rivals(let undated):
                let margin = undated ? configuration.undatedRivalMargin : nil
                guard !plausible.hasRival(
                    held.first, held.second, weight: held.weight, outweighs: margin, clusters: &clusters, contradict: contradict) else { continue }
            case .givenName(let shared):
                guard !plausible.hasNamedRival(held.first, held.second, sharing: shared, formalNames: names, clusters: &clusters, contradict: contradict)
                else { continue }
            }
            pairs[held.pair].decision = .link
            clusters.link(held.first, held.second)
        }
        // A pair scored for review whose records other links joined is one person's, so it is
        // reported linked: left "review", a reviewer would be asked about two records already
        // linked (the store's queue leaves such pairs out).
        for (index, members) in pairRecords.enumerated() where pairs[index].decision == .review {
            if clusters.areLinked(members.first, members.second) {
                pairs[index].decision = .link
                pairs[index].byOtherLinks = true
            }
        }
        statistics.links = pairs.count { $0.decision == .link }
        statistics.reviews = pairs.count - statistics.links
        return Resolution(pairs: pairs, personIds: clusters.personIds(), model: model, statistics: statistics)
    }

    /// A pair sent to review that is linked after the confident links when the other records
    /// settle its doubt.
    private struct HeldPair {
        var pair: Int
        var first: Int
        var second: Int
        var weight: Double
        var doubt: Doubt

        enum Doubt {
            /// A bare initial, or a date of birth missing: linked when neither record has a rival.
            case rivals(undated: Bool)
            /// Dates of birth a component apart: linked unless both persons confirm their own.
            case datesDiffer
            /// Given names leaving the formal name open (`GivenNameDoubt`; `shared`: the formal
            /// names both may stand for): linked unless a record names another of them. Two
            /// names (`shared` empty) are never linked: each record names the other's rival.
            case givenName(shared: Set<String>)
        }
    }

    /// For a pair the thresholds would link: the formal names its given names may both stand
    /// for when they leave the formal name open (`RecordComparison.formalNamesLeftOpen`; empty
    /// for two names), so that the other records settle the doubt
    /// (`ambiguousNicknamesLinkOnlyWhenUnambiguous`); nil when the pair links as it is. Shared
    /// with `IncrementalMatcher`.
    static func formalNamesLeftOpen(
        _ vector: ComparisonVector, _ a: RecordFeatures, _ b: RecordFeatures, _ configuration: ResolverConfiguration
    ) -> Set<String>? {
        configuration.ambiguousNicknamesLinkOnlyWhenUnambiguous ? RecordComparison.formalNamesLeftOpen(a, b, vector) : nil
    }

    /// Whether a pair the thresholds would link has given names only close (given level 3:
    /// neither equal nor nicknames) while a record lacks the sex: names one letter apart
    /// are often a man's and a woman's (Mark and Mary, Michael and Michelle), twins among them,
    /// and the sex is what would tell. Such a pair links unless a record of one person and a
    /// record of the other give different sexes (`sexesDisagree`), judged after the confident
    /// links. Holding it instead whenever another person was plausible (4d6305a, reverted)
    /// sent 86 true pairs to review at 100,000 records. Shared with `IncrementalMatcher`.
    static func closeNamesWithoutBothSexes(_ vector: ComparisonVector, _ configuration: ResolverConfiguration) -> Bool {
        configuration.linkNeedsGivenNameAndSex && vector[.givenName] == 3 && vector[.sex] == nil
    }

    /// Whether some record of one person and some record of the other give different sexes.
    static func sexesDisagree(_ mine: [Int], _ theirs: [Int], _ features: [RecordFeatures]) -> Bool {
        for x in mine {
            guard let sex = features[x].sex else { continue }
            for y in theirs where features[y].sex.map({ $0 != sex }) == true { return true }
        }
        return false
    }

    /// Whether some record of one person and some record of the other carry different numbers
    /// of a kind one person has one of (`conflictingIdentifiersBlockLinks`).
    static func identifiersConflict(_ mine: [Int], _ theirs: [Int], _ features: [RecordFeatures]) -> Bool {
        for x in mine where !features[x].strongIdentifiers.isEmpty {
            for y in theirs where StrongIdentifier.disagree(features[x].strongIdentifiers, features[y].strongIdentifiers) {
                return true
            }
        }
        return false
    }

    /// A scored pair's decision: link at or above the link threshold (when the given names agree
    /// at least closely and the sexes do not disagree, if the configuration asks for it),
    /// review at or above the review threshold, nil below. Shared with `IncrementalMatcher`.
    static func decision(probability: Double, vector: ComparisonVector, configuration: ResolverConfiguration) -> ResolvedPair.Decision? {
        guard probability >= configuration.reviewThreshold else { return nil }
        return probability >= configuration.linkThreshold && mayLinkOutright(vector, configuration) ? .link : .review
    }

    /// Whether a pair at or above the link threshold is linked at once: the given names agree at
    /// least closely and the sexes do not disagree (if the configuration asks for it), and both
    /// dates of birth are known (if it asks for that).
    private static func mayLinkOutright(_ vector: ComparisonVector, _ configuration: ResolverConfiguration) -> Bool {
        if configuration.linkNeedsGivenNameAndSex && !((vector[.givenName] ?? 0) >= 3 && vector[.sex] != 0) { return false }
        if configuration.linkWithoutDateOfBirthOnlyWhenUnambiguous && vector[.dateOfBirth] == nil { return false }
        if configuration.linkDifferingDatesUnlessConfirmedApart && datesDiffer(vector) { return false }
        if identifiersForbid(vector, configuration) { return false }
        return true
    }

    /// Whether the pair's own identifiers keep the model from linking it
    /// (`conflictingIdentifiersBlockLinks`).
    private static func identifiersForbid(_ vector: ComparisonVector, _ configuration: ResolverConfiguration) -> Bool {
        configuration.conflictingIdentifiersBlockLinks && vector[.identifiers] == 0
    }

    /// Both dates of birth are there and they differ: neither equal nor day and month swapped.
    private static func datesDiffer(_ vector: ComparisonVector) -> Bool {
        guard let born = vector[.dateOfBirth] else { return false }
        return born < 4
    }

    /// Whether a pair sent to review only because its dates of birth differ, in one component,
    /// is linked after the confident links, unless its two persons' records confirm two
    /// different dates (`DateOfBirth.confirmedApart`). Shared with `IncrementalMatcher`.
    static func linksUnlessDatesConfirmedApart(probability: Double, vector: ComparisonVector, configuration: ResolverConfiguration) -> Bool {
        guard configuration.linkDifferingDatesUnlessConfirmedApart, probability >= configuration.linkThreshold, datesDiffer(vector),
            !identifiersForbid(vector, configuration)
        else { return false }
        // A slip changes one component; dates further apart are two people's (or two errors).
        guard let born = vector[.dateOfBirth], born >= 2 else { return false }
        return !configuration.linkNeedsGivenNameAndSex || ((vector[.givenName] ?? 0) >= 3 && vector[.sex] != 0)
    }

    /// Whether a pair sent to review for want of information is linked after all when nothing
    /// else could be the person. It scored at or above the link threshold, the sexes do not
    /// disagree, and either
    /// - one given name is a bare initial of the other ("J." beside "John": information missing,
    ///   not two names) and the dates of birth agree (exactly, or day and month swapped). An
    ///   initial without both dates stays in review: on the benchmark data such pairs linked a
    ///   "D." with a relative at the same address; or
    /// - the given names only sound alike, one of them is rare among the records (a misspelling
    ///   is: "Katelynn" beside "Kaitlyn"; "Sarah" beside "Sandra", both common, are twins' names)
    ///   and the nickname table does not know them as two names ("James" and "John";
    ///   "Chrsitine", read as Christine, beside "Christina"), both records give the same sex and
    ///   the dates agree as above (`linkMisspelledGivenNamesWhenUnambiguous`); or
    /// - the given names agree at least closely and a date of birth is missing: the names and
    ///   the address then score a mother and her daughter of the same name as one person.
    ///
    /// Such a record is ambiguous only when another person is plausible too (a twin "James", the
    /// daughter); the resolver links it when neither record has a rival
    /// (`PlausiblePartners.hasRival`), and leaves it to review otherwise. Shared with
    /// `IncrementalMatcher`.
    ///
    /// `rarestGivenName`: how many of the records counted carry the rarer of the two given
    /// names (a batch counts all its records, an index those counted at its last learning);
    /// nil when not counted, which keeps a pair of sound-alike names in review.
    static func linksWhenUnambiguous(
        probability: Double, vector: ComparisonVector, _ a: RecordFeatures, _ b: RecordFeatures, rarestGivenName: Int?,
        configuration: ResolverConfiguration
    ) -> Bool {
        guard probability >= configuration.linkThreshold, vector[.sex] != 0, let given = vector[.givenName], !identifiersForbid(vector, configuration)
        else { return false }
        guard let born = vector[.dateOfBirth] else {
            return configuration.linkWithoutDateOfBirthOnlyWhenUnambiguous && (!configuration.linkNeedsGivenNameAndSex || given >= 3)
        }
        guard configuration.linkUnambiguousGivenNames, configuration.linkNeedsGivenNameAndSex, born >= 4 else { return false }
        switch given {
        case 1: return true
        case 2:
            // Names of one sound are often a man's and a woman's (Lauren and Lawrence, Frances
            // and Francis): both records must say the same sex.
            // The counted names (each record's first given name) must be the two that sound
            // alike, not an alias: it is their rarity that is known.
            guard configuration.linkMisspelledGivenNamesWhenUnambiguous, vector[.sex] == 1, let rarest = rarestGivenName,
                rarest <= configuration.misspellingAtMostRecords, let x = a.givenNames.first, let y = b.givenNames.first,
                NameLevel.given(x, y) == 2
            else { return false }
            return !GivenNameDoubt.nameTwoPeople(a.formalGivenNames, b.formalGivenNames)
        default: return false
        }
    }

    /// m by EM, u from random pairs (the candidates are biased towards agreement on the
    /// blocking fields, random pairs are not), the prior from the matches EM finds among the
    /// candidates, spread over all pairs.
    ///
    /// One EM over all candidates would learn "same household" as readily as "same person"
    /// (relatives share a surname and an address), so, as Splink does, m is learnt in sessions
    /// on selections of the pairs, each ignoring the fields it was selected on: pairs with the
    /// same date of birth teach every field but the date (twins and strangers born the same day
    /// are the non-matches there); pairs whose names agree teach the date (namesakes are the
    /// non-matches). A last round with m fixed gives the share of matches among candidates.
    ///
    /// `checkingM`: the learnt m is set aside for the built-in m when it fails the person
    /// index's check (`LearntModel.setAsideBecause`, with no minimum of pairs known by
    /// their numbers, and a prior of one in the records' number for both): a batch in which
    /// true pairs are rare teaches EM another class of pairs.
    func estimateModel(
        features: [RecordFeatures], vectors: [ComparisonVector], statistics: inout Statistics, checkingM: Bool = false
    ) -> FellegiSunterModel {
        let randomU = randomPairU(features)
        let em = ExpectationMaximization()
        var m = FellegiSunterModel.defaultM
        var iterations = 0, converged = true
        let sessions: [(select: (ComparisonVector) -> Bool, ignoring: Set<ComparisonField>, learns: [ComparisonField])] = [
            ({ $0[.dateOfBirth] == UInt8(ComparisonField.dateOfBirth.levelCount - 1) }, [.dateOfBirth], ComparisonField.allCases.filter { $0 != .dateOfBirth }),
            ({ ($0[.givenName] ?? 0) >= 4 && ($0[.familyName] ?? 0) >= 3 }, [.givenName, .familyName], [.dateOfBirth]),
        ]
        for session in sessions {
            let selected = Self.distinctCounts(vectors.filter(session.select))
            guard selected.reduce(0, { $0 + $1.1 }) >= 20 else { continue }  // too few pairs to learn from
            let result = em.estimate(vectors: selected, initialM: m, initialU: randomU, ignoring: session.ignoring)
            for field in session.learns { m[field.rawValue] = result.m[field.rawValue] }
            iterations += result.iterations
            converged = converged && result.converged
        }
        if checkingM {
            let builtIn = FellegiSunterModel(m: FellegiSunterModel.defaultM, u: randomU, matchPrior: 1 / Double(max(features.count, 2)))
            let learnt = assessed(
                m: m, u: randomU, records: features.count, vectors: vectors, emIterations: iterations, converged: converged, against: builtIn)
            if let reason = learnt.setAsideBecause(minimumKnownPairs: 0) {
                statistics.learntMSetAside = reason
                m = FellegiSunterModel.defaultM
            }
        }
        let all = Self.distinctCounts(vectors)
        statistics.distinctVectors = all.count
        let shares = em.estimate(vectors: all, initialM: m, initialU: randomU, fixingM: true)
        statistics.emIterations = iterations + shares.iterations
        statistics.emConverged = converged && shares.converged
        let n = Double(features.count)
        let allPairs = max(1, n * (n - 1) / 2)
        let expectedMatches = shares.matchShare * Double(vectors.count)
        let prior = min(max(expectedMatches / allPairs, 1e-12), 0.5)
        return FellegiSunterModel(m: m, u: randomU, matchPrior: prior)
    }

    /// Distinct vectors with their counts, in a fixed order (so sums come out the same every run).
    private static func distinctCounts(_ vectors: [ComparisonVector]) -> [(ComparisonVector, Int)] {
        var counts: [UInt32: Int] = [:]
        for vector in vectors { counts[vector.packed, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { (ComparisonVector(packed: $0.key), $0.value) }
    }

    /// u per field and level from random pairs (every pair when there are fewer than
    /// `randomPairs`), blended with the built-in u as if it had been seen on 1,000 pairs, so a
    /// small batch still gets sensible probabilities and no level is impossible.
    private func randomPairU(_ features: [RecordFeatures]) -> [[Double]] {
        let pseudoPairs = 1_000.0
        var counts = FellegiSunterModel.defaultU.map { $0.map { $0 * pseudoPairs } }
        func add(_ a: Int, _ b: Int) {
            let vector = RecordComparison.compare(features[a], features[b])
            for field in ComparisonField.allCases {
                if let level = vector[field] { counts[field.rawValue][Int(level)] += 1 }
            }
        }
        let n = features.count
        if n > 1 && n * (n - 1) / 2 <= configuration.randomPairs {
            for a in 0..<(n - 1) { for b in (a + 1)..<n { add(a, b) } }
        } else if n > 1 {
            var generator = SplitMix64(seed: configuration.seed)
            for _ in 0..<configuration.randomPairs {
                let a = Int.random(in: 0..<n, using: &generator)
                var b = Int.random(in: 0..<(n - 1), using: &generator)
                if b >= a { b += 1 }
                add(a, b)
            }
        }
        return counts.map { $0.normalised() }
    }
}

/// Match weights with the term-frequency adjustment: an exact agreement on a name (or an
/// address) weighs log2(m / share of records with that value) instead of log2(m / u).
struct PairScorer {
    let model: FellegiSunterModel
    let features: [RecordFeatures]
    let adjust: Bool
    let givenFrequencies: TermFrequencies
    let familyFrequencies: TermFrequencies
    let addressFrequencies: TermFrequencies
    let weighAddresses: Bool

    init(model: FellegiSunterModel, features: [RecordFeatures], configuration: ResolverConfiguration) {
        self.model = model
        self.features = features
        adjust = configuration.termFrequencyAdjustment
        givenFrequencies = TermFrequencies(
            values: features.compactMap { $0.givenNames.first?.first }, total: features.count,
            average: model.u[ComparisonField.givenName.rawValue][ComparisonField.givenName.levelCount - 1])
        familyFrequencies = TermFrequencies(
            values: features.compactMap { $0.familyNames.first?.compact }, total: features.count,
            average: model.u[ComparisonField.familyName.rawValue][ComparisonField.familyName.levelCount - 1])
        weighAddresses = adjust && configuration.addressFrequencyAdjustment
        addressFrequencies = TermFrequencies(
            // Counted as an index counts them (`NameKey.keys`): the line in its postal code and in its city.
            values: weighAddresses
                ? features.flatMap { NameKey.keys(of: $0, weighAddresses: true).filter { $0.field.comparisonField == .address }.map(\.folded) } : [],
            total: features.count,
            average: model.u[ComparisonField.address.rawValue][ComparisonField.address.levelCount - 1])
    }

    /// How many of the batch's records carry the rarer of two records' given names (counted as
    /// for the weights and as an index counts them: `NameKey.counted`).
    func rarestGivenName(_ a: Int, _ b: Int) -> Int? {
        guard let x = NameKey.counted(.givenName, of: features[a]), let y = NameKey.counted(.givenName, of: features[b]) else { return nil }
        return min(givenFrequencies.count(x), givenFrequencies.count(y))
    }

    func weight(_ a: Int, _ b: Int, _ vector: ComparisonVector) -> Double {
        var total = model.matchWeight(vector)
        guard adjust else { return total }
        for name in NameKey.exactAgreements(features[a], features[b], vector, weighAddresses: weighAddresses) {
            switch name.field {
            case .givenName: total += adjustment(.givenName, share: givenFrequencies.share(name.folded))
            case .familyName: total += adjustment(.familyName, share: familyFrequencies.share(name.folded))
            case .address, .addressInCity:
                // Both records of the pair are among the batch's counted records.
                let u = model.u[ComparisonField.address.rawValue][ComparisonField.address.levelCount - 1]
                total += TermFrequencies.addressAdjustment(
                    count: addressFrequencies.count(name.folded), ownRecordsCounted: 2, total: features.count, u: u)
            }
        }
        return total
    }

    /// Bits to add to the exact level's weight: log2(u / share).
    private func adjustment(_ field: ComparisonField, share: Double) -> Double {
        let u = model.u[field.rawValue][field.levelCount - 1]
        return log2(u / share)
    }
}
