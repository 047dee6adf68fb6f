/// Compares one record at a time with the records its blocking keys reach, for an index that
/// grows as records arrive (the person index's store) rather than resolving a whole batch.
///
/// A batch estimates its model from itself (EM); a record arriving alone has nothing to learn
/// from, so the matcher scores with a fixed model: by default the built-in m and u (estimated
/// on the synthetic benchmark data) and the prior of the population the index serves
/// (`builtInModel(population:)`). How common each name is among the index's records comes
/// from the index (``NameCounts``), which counts them when it learns.
/// Decisions follow the same rules as the batch resolver (`ResolverConfiguration`).
public struct IncrementalMatcher: Sendable {
    public var configuration: ResolverConfiguration
    public var model: FellegiSunterModel

    /// The number of people an index serves unless its deployment says otherwise
    /// (`persons.population`): a few counties' worth of people with records.
    public static let defaultPopulation = 100_000

    /// The built-in model for the default population: a prior of 1 in 100,000.
    public static let builtInModel = builtInModel(population: defaultPopulation)

    /// The built-in m and u with the prior of a population of `population` people: the chance
    /// that two records drawn at random are one person is about one in the number of people
    /// the records describe (for people with several records each). A prior too low for the
    /// population sends true pairs to review that the evidence would link; one too high links
    /// namesakes on weaker evidence, so the deployment says how many people its agencies
    /// record rather than the index guessing from its own, at first tiny, size.
    public static func builtInModel(population: Int) -> FellegiSunterModel {
        FellegiSunterModel(m: FellegiSunterModel.defaultM, u: FellegiSunterModel.defaultU, matchPrior: 1 / Double(max(population, 2)))
    }

    public init(configuration: ResolverConfiguration = ResolverConfiguration(), model: FellegiSunterModel = IncrementalMatcher.builtInModel) {
        self.configuration = configuration
        self.model = model
    }

    /// The record's blocking keys, each prefixed with its pass: two records are compared when
    /// they share one. Stored beside the record, so a new record finds its candidates by index
    /// lookups instead of comparing with the whole store.
    public func blockingKeys(_ record: PersonRecord) -> [String] {
        let features = RecordFeatures(record)
        var keys = Set<String>()
        for pass in configuration.blockingPasses {
            for key in pass.keys(features) { keys.insert("\(pass.rawValue)|\(key)") }
        }
        return keys.sorted()
    }

    /// Compares two records and decides: link on a shared strong identifier; otherwise the
    /// model's probability against the two thresholds, a link needing the given names to agree
    /// at least closely and the sexes not to disagree, as in `PersonResolver`. Whether a review
    /// pair may link when unambiguous is marked; the store, which knows the other records,
    /// decides that.
    public func compare(_ a: PersonRecord, _ b: PersonRecord) -> PairComparison {
        compare(PreparedRecord(a), PreparedRecord(b))
    }

    /// `compare(_:_:)` on records prepared once: a record compared with many candidates is
    /// folded and keyed once, not once a candidate. Without name counts no name is known to be
    /// rare, so a pair of sound-alike given names is never marked linkable.
    public func compare(_ a: PreparedRecord, _ b: PreparedRecord) -> PairComparison {
        compare(a, b, vector: RecordComparison.compare(a.features, b.features), nameBits: ValueBits(), rarestGivenName: nil)
    }

    /// `compare(_:_:)` with an exact agreement on a name weighed by how many of the index's
    /// records carry it (`names`; unless `configuration.termFrequencyAdjustment` is off): a
    /// shared "Smith" is weaker evidence than a shared "Zielinski", as in a batch. The field's
    /// reason carries the adjusted weight.
    public func compare(_ a: PreparedRecord, _ b: PreparedRecord, names: NameCounts?) throws -> PairComparison {
        let vector = RecordComparison.compare(a.features, b.features)
        var bits = ValueBits()
        if let names, configuration.termFrequencyAdjustment, vector[.identifiers] != 1 {
            for name in NameKey.exactAgreements(a.features, b.features, vector, weighAddresses: configuration.addressFrequencyAdjustment) {
                switch name.field {
                case .givenName: bits.given = try names.adjustment(name, model: model)
                case .familyName: bits.family = try names.adjustment(name, model: model)
                case .address, .addressInCity: bits.address = try names.adjustment(name, model: model)
                }
            }
        }
        var rarest: Int?
        if let names, vector[.givenName] == 2 {
            rarest = try [a.features, b.features].map { features -> Int in
                guard let name = NameKey.counted(.givenName, of: features) else { return Int.max }
                return try names.count(NameKey(field: .givenName, folded: name))
            }.min()
        }
        return compare(a, b, vector: vector, nameBits: bits, rarestGivenName: rarest)
    }

    private func compare(
        _ a: PreparedRecord, _ b: PreparedRecord, vector: ComparisonVector, nameBits: ValueBits, rarestGivenName: Int?
    ) -> PairComparison {
        let x = a.features, y = b.features
        var reasons: [PairComparison.FieldReason] = []
        for field in ComparisonField.allCases {
            guard let level = vector[field] else { continue }
            let nameWeight: Double = switch field {
            case .givenName: nameBits.given
            case .familyName: nameBits.family
            case .address: nameBits.address
            default: 0
            }
            reasons.append(PairComparison.FieldReason(field: field, level: level, weight: model.weight(field, level: level) + nameWeight))
        }
        if vector[.identifiers] == 1 {
            let shared = Set(x.strongIdentifiers).intersection(y.strongIdentifiers)
            let kinds = Set(shared.map(\.kind)).sorted()
            return PairComparison(score: 1, decision: .link, sharedIdentifiers: kinds, reasons: reasons)
        }
        let weight = model.matchWeight(vector) + nameBits.family + nameBits.given + nameBits.address
        let probability = FellegiSunterModel.probability(weight: weight)
        var decision: PairComparison.Decision = switch PersonResolver.decision(probability: probability, vector: vector, configuration: configuration) {
        case .link: .link
        case .review: .review
        case nil: .distinct
        }
        let linkable = decision == .review
            && PersonResolver.linksWhenUnambiguous(
                probability: probability, vector: vector, x, y, rarestGivenName: rarestGivenName, configuration: configuration)
        var leftOpen: Set<String>?
        if decision == .link, let shared = PersonResolver.formalNamesLeftOpen(vector, x, y, configuration) {
            decision = .review
            leftOpen = shared
        }
        let linkableAcrossDates = decision == .review
            && PersonResolver.linksUnlessDatesConfirmedApart(probability: probability, vector: vector, configuration: configuration)
        var comparison = PairComparison(
            score: probability, weight: weight, decision: decision, sharedIdentifiers: [], reasons: reasons, linkableWhenUnambiguous: linkable,
            linkableUnlessDatesConfirmedApart: linkableAcrossDates, formalNamesLeftOpen: leftOpen)
        comparison.linkUnlessSexesDisagree = decision == .link && PersonResolver.closeNamesWithoutBothSexes(vector, configuration)
        return comparison
    }

    /// Bits added to the model's weight of an exact agreement on a value by how common the
    /// value is among the index's records (``NameCounts``): zero where nothing was counted.
    struct ValueBits {
        var given = 0.0
        var family = 0.0
        var address = 0.0
    }
}

/// A record with what comparing it needs (folded names, phonetic keys, normalised address and
/// identifiers) worked out once.
public struct PreparedRecord: Sendable {
    public let record: PersonRecord
    let features: RecordFeatures

    public init(_ record: PersonRecord) {
        self.record = record
        features = RecordFeatures(record)
    }
}
