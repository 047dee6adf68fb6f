import PersonIndex

/// A pair of records the model scored between the thresholds, waiting for a human: both
/// records whole (an operator compares them side by side), their persons, the score and its
/// reasons. Personal data: for an operator's terminal, never for logs above debug.
public struct PendingReview: Sendable, Hashable {
    public var a: PersonRecord
    public var b: PersonRecord
    public var aPersonId: String
    public var bPersonId: String
    /// Match probability.
    public var score: Double
    /// Field by field: the agreement level and its weight in bits.
    public var reasons: [IdentityEvent.Reason]
    /// Why the index held the pair, as it judged then (nil for a pair held before the index
    /// stored it).
    public var hold: ReviewHold?
    /// The records the hold names, other than the pair's own, that the index still holds:
    /// what the reviewer compares the pair with.
    public var heldByRecords: [PersonRecord]

    public init(
        a: PersonRecord, b: PersonRecord, aPersonId: String, bPersonId: String, score: Double, reasons: [IdentityEvent.Reason],
        hold: ReviewHold? = nil, heldByRecords: [PersonRecord] = []
    ) {
        self.a = a
        self.b = b
        self.aPersonId = aPersonId
        self.bPersonId = bPersonId
        self.score = score
        self.reasons = reasons
        self.hold = hold
        self.heldByRecords = heldByRecords
    }
}

/// A human's decision about a pair, as kept in the history (every one, oldest first).
public struct HumanDecision: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// The same person.
        case link
        /// Different people.
        case distinct
    }

    public var a: String
    public var b: String
    public var kind: Kind
    public var decidedBy: String
    /// Milliseconds since 1970.
    public var atMilliseconds: Int64
}

extension PendingReview {
    /// What kept the model from linking the pair on its own, for the reviewer beside the
    /// fields: the pair's own fields that weigh against a link (from its score and reasons),
    /// then, when the index stored it, what it judged from the other records (which record was
    /// plausible too, which records carry different numbers, which pair a reviewer parted).
    /// For a pair held before holds were stored, a doubt the pair cannot explain is named in
    /// general terms.
    public func heldBecause(linkThreshold: Double) -> [String] {
        func level(_ field: ComparisonField) -> String? { reasons.first { $0.field == field.description }?.level }
        var why: [String] = []
        if level(.identifiers) == "disagree" {
            why.append("the records carry different state IDs, FBI numbers or DOC numbers: two people unless one is mistyped")
        }
        if score < linkThreshold { why.append("the score is below the link threshold (\(linkThreshold))") }
        switch level(.givenName) {
        case "disagree": why.append("the given names disagree")
        case "initial": why.append("one given name is an initial only")
        case "sounds_alike": why.append("the given names only sound alike")
        default: break
        }
        if level(.sex) == "disagree" { why.append("the sexes differ") }
        // The store's hold of `PairComparison.linkUnlessSexesDisagree`, not any review of such a pair.
        if hold?.cause == .anotherPersonPlausible && score >= linkThreshold && level(.sex) == nil && level(.givenName) == "close" {
            why.append("a record lacks the sex and the given names are only close, while the persons' records give different sexes")
        }
        switch level(.dateOfBirth) {
        case nil: why.append("a date of birth is missing")
        case "disagree", "year_within_one", "one_component": why.append("the dates of birth differ")
        default: break
        }
        if let hold {
            switch hold.cause {
            case .belowLinkThreshold, .fields:
                if why.isEmpty { why.append(hold.explanation) }
            case .anotherPersonPlausible, .datesConfirmedApart, .personsCarryDifferentNumbers, .decidedDistinct:
                why.append(hold.explanation)
            }
            return why
        }
        // The three holds that link when nothing else is plausible; any other reason holds alone.
        let given = level(.givenName), born = level(.dateOfBirth)
        let namesClose = given == "close" || given == "nickname" || given == "agree"
        let heldOnlyAsAmbiguous = score >= linkThreshold && level(.identifiers) != "disagree" && level(.sex) != "disagree"
            && ((given == "initial" && (born == "agree" || born == "swapped")) || (namesClose && (born == nil || born == "one_component")))
        if why.isEmpty || heldOnlyAsAmbiguous {
            why.append(
                "another record made it doubtful: another person plausible too, different numbers among the persons' other records, "
                    + "or an earlier decision that they are distinct")
        }
        return why
    }
}
