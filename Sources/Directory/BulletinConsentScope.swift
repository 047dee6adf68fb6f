import Contracts
import Foundation

/// Which police agencies a mental-health bulletin's consent scope includes.
///
/// The contract gives the scope as the person's own words (free text: "Kansas City Police
/// Department patrol and crisis intervention team"), so it is read word by word, case and
/// accents folded, punctuation ignored, and least disclosure decides whatever the words leave
/// open:
///
/// 1. **A negation denies every agency.** A scope with "not", "no", "nor", "never", "except",
///    "excluding", "exclude(s/d)", "without", "cannot", "other than" or an "n't" contraction
///    includes no agency at all, named or not: the router cannot tell what the words exclude
///    ("clinicians only, not police"; "not the Kansas City Police Department"). A person who
///    consents to one agency only names it ("Kansas City Police Department crisis team"),
///    which already leaves out every other.
/// 2. **Police must be spoken of.** The scope must say "police", "law enforcement" or
///    "sheriff(s)"; without, it includes no agency (it is consent to someone else).
/// 3. **Named agencies only.** When the scope names police or sheriff agencies of the directory
///    (whole words: the agency id, its name, or its name without its state — "Kansas City
///    Police Department" names "Kansas City Missouri Police Department"), it includes those
///    agencies and no other. A name found only inside a longer name the scope gives (another
///    agency's) does not count. A name that stands for several agencies (without their states,
///    "Kansas City Police Department" is both Kansas City Missouri's and Kansas City Kansas's)
///    names an agency but includes none of them: the words do not say which. Other agencies
///    named (a department of corrections, a clinic) are not police and change nothing here,
///    except that a place in their names counts under 4 ("Independence Center clinic and
///    police" is Independence's police): narrower than police in general, never wider.
/// 4. **Police of a place.** When it names none, a place a police or sheriff agency of the
///    directory serves (a city or town of its jurisdiction, or a county as "<name> County")
///    names the agencies serving it: "Independence police crisis team" names Independence's
///    police; a state's name and then "police" or "sheriff" right after the place narrow it
///    ("Kansas City Kansas police", "Clay County sheriff"). A place several agencies still
///    serve ("Kansas City police", on both sides of the state line) names an agency but
///    includes none, as in 3. Only when no agency is named by name:
///    "Kansas City Missouri Police Department in Independence" stays Kansas City's alone.
/// 5. **Police in general.** When it names neither an agency nor a place, it includes every
///    police or sheriff agency ("police", "local law enforcement crisis teams").
///
/// Here, beside the agency directory it reads, so that the router (which delivers a bulletin)
/// and the police view (which shows it) decide by the same words. Pure: no storage, no clock.
public enum BulletinConsentScope {
    /// What the words of a scope say.
    public struct Reading: Equatable, Sendable {
        /// A negation or exclusion word is there: no agency is included.
        public var denies: Bool
        /// Police, law enforcement or a sheriff are spoken of.
        public var speaksOfPolice: Bool
        /// The police and sheriff agencies of the directory the scope names.
        public var named: Set<String>
        /// The scope gives a name several such agencies carry (their names without their
        /// states alike): it names an agency, but not which.
        public var namesAmbiguously: Bool = false

        /// Whether the scope names some agency, known or not: then police in general are not
        /// included.
        public var namesAnAgency: Bool { !named.isEmpty || namesAmbiguously }
    }

    static let policeTerms: [[String]] = [["police"], ["law", "enforcement"], ["sheriff"], ["sheriffs"]]
    static let negations: [[String]] = [
        ["not"], ["no"], ["nor"], ["never"], ["except"], ["excepting"], ["excluding"], ["exclude"], ["excludes"], ["excluded"],
        ["without"], ["cannot"], ["other", "than"],
    ]

    /// Whether the scope includes the police agency `agencyId` (of kind `kind`; nil for an
    /// address outside the directory, which stands for the police of a place).
    public static func includes(_ scope: String, agencyId: String, kind: AgencyKind?, directory: AgencyDirectory) -> Bool {
        read(scope, directory: directory).includes(agencyId: agencyId, kind: kind)
    }

    /// Whether the scope may include some police agency, whatever the directory names: no
    /// negation, and police spoken of. A scope failing this includes none.
    public static func mayIncludePolice(_ scope: String) -> Bool {
        let words = words(of: scope)
        return !denies(words) && speaksOfPolice(words)
    }

    public static func read(_ scope: String, directory: AgencyDirectory) -> Reading {
        let words = words(of: scope)
        var naming = named(in: words, directory: directory)
        if naming.agencies.isEmpty, !naming.ambiguous { naming = namedByPlace(in: words, directory: directory) }
        return Reading(denies: denies(words), speaksOfPolice: speaksOfPolice(words), named: naming.agencies, namesAmbiguously: naming.ambiguous)
    }

    // MARK: Words

    /// The scope's words: case and accents folded, split at anything neither letter nor digit.
    static func words(of text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    private static func denies(_ words: [String]) -> Bool {
        if negations.contains(where: { !occurrences(of: $0, in: words).isEmpty }) { return true }
        // "don't", "isn't", "won't": split as "don" "t".
        return zip(words, words.dropFirst()).contains { $1 == "t" && $0.hasSuffix("n") }
    }

    private static func speaksOfPolice(_ words: [String]) -> Bool {
        policeTerms.contains { !occurrences(of: $0, in: words).isEmpty }
    }

    /// The police and sheriff agencies named, each by its longest match (a match lying inside
    /// another agency's longer match is that agency's words, not a naming), and whether a name
    /// several of them carry was given (`ambiguous`: such a match names none of them).
    private static func named(in words: [String], directory: AgencyDirectory) -> (agencies: Set<String>, ambiguous: Bool) {
        // `agencyId` nil for a phrase several agencies carry.
        let matches = phraseMatches(in: words, directory: directory, by: phrases(of:))
            .map { (agencyId: $0.agencies.count == 1 ? $0.agencies[0].agencyId : nil, range: $0.range) }
        let kept = matches.filter { match in
            !matches.contains { other in other.agencyId != match.agencyId && contains(other.range, match.range) }
        }
        return (Set(kept.compactMap(\.agencyId)), kept.contains { $0.agencyId == nil })
    }

    /// The agencies a place names (rule 4): those serving each place the words give, narrowed by
    /// a state's name right after it ("Kansas City Kansas police") and then by the force named
    /// right after that ("Clay County sheriff": the sheriffs serving it; "… police": the police).
    /// A place inside a longer one's words ("Kansas City" in "North Kansas City") is the longer
    /// one's. A place still served by several agencies names an agency but includes none, and
    /// so does one that none of the agencies it was narrowed to serves.
    private static func namedByPlace(in words: [String], directory: AgencyDirectory) -> (agencies: Set<String>, ambiguous: Bool) {
        let matches = phraseMatches(in: words, directory: directory, by: placePhrases(of:))
        let kept = matches.filter { match in !matches.contains { contains($0.range, match.range) } }
        var named = Set<String>()
        var ambiguous = false
        for match in kept {
            var agencies = match.agencies
            var next = match.range.upperBound
            if let state = stateNamed(at: next, in: words) {
                agencies = agencies.filter { $0.jurisdiction.state.uppercased() == state.code }
                next += state.length
            }
            if next < words.count {
                switch words[next] {
                case "sheriff", "sheriffs": agencies = agencies.filter { $0.kind == .sheriff }
                case "police": agencies = agencies.filter { $0.kind == .police }
                default: break
                }
            }
            if agencies.count == 1 { named.insert(agencies[0].agencyId) } else { ambiguous = true }
        }
        return (named, ambiguous)
    }

    /// Each occurrence in `words` of a phrase that `phrases` gives for some police or sheriff
    /// agency of the directory, with every such agency giving it (each once).
    private static func phraseMatches(
        in words: [String], directory: AgencyDirectory, by phrases: (AgencyDescribed) -> [[String]]
    ) -> [(range: Range<Int>, agencies: [AgencyDescribed])] {
        var carriers: [[String]: [String: AgencyDescribed]] = [:]
        for entry in directory.entries.values where entry.kind == .police || entry.kind == .sheriff {
            for phrase in phrases(entry) { carriers[phrase, default: [:]][entry.agencyId] = entry }
        }
        return carriers.flatMap { phrase, agencies in
            occurrences(of: phrase, in: words).map { (range: $0..<$0 + phrase.count, agencies: Array(agencies.values)) }
        }
    }

    /// Whether `inner` lies inside `outer` and is shorter.
    private static func contains(_ outer: Range<Int>, _ inner: Range<Int>) -> Bool {
        outer.count > inner.count && outer.lowerBound <= inner.lowerBound && inner.upperBound <= outer.upperBound
    }

    /// The state whose name starts at `index` of `words`, and how many words it takes.
    private static func stateNamed(at index: Int, in words: [String]) -> (code: String, length: Int)? {
        stateWords.first { index + $0.words.count <= words.count && words[index..<index + $0.words.count].elementsEqual($0.words) }
            .map { ($0.code, $0.words.count) }
    }

    /// Each state's name as words, read once.
    private static let stateWords: [(code: String, words: [String])] = usStates.map { ($0.key, words(of: $0.value)) }

    /// The word sequences naming an agency: its id, its name, and its name without its state's
    /// name (except as the name's first word: "Kansas City Kansas Police
    /// Department" without its state is "Kansas City Police Department").
    static func phrases(of entry: AgencyDescribed) -> [[String]] {
        let name = words(of: entry.name)
        var phrases = [words(of: entry.agencyId), name]
        if let state = usStates[entry.jurisdiction.state.uppercased()].map({ words(of: $0) }) {
            var shorter = name
            for start in occurrences(of: state, in: name).reversed() where start > 0 { shorter.removeSubrange(start..<start + state.count) }
            if shorter != name, !shorter.isEmpty { phrases.append(shorter) }
        }
        return phrases.filter { !$0.isEmpty }
    }

    /// The word sequences naming the places an agency serves: its places, and its counties
    /// followed by "county" (a county's name alone is often a person's: "Jackson").
    static func placePhrases(of entry: AgencyDescribed) -> [[String]] {
        let places = (entry.jurisdiction.places ?? []).map { words(of: $0) }
        let counties = (entry.jurisdiction.counties ?? []).map { county -> [String] in
            let name = words(of: county)
            return name.last == "county" ? name : name + ["county"]
        }
        return (places + counties).filter { !$0.isEmpty }
    }

    /// The starting indexes of `phrase` in `words`, whole words only.
    private static func occurrences(of phrase: [String], in words: [String]) -> [Int] {
        guard !phrase.isEmpty, phrase.count <= words.count else { return [] }
        return (0...(words.count - phrase.count)).filter { start in words[start..<start + phrase.count].elementsEqual(phrase) }
    }

    private static let usStates: [String: String] = [
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
        "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
        "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
        "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
        "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
        "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
        "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
        "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
        "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    ]
}

extension BulletinConsentScope.Reading {
    /// Whether this reading includes the agency `agencyId` of kind `kind` (nil: a place's police
    /// outside the directory, included only by general terms).
    public func includes(agencyId: String, kind: AgencyKind?) -> Bool {
        guard !denies, speaksOfPolice else { return false }
        if namesAnAgency { return named.contains(agencyId) }
        return kind.map { $0 == .police || $0 == .sheriff } ?? true
    }
}
