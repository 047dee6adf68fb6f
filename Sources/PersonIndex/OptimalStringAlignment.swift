/// Damerau–Levenshtein distance in its optimal-string-alignment form: the fewest insertions,
/// deletions, substitutions and transpositions of two adjacent characters, where no substring
/// is edited twice. It differs from the unrestricted distance only on such double edits:
/// CA → ABC is 3 here (2 unrestricted). It is what typing errors need and costs O(n·m).
public enum OptimalStringAlignment {
    public static func distance<C: Collection>(_ a: C, _ b: C) -> Int where C.Element: Equatable {
        let s = Array(a), t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        let width = t.count + 1
        // Three rows: two back (for transpositions), one back, current.
        var previous2 = [Int](repeating: 0, count: width)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    best = min(best, previous2[j - 2] + 1)
                }
                current[j] = best
            }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[t.count]
    }

    public static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a.utf8), Array(b.utf8))
    }
}
