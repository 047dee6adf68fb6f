/// How the resolver decides. The defaults favour precision: a wrong link sends one person's
/// notice about another, a missed one goes to review or stays distinct.
public struct ResolverConfiguration: Sendable, Equatable {
    /// Match probability at or above which a pair is linked. Default: 0.99 (on the synthetic
    /// benchmark data: precision about 0.998, recall about 0.94; 0.999 trades recall for review).
    public var linkThreshold: Double = 0.99
    /// Match probability at or above which a pair not linked goes to review. Default: 0.5.
    public var reviewThreshold: Double = 0.5
    /// Blocking passes. Default: all.
    public var blockingPasses: [BlockingPass] = BlockingPass.allCases
    /// Blocks with more records are not compared (a placeholder value shared by thousands of
    /// records would otherwise make the work quadratic); their number is reported. Default: 1,000.
    public var maximumBlockSize = 1_000
    /// Random pairs the u probabilities are estimated from. Default: 50,000.
    public var randomPairs = 50_000
    /// Seed of the random pairs (the same seed gives the same scores). Default: 0x5EED.
    public var seed: UInt64 = 0x5EED
    /// Weigh an exact name agreement by how common the name is (Smith weighs less than
    /// Zielinski). Default: true.
    public var termFrequencyAdjustment = true
    /// With `termFrequencyAdjustment`: weigh an agreement on the address (the same street line
    /// in the same postal code or city) by how many records give that address, as a name is
    /// weighed. Many unrelated people give one shelter's or halfway house's address; at 15 %
    /// of persons spread over five such addresses (`SyntheticPopulation.Noise.sharedAddress`)
    /// it kept two people named alike from being linked by the address alone. Default: true.
    public var addressFrequencyAdjustment = true
    /// A pair is linked only when its given names agree at least closely (equal, nickname, one
    /// typo — not merely by sound or initial) and its sexes do not disagree; otherwise it is at
    /// most sent to review. Under the model's independence assumption twins (same family name,
    /// date of birth and address) and a bare initial beside a full name would otherwise score as
    /// one person. (Letting sound-alike names link gained 0.4–0.9 points of recall on the
    /// benchmark data and cost up to 0.2 points of precision.) A pair of close names with a sex
    /// missing links unless a record of one person and one of the other give different sexes
    /// (`PersonResolver.closeNamesWithoutBothSexes`: twins Mark and Mary). Default: true.
    public var linkNeedsGivenNameAndSex = true
    /// With `linkNeedsGivenNameAndSex`: a pair held back only because one given name is a bare
    /// initial of the other, with the dates of birth agreeing, is linked when it is unambiguous:
    /// neither record has a plausible partner (linked or sent to review) in a third person, and
    /// no record of the one person contradicts a record of the other (given names or sexes
    /// disagreeing outright). A twin or a namesake of the same date of birth keeps it in review.
    /// Default: true.
    public var linkUnambiguousGivenNames = true
    /// With `linkUnambiguousGivenNames`: a pair held back only because its given names merely
    /// sound alike, one of them rare among the records (`misspellingAtMostRecords`: a
    /// misspelling such as "Katelynn" beside "Kaitlyn"), the two not known to the nickname
    /// table as two names ("James" and "John" stay in review), with the dates of birth agreeing
    /// and both records giving the same sex (names of one sound are often a man's and a
    /// woman's: Lauren and Lawrence), is linked when unambiguous in the same sense. Twins are
    /// often given names of one sound ("Sarah" and "Sandra"): common names are not taken for
    /// misspellings. On the benchmark data (five seeds of 5,000 × 5,000) this took 4–10 % of
    /// the true pairs out of review with no false pair more; without the rarity condition,
    /// 100,000 records had two pairs of twins joined. Default: true.
    public var linkMisspelledGivenNamesWhenUnambiguous = true
    /// With `linkMisspelledGivenNamesWhenUnambiguous`: a given name is rare enough to be a
    /// misspelling when at most this many of the records counted carry it (a batch counts all
    /// of its records, the pair's own included; an index those counted at its last learning,
    /// and none while `termFrequencyAdjustment` is off, so that the rule then links nothing
    /// there). Default: 2.
    public var misspellingAtMostRecords = 2
    /// A pair that would be linked while one of its records has no date of birth is linked only
    /// when unambiguous (as `linkUnambiguousGivenNames` says): names and an address alone fit a
    /// parent and a child of the same name, or two namesakes, as well as one person. Default: true.
    public var linkWithoutDateOfBirthOnlyWhenUnambiguous = true
    /// With `linkWithoutDateOfBirthOnlyWhenUnambiguous`: a plausible partner whose pair weighs
    /// at least this many bits less than the undated pair's is no rival (a namesake at another
    /// address beside the same name at the record's own address: 2^8 times less likely to be the
    /// person). A partner nearly as strong (a parent and a child of one name at one address)
    /// still keeps the pair in review. On the benchmark data (five seeds of 5,000 × 5,000)
    /// margins of 4 to 12 bits linked the same pairs within a few; nil counts every partner.
    /// Default: 8.
    public var undatedRivalMargin: Double? = 8
    /// A pair that would be linked while its dates of birth differ in one component (neither
    /// equal nor day and month swapped) is linked after the confident links, and not at all when each person
    /// already has a date of birth that two of its records agree on and the two dates differ: a
    /// typo shows in one record, not in every record of a person, so two persons each sure of
    /// their own date are namesakes (a father and son, two men of one name born a day apart).
    /// Default: true.
    public var linkDifferingDatesUnlessConfirmedApart = true
    /// The model never joins two persons whose records carry different numbers of a kind one
    /// person has one of (state IDs, FBI numbers, DOC numbers of one state): the agencies'
    /// fingerprint-based records say two people, or one number is mistyped, and which is for a
    /// human to say. The pair, or the link that would merge the two persons, goes to review
    /// instead; a reviewer's `link` still joins them. Without it twins of one date of birth
    /// and address with near names ("Christina" and "Christine") scored as one person over
    /// their own state IDs. Default: true.
    public var conflictingIdentifiersBlockLinks = true
    /// A pair that would be linked while its given names leave the formal name open — a
    /// nickname of several formal names ("Tina" beside "Christina": Christine is a Tina too;
    /// "Al" beside "Albert"), or two close names the nickname table knows as two ("Christina"
    /// and "Christine") — is linked only when no record names another of those formal names,
    /// as a plausible partner in a third person or as a record of either person
    /// (`GivenNameDoubt`): twins named Christina and Christine share every field but the given
    /// name, and a "Tina" fits both. Names that fix one formal name ("Bill" beside "William")
    /// link as before, and so do two spellings of one name (Catherine and Katherine). On the
    /// benchmark data (five seeds of 5,000 × 5,000) this removed 4 and 4 of the 8 and 9 false
    /// pairs of two seeds, for one true pair more in review on each of them. Default: true.
    public var ambiguousNicknamesLinkOnlyWhenUnambiguous = true

    public init() {}

    /// Both thresholds are probabilities and review is not above link.
    public var problems: [String] {
        var problems: [String] = []
        if !(0...1).contains(linkThreshold) { problems.append("the link threshold must be a probability between 0 and 1") }
        if !(0...1).contains(reviewThreshold) { problems.append("the review threshold must be a probability between 0 and 1") }
        if reviewThreshold > linkThreshold { problems.append("the review threshold must not be above the link threshold") }
        if maximumBlockSize < 2 { problems.append("the maximum block size must be at least 2") }
        if misspellingAtMostRecords < 1 { problems.append("a misspelling must be allowed at least one record") }
        if let margin = undatedRivalMargin, !(margin >= 0) { problems.append("the undated rival margin must be a number of bits, zero or more") }
        if randomPairs < 1 { problems.append("at least one random pair is needed to estimate u") }
        return problems
    }
}
