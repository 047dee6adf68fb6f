/// Given names that agree, but leave open which formal name is meant: a nickname of several
/// formal names ("Tina" beside "Christina": Christine is a Tina too; "Al" beside "Albert"), or
/// two close names the nickname table knows as two ("Christina" and "Christine", "Chrisbsy" — a
/// Chrissy — beside "Christina"). Twins of one birth share every other field, so such a pair is
/// linked only when no record names another of those formal names. The batch resolver
/// (`PlausiblePartners.hasNamedRival`) and the index's store judge by these same two rules.
public enum GivenNameDoubt {
    /// Whether a plausible partner of a pair's record, in neither of the pair's persons, is a
    /// rival: its given name stands for a formal name the record's own may stand for, but for
    /// none of those the pair shares (`shared`). A partner whose name the table does not know
    /// (an initial) or that fits a shared name is as likely the same person, and no rival.
    public static func isRival(partner: Set<String>, own: Set<String>, shared: Set<String>) -> Bool {
        !partner.isEmpty && partner.isDisjoint(with: shared) && !partner.isDisjoint(with: own)
    }

    /// Whether two records, one of each person a doubtful pair would join, name two people:
    /// each name stands for formal names and they have none in common.
    public static func nameTwoPeople(_ x: Set<String>, _ y: Set<String>) -> Bool {
        !x.isEmpty && !y.isEmpty && x.isDisjoint(with: y)
    }
}

extension PreparedRecord {
    /// Every formal name the record's given names may stand for (`RecordFeatures.formalGivenNames`).
    public var formalGivenNames: Set<String> { features.formalGivenNames }
}
