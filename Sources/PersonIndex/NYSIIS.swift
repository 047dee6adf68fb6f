/// The New York State Identification and Intelligence System phonetic code (Taft 1970), in its
/// full-length form (not truncated to six characters): names that sound alike get the same
/// key (Brian, Brown, Brun → BRAN; Smith, Schmit → SNAT). Chosen over Double Metaphone because
/// it was designed for exactly this task (surnames in criminal-justice records), is small, and
/// gives one key per name. Letters only; other characters are ignored.
public enum NYSIIS {
    public static func key(_ name: String) -> String {
        var chars = Array(name.uppercased().utf8.filter { $0 >= 65 && $0 <= 90 })
        guard !chars.isEmpty else { return "" }
        let A = UInt8(ascii: "A"), C = UInt8(ascii: "C"), D = UInt8(ascii: "D"), F = UInt8(ascii: "F"),
            G = UInt8(ascii: "G"), H = UInt8(ascii: "H"), K = UInt8(ascii: "K"), M = UInt8(ascii: "M"),
            N = UInt8(ascii: "N"), P = UInt8(ascii: "P"), S = UInt8(ascii: "S"), W = UInt8(ascii: "W"),
            Y = UInt8(ascii: "Y")
        func starts(_ prefix: String) -> Bool { chars.starts(with: prefix.utf8) }
        func ends(_ suffix: String) -> Bool { chars.count >= suffix.utf8.count && chars.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }
        func isVowel(_ c: UInt8) -> Bool { c == A || c == 69 || c == 73 || c == 79 || c == 85 }

        // 1. First letters.
        if starts("MAC") { chars.replaceSubrange(0..<3, with: [M, C, C]) }
        else if starts("KN") { chars.replaceSubrange(0..<2, with: [N, N]) }
        else if starts("K") { chars[0] = C }
        else if starts("PH") || starts("PF") { chars.replaceSubrange(0..<2, with: [F, F]) }
        else if starts("SCH") { chars.replaceSubrange(0..<3, with: [S, S, S]) }
        // 2. Last letters.
        if ends("EE") || ends("IE") { chars.replaceSubrange((chars.count - 2)..., with: [Y]) }
        else if ends("DT") || ends("RT") || ends("RD") || ends("NT") || ends("ND") {
            chars.replaceSubrange((chars.count - 2)..., with: [D])
        }
        // 3. The key starts with the first letter; 4. the rest is transcoded letter by letter,
        // each rule reading the already-transcoded previous letter.
        var key: [UInt8] = [chars[0]]
        var i = 1
        while i < chars.count {
            let previous = chars[i - 1], current = chars[i]
            let next: UInt8 = i + 1 < chars.count ? chars[i + 1] : 0
            let afterNext: UInt8 = i + 2 < chars.count ? chars[i + 2] : 0
            var replacement: [UInt8]
            if current == 69 && next == 86 { replacement = [A, F] }  // EV → AF
            else if isVowel(current) { replacement = [A] }
            else if current == 81 { replacement = [G] }  // Q
            else if current == 90 { replacement = [S] }  // Z
            else if current == M { replacement = [N] }
            else if current == K { replacement = next == N ? [N] : [C] }
            else if current == S && next == C && afterNext == H { replacement = [S, S, S] }
            else if current == P && next == H { replacement = [F, F] }
            else if current == H && (!isVowel(previous) || !isVowel(next)) { replacement = [previous] }
            else if current == W && isVowel(previous) { replacement = [previous] }
            else { replacement = [current] }
            let end = min(chars.count, i + replacement.count)
            chars.replaceSubrange(i..<end, with: replacement.prefix(end - i))
            if chars[i] != chars[i - 1] { key.append(chars[i]) }
            i += 1
        }
        // 5–7. Endings.
        if key.count > 1, key.last == S { key.removeLast() }
        if key.count > 2, key[key.count - 2] == A, key.last == Y { key.remove(at: key.count - 2) }
        if key.count > 1, key.last == A { key.removeLast() }
        return String(decoding: key, as: UTF8.self)
    }
}
