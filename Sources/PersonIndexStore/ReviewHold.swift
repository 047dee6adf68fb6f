/// Why the index sent a pair to review instead of linking it, as it judged when it held the
/// pair: stored with the review and sent on `bus.identity.review-requested` (version 2), so a
/// reviewer learns which other record made a strong pair doubtful instead of guessing it from
/// the pair's own fields. Names records by id only, never a value.
public struct ReviewHold: Sendable, Hashable {
    public enum Cause: String, Sendable, Hashable, CaseIterable, Codable {
        /// The score is below the link threshold.
        case belowLinkThreshold = "below_link_threshold"
        /// The score reaches the link threshold, but the pair's own fields keep the model from
        /// linking it: given names that do not closely agree, sexes or numbers that differ,
        /// dates of birth two components apart, a bare initial without both dates.
        case fields
        /// The pair would link if nothing else could be the person (a bare initial, a rare
        /// misspelled given name, a missing date of birth, a nickname of several names), but another person is plausible too, or a record of one person
        /// contradicts a record of the other (twins; given names only close beside a missing sex,
        /// and the persons' records give different sexes): `records` names that record.
        case anotherPersonPlausible = "another_person_plausible"
        /// The dates of birth differ in one component and each person's records confirm their
        /// own date: two people, not a typo.
        case datesConfirmedApart = "dates_confirmed_apart"
        /// A record of one person and a record of the other carry different numbers of a kind
        /// one person has one of (state IDs, FBI numbers, DOC numbers of one state): `records`
        /// names the two.
        case personsCarryDifferentNumbers = "persons_carry_different_numbers"
        /// A reviewer decided a pair of the two persons' records distinct: `records` names it.
        case decidedDistinct = "decided_distinct"
    }

    public var cause: Cause
    /// The records, other than the pair, that made it doubtful (see each cause); empty when
    /// the pair alone explains the hold.
    public var records: [String]

    public init(_ cause: Cause, records: [String] = []) {
        self.cause = cause
        self.records = records
    }

    /// One line for a reviewer, naming the records involved by id.
    public var explanation: String {
        let named = records.joined(separator: " and ")
        switch cause {
        case .belowLinkThreshold: return "the score is below the link threshold"
        case .fields: return "the pair's own fields keep the model from linking it"
        case .anotherPersonPlausible:
            return records.isEmpty ? "another person is plausible too" : "another person is plausible too (record \(named))"
        case .datesConfirmedApart: return "each person's records confirm a different date of birth"
        case .personsCarryDifferentNumbers:
            return "records \(named) of the two persons carry different state IDs, FBI numbers or DOC numbers"
        case .decidedDistinct: return "a reviewer decided records \(named) are different people"
        }
    }
}
