/// Common English given-name diminutives (Bill for William, Liz for Elizabeth): two given names
/// are nickname-equivalent when they are the same formal name or share one. A name may belong
/// to several formal names (Al: Albert, Alan, Alfred, Alexander), so equivalence is weaker
/// evidence than equality; the model weighs it as its own level.
public enum Nicknames {
    /// Formal name → its usual diminutives (folded: lower-case ASCII).
    public static let table: [String: [String]] = [
        "abigail": ["abby", "abbie", "gail"], "abraham": ["abe"], "albert": ["al", "bert", "bertie"],
        "alan": ["al"], "alfred": ["al", "alf", "fred", "freddie"], "alexander": ["al", "alex", "sandy", "xander"],
        "alexandra": ["alex", "sandra", "sandy", "lexi"], "andrew": ["andy", "drew"], "anthony": ["tony"],
        "barbara": ["barb", "babs"], "benjamin": ["ben", "benny", "benji"], "bernard": ["bernie"],
        "beverly": ["bev"], "bradley": ["brad"], "catherine": ["cathy", "cate", "kate", "katie"],
        "charles": ["charlie", "chuck", "chas"], "christine": ["chris", "chrissy", "tina"],
        "christopher": ["chris", "kit", "topher"], "clifford": ["cliff"], "cynthia": ["cindy"],
        "daniel": ["dan", "danny"], "david": ["dave", "davy"], "deborah": ["deb", "debbie", "debby"],
        "dennis": ["denny"], "donald": ["don", "donny"], "dorothy": ["dot", "dottie", "dolly"],
        "douglas": ["doug"], "edward": ["ed", "eddie", "ted", "teddy", "ned"], "edwin": ["ed", "eddie"],
        "elizabeth": ["liz", "lizzie", "beth", "betty", "betsy", "eliza", "libby", "lisa"],
        "eugene": ["gene"], "frances": ["fran", "frannie"], "francis": ["frank", "fran"],
        "frederick": ["fred", "freddie", "fritz"], "gabriel": ["gabe"], "gerald": ["gerry", "jerry"],
        "gregory": ["greg"], "harold": ["hal", "harry"], "henry": ["hank", "harry"], "herbert": ["herb", "bert"],
        "isaac": ["ike"], "jacob": ["jake"], "james": ["jim", "jimmy", "jamie"], "janet": ["jan"],
        "jeffrey": ["jeff"], "jennifer": ["jen", "jenny", "jenn"], "jessica": ["jess", "jessie"],
        "john": ["jack", "johnny", "jon"], "jonathan": ["jon", "jonny"], "joseph": ["joe", "joey"],
        "joshua": ["josh"], "judith": ["judy"], "katherine": ["kathy", "kate", "katie", "kay", "kitty"],
        "kathleen": ["kathy", "kate", "kay"], "kenneth": ["ken", "kenny"], "lawrence": ["larry"],
        "leonard": ["leo", "len", "lenny"], "louis": ["lou"], "margaret": ["maggie", "meg", "peggy", "marge", "madge"],
        "matthew": ["matt"], "michael": ["mike", "mikey", "mick", "mickey"], "nathaniel": ["nate", "nat"],
        "nathan": ["nate"], "nicholas": ["nick", "nicky"], "pamela": ["pam"], "patricia": ["pat", "patty", "trish", "tricia"],
        "patrick": ["pat", "paddy"], "peter": ["pete"], "philip": ["phil"], "phillip": ["phil"],
        "rebecca": ["becky", "becca"], "richard": ["rick", "ricky", "dick", "rich", "richie"],
        "robert": ["bob", "bobby", "rob", "robbie", "bert"], "ronald": ["ron", "ronnie"], "russell": ["russ"],
        "samantha": ["sam", "sammy"], "samuel": ["sam", "sammy"], "sandra": ["sandy"], "stephen": ["steve", "stevie"],
        "steven": ["steve", "stevie"], "susan": ["sue", "susie", "suzy"], "theodore": ["ted", "teddy", "theo"],
        "thomas": ["tom", "tommy"], "timothy": ["tim", "timmy"], "victoria": ["vicky", "tori"],
        "vincent": ["vince", "vinny"], "walter": ["walt", "wally"], "william": ["bill", "billy", "will", "willie", "liam"],
        "zachary": ["zach", "zack"], "virginia": ["ginny"], "terrence": ["terry"], "teresa": ["terry", "tess"],
        "raymond": ["ray"], "randall": ["randy"], "priscilla": ["cilla"], "melissa": ["missy", "mel"],
        "angela": ["angie"], "cassandra": ["cassie"], "jacqueline": ["jackie"], "gwendolyn": ["gwen"],
        "christina": ["chris", "tina"], "valerie": ["val"], "veronica": ["ronnie"], "suzanne": ["sue", "suzy"],
        "mitchell": ["mitch"], "maxwell": ["max"], "montgomery": ["monty"], "reginald": ["reggie", "reg"],
    ]

    /// For every name in the table (formal or diminutive), the formal names it stands for.
    private static let formalNames: [String: [String]] = {
        var index: [String: [String]] = [:]
        for (formal, diminutives) in table {
            index[formal, default: []].append(formal)
            for diminutive in diminutives { index[diminutive, default: []].append(formal) }
        }
        return index.mapValues { Array(Set($0)).sorted() }
    }()

    /// The formal names `name` (folded) may stand for; empty when the table does not know it.
    public static func formalNames(of name: String) -> [String] {
        formalNames[name] ?? []
    }

    /// For every name in the table, the other forms of the formal names it stands for (those
    /// formal names and their diminutives, itself left out), as bytes, sorted: worked out once,
    /// so that every record carrying the name shares one array (a store keeps many prepared
    /// records in memory).
    private static let otherForms: [String: [[UInt8]]] = {
        var index: [String: [[UInt8]]] = [:]
        for (name, formals) in formalNames {
            var forms = Set<String>()
            for formal in formals {
                forms.insert(formal)
                forms.formUnion(table[formal] ?? [])
            }
            forms.remove(name)
            index[name] = forms.sorted().map { Array($0.utf8) }
        }
        return index
    }()

    /// The formal names `name` (folded) may stand for, reading a name the table does not know,
    /// of six letters or more, as a typing error of a known one: the formal names of every
    /// form one edit away ("chrsitine" → Christine); and a word of two or three letters that is
    /// no name as a slip of a short form (`isShortSlip`: "jno" → John, Jonathan). Other names
    /// are left alone: many real names the table lacks are one edit from one it has (Marie from
    /// Marge, Jane from Janet). Empty when nothing is that close. Scans the table: for pairs
    /// whose given names leave the formal name open and the records judging them, not for
    /// every comparison.
    public static func formalNamesAllowingOneTypo(of name: String) -> [String] {
        let known = formalNames(of: name)
        let bytes = Array(name.utf8)
        if known.isEmpty, bytes.count <= 3 {
            var names = Set<String>()
            for (form, formals) in formalNames where isShortSlip(bytes, of: Array(form.utf8)) { names.formUnion(formals) }
            return names.sorted()
        }
        guard known.isEmpty, bytes.count >= 6 else { return known }
        var names = Set<String>()
        for (form, formals) in formalNames where form.utf8.count >= 4 && abs(form.utf8.count - bytes.count) <= 1 {
            if OptimalStringAlignment.distance(Array(form.utf8), bytes) <= 1 { names.formUnion(formals) }
        }
        return names.sorted()
    }

    /// Whether `word` (folded), of two or three letters and unknown to the table, reads as one
    /// slip of `form`, a known form of three or four letters with the same first letter: a word
    /// without a vowel one edit away ("kn", "jss", "dck", "rfb" for Ken, Jess, Dick, Rob: a
    /// letter dropped or struck wrongly), or two adjacent letters swapped ("jno", "tde" for Jon,
    /// Ted). A short word with a vowel one other edit away is often a real name the table lacks
    /// ("Roy" beside Rob, "Kim" beside Kit), and is left alone. Letting a dropped letter beside
    /// vowels count too ("Nik", "Ki") lowered `recall_decided` on two of the benchmark's ten
    /// seeds: EM learnt the levels' weights otherwise and other true pairs fell below review.
    static func isShortSlip(_ word: [UInt8], of form: [UInt8]) -> Bool {
        guard (2...3).contains(word.count), (3...4).contains(form.count), word.count <= form.count, form.count - word.count <= 1,
            word[0] == form[0], formalNames[String(decoding: word, as: UTF8.self)] == nil
        else { return false }
        if !word.contains(where: vowels.contains) { return OptimalStringAlignment.distance(word, form) <= 1 }
        guard word.count == form.count else { return false }
        let differ = word.indices.filter { word[$0] != form[$0] }
        return differ.count == 2 && differ[1] == differ[0] + 1 && word[differ[0]] == form[differ[1]] && word[differ[1]] == form[differ[0]]
    }

    private static let vowels = Array("aeiouy".utf8)

    /// Formal names the table lists apart that are spellings of one name, each to the one that
    /// stands for both: a Catherine beside a Katherine is not two names the way a Christina
    /// beside a Christine is (`GivenNameDoubt`).
    static let spellings: [String: String] = ["catherine": "katherine", "phillip": "philip", "steven": "stephen"]

    /// `formal` with a spelling of one name (`spellings`) read as that name.
    static func oneSpelling(_ formal: String) -> String {
        spellings[formal] ?? formal
    }

    /// The other forms of the formal names `name` (folded) may stand for; empty when the table
    /// does not know it.
    static func otherForms(of name: String) -> [[UInt8]] {
        otherForms[name] ?? []
    }

    /// Whether two different folded given names may name the same person by the table.
    public static func areEquivalent(_ first: String, _ second: String) -> Bool {
        let a = formalNames(of: first)
        guard !a.isEmpty else { return false }
        let b = formalNames(of: second)
        return b.contains { a.contains($0) }
    }
}
