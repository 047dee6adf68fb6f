/// One name (given or family) prepared once for many comparisons: its folded words, the words
/// run together ("garcia lopez" → "garcialopez", so compound surnames written with a hyphen, a
/// space or nothing agree), and NYSIIS keys.
struct NameFeatures: Sendable {
    /// Folded words, in order.
    let words: [[UInt8]]
    /// The words joined without separator.
    let compact: [UInt8]
    /// The words joined in reverse order, for a name of several words ("lopez garcia" →
    /// "garcialopez"): a compound surname written in the other order and run together; nil for
    /// one word.
    let reversedCompact: [UInt8]?
    /// NYSIIS of the compact form and of each word (a part of a compound surname on its own).
    let phoneticKeys: [String]
    /// The first word as a string, and the formal names it may be a nickname of.
    let firstString: String
    let formalNames: [String]
    /// The other forms of those formal names (the formal names and their diminutives, the first
    /// word itself left out), so a nickname with a typo is still seen as a form of the name.
    let otherForms: [[UInt8]]

    init?(words: [String]) {
        guard !words.isEmpty else { return nil }
        self.words = words.map { Array($0.utf8) }
        compact = Array(words.joined().utf8)
        reversedCompact = words.count > 1 ? Array(words.reversed().joined().utf8) : nil
        var keys = [NYSIIS.key(words.joined())]
        if words.count > 1 { keys += words.map(NYSIIS.key) }
        phoneticKeys = keys.filter { !$0.isEmpty }
        firstString = words[0]
        formalNames = Nicknames.formalNames(of: words[0])
        otherForms = Nicknames.otherForms(of: words[0])
    }

    var first: [UInt8] { words[0] }

    /// Every form of the formal names the first word stands for: ``otherForms`` and, when the
    /// table knows it, the first word itself.
    var knownForms: [[UInt8]] { formalNames.isEmpty ? otherForms : otherForms + [first] }

    /// ``formalNames`` with spellings of one name read as that name (`Nicknames.oneSpelling`).
    var formalNamesAsOneSpelling: Set<String> { Set(formalNames.map(Nicknames.oneSpelling)) }
}

/// Agreement levels of two names, best first. The model learns how much each level weighs.
enum NameLevel {
    /// Family names: 4 equal, 3 one shares a word of the other, or its words run together in
    /// the other order (a compound written one way or the other: "Garcia-Lopez" beside "Lopez
    /// Garcia", "Garcia" or "LOPEZGARCIA"), 2 close (one typing error, or Jaro–Winkler ≥ 0.92;
    /// also against the other order run together), 1 sound alike (NYSIIS), Jaro–Winkler ≥ 0.85
    /// or two typing errors apart ("Dmun" and "Ddunn", each a slip of Dunn: `isTwoSlipsApart`),
    /// 0 different.
    static func family(_ a: NameFeatures, _ b: NameFeatures) -> UInt8 {
        if a.compact == b.compact { return 4 }
        if a.words.count > 1 || b.words.count > 1 {
            for x in a.words where x.count >= 3 {
                if b.words.contains(x) { return 3 }
            }
            if a.reversedCompact == b.compact || b.reversedCompact == a.compact { return 3 }
        }
        if isClose(a.compact, b.compact) { return 2 }
        if let reversed = a.reversedCompact, isClose(reversed, b.compact) { return 2 }
        if let reversed = b.reversedCompact, isClose(reversed, a.compact) { return 2 }
        for x in a.words where x.count >= 4 {
            for y in b.words where y.count >= 4 && isClose(x, y) { return 2 }
        }
        if a.phoneticKeys.contains(where: { b.phoneticKeys.contains($0) }) { return 1 }
        if JaroWinkler.similarity(a.compact, b.compact) >= 0.85 { return 1 }
        if isTwoSlipsApart(a.compact, b.compact) { return 1 }
        return 0
    }

    /// Given names: 5 equal (first word, or all words run together), 4 nickname-equivalent
    /// (Bill, William), 3 close (one typing error, Jaro–Winkler ≥ 0.92, one's first word among
    /// the other's words, or a word the table does not know, of four letters or more, one typing
    /// error from another form of the other's name: "Bpll" for Bill, William; or a short word
    /// that is no name, one slip of a short form of the other's name: "Kn" or "Jno" beside
    /// Kenneth or John, `Nicknames.isShortSlip`), 2 sound alike (NYSIIS), Jaro–Winkler ≥ 0.85 or
    /// two typing errors apart (`isTwoSlipsApart`), 1 an initial that agrees with the other's
    /// first letter, 0 different. A known name or a short real one is not taken for a typo
    /// ("Roy" is not "Rob", "Dan" not "Don"): on the benchmark data that linked twins through
    /// their nicknames.
    static func given(_ a: NameFeatures, _ b: NameFeatures) -> UInt8 {
        if a.first == b.first || a.compact == b.compact { return 5 }
        if !a.formalNames.isEmpty && a.formalNames.contains(where: b.formalNames.contains) { return 4 }
        if isClose(a.first, b.first) || b.words.contains(a.first) || a.words.contains(b.first) { return 3 }
        if b.formalNames.isEmpty && b.first.count >= 4 && a.otherForms.contains(where: { $0.count >= 4 && isClose($0, b.first) }) { return 3 }
        if a.formalNames.isEmpty && a.first.count >= 4 && b.otherForms.contains(where: { $0.count >= 4 && isClose($0, a.first) }) { return 3 }
        if b.formalNames.isEmpty && a.knownForms.contains(where: { Nicknames.isShortSlip(b.first, of: $0) }) { return 3 }
        if a.formalNames.isEmpty && b.knownForms.contains(where: { Nicknames.isShortSlip(a.first, of: $0) }) { return 3 }
        if a.first.count == 1 || b.first.count == 1 {
            return a.first[0] == b.first[0] ? 1 : 0
        }
        if a.phoneticKeys.first == b.phoneticKeys.first && a.phoneticKeys.first != nil { return 2 }
        if JaroWinkler.similarity(a.first, b.first) >= 0.85 { return 2 }
        if isTwoSlipsApart(a.first, b.first) { return 2 }
        return 0
    }

    /// Two typing errors apart (optimal string alignment ≤ 2), with the same first letter and
    /// both of four letters or more: one name mistyped on each record ("Juxie" and "Jlie" for
    /// Julie, "Nanyc" and "Njncy" for Nancy), which neither sound nor Jaro–Winkler sees. A
    /// first letter is seldom mistyped; names two edits apart that begin otherwise (Marie and
    /// Carrie) are strangers' often enough to weaken the level for the misspellings it is for.
    static func isTwoSlipsApart(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        min(a.count, b.count) >= 4 && a[0] == b[0] && abs(a.count - b.count) <= 2 && OptimalStringAlignment.distance(a, b) <= 2
    }

    /// Whether two nickname-equivalent given names (level 4) leave open which formal name is
    /// meant: one of them may stand for a formal name the other cannot ("Tina" for Christina or
    /// Christine beside "Christina"; "Al" beside "Albert"). "Bill" beside "William", or "Liz"
    /// beside "Beth", name one formal name and are not ambiguous.
    static func isAmbiguousNickname(_ a: NameFeatures, _ b: NameFeatures) -> Bool {
        a.formalNamesAsOneSpelling != b.formalNamesAsOneSpelling
    }

    /// One edit apart (for words of three letters or more), or Jaro–Winkler ≥ 0.92.
    static func isClose(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if min(a.count, b.count) >= 3, abs(a.count - b.count) <= 1, OptimalStringAlignment.distance(a, b) <= 1 { return true }
        return JaroWinkler.similarity(a, b) >= 0.92
    }
}
