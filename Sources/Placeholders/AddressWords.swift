import Foundation

/// Splits address text into the upper-case words that `Places` compares and
/// ``AddressPlaceholder`` reads, so that both see a line's words alike.
///
/// Case and accents are folded. Apostrophes join ("O'Fallon" is `OFALLON`); `#` is a word of
/// its own (`#4B` is `#`, `4B`); a hyphen or slash between letters or digits stays inside the
/// word (`123-125`, `1/2`, `4-B`); any other punctuation, full stops included, separates words
/// (`N.E.` is `N`, `E`, which `StreetLine` joins again as a direction).
public enum AddressWords {
    public static func split(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        let scalars = Array(folded.unicodeScalars)
        var words: [String] = []
        var word = String.UnicodeScalarView()
        func flush() {
            if !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
        }
        for (index, scalar) in scalars.enumerated() {
            if isWordCharacter(scalar) {
                word.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                continue
            } else if scalar == "#" {
                flush()
                words.append("#")
            } else if scalar == "-" || scalar == "/",
                !word.isEmpty, index + 1 < scalars.count, isWordCharacter(scalars[index + 1]) {
                word.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
            || !scalar.isASCII && CharacterSet.alphanumerics.contains(scalar)
    }
}
