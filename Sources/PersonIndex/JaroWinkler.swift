/// Jaro–Winkler similarity (Winkler 1990): Jaro's share of matching characters within a
/// window, penalised for transpositions, raised for a common prefix of up to four characters
/// (scaling factor 0.1, applied to every pair as in most implementations and Wikipedia's
/// examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813).
public enum JaroWinkler {
    /// Jaro similarity in 0...1 (1 for two empty strings).
    @inlinable
    public static func jaro<C: Collection>(_ a: C, _ b: C) -> Double where C.Element: Equatable {
        let s = Array(a), t = Array(b)
        if s.isEmpty && t.isEmpty { return 1 }
        if s.isEmpty || t.isEmpty { return 0 }
        let window = max(0, max(s.count, t.count) / 2 - 1)
        var sMatched = [Bool](repeating: false, count: s.count)
        var tMatched = [Bool](repeating: false, count: t.count)
        var matches = 0
        for i in 0..<s.count {
            let low = max(0, i - window), high = min(t.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !tMatched[j] && s[i] == t[j] {
                sMatched[i] = true
                tMatched[j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var halfTranspositions = 0
        var k = 0
        for i in 0..<s.count where sMatched[i] {
            while !tMatched[k] { k += 1 }
            if s[i] != t[k] { halfTranspositions += 1 }
            k += 1
        }
        let m = Double(matches)
        return (m / Double(s.count) + m / Double(t.count) + (m - Double(halfTranspositions / 2)) / m) / 3
    }

    /// Jaro–Winkler similarity in 0...1.
    public static func similarity<C: Collection>(_ a: C, _ b: C, prefixScale: Double = 0.1) -> Double where C.Element: Equatable {
        let jaro = jaro(a, b)
        var prefix = 0
        for (x, y) in zip(a, b) {
            guard x == y, prefix < 4 else { break }
            prefix += 1
        }
        return jaro + Double(prefix) * prefixScale * (1 - jaro)
    }

    /// The byte-array form the resolver uses (no generic dispatch, no copies).
    public static func similarity(_ a: [UInt8], _ b: [UInt8]) -> Double {
        similarity(a, b, prefixScale: 0.1)
    }

    public static func similarity(_ a: String, _ b: String) -> Double {
        similarity(Array(a.utf8), Array(b.utf8))
    }
}
