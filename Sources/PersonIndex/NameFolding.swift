import Foundation

/// Names and addresses reduced to what comparison should see: lower-case ASCII letters (and
/// digits where asked) in words separated by single spaces. Accents are removed (José → jose),
/// apostrophes join (O'Brien → obrien), hyphens and other punctuation separate words
/// (Garcia-Lopez → garcia lopez). Letters with no ASCII base that the table below does not
/// transliterate are dropped, so a name in another script folds to nothing and compares as
/// missing: a limit of this first slice.
public enum NameFolding {
    /// Generational suffixes that are not part of a family name.
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv"]

    private static let transliterations: [Unicode.Scalar: String] = [
        "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d",
        "ł": "l", "Ł": "l", "ı": "i", "þ": "th", "ð": "d",
    ]

    /// The words of `text`, each lower-case ASCII (`keepDigits`: digits kept as word characters).
    public static func words(_ text: String, keepDigits: Bool = false) -> [String] {
        var words: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: current.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: scalar.value + 0x20)))
            case 0x61...0x7A: current.unicodeScalars.append(scalar)
            case 0x30...0x39 where keepDigits: current.unicodeScalars.append(scalar)
            case 0x27, 0x2019, 0x2018, 0x60: continue  // apostrophes join: O'Brien → obrien
            default:
                if let replacement = transliterations[scalar] {
                    current += replacement
                } else if scalar.properties.isAlphabetic || scalar.properties.generalCategory == .nonspacingMark {
                    continue  // a combining accent, or a letter with no ASCII form
                } else {
                    flush()
                }
            }
        }
        flush()
        return words
    }

    /// The words of a family name without generational suffixes ("Smith Jr." → ["smith"]).
    public static func familyWords(_ text: String) -> [String] {
        let all = words(text)
        let kept = all.filter { !suffixes.contains($0) }
        return kept.isEmpty ? all : kept
    }

    /// Address words with the common USPS street-suffix and direction abbreviations applied, so
    /// "12 North Main Street" and "12 N Main St" compare equal.
    public static func addressWords(_ text: String) -> [String] {
        words(text, keepDigits: true).map { abbreviations[$0] ?? $0 }
    }

    private static let abbreviations: [String: String] = [
        "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "lane": "ln", "boulevard": "blvd",
        "court": "ct", "place": "pl", "terrace": "ter", "circle": "cir", "highway": "hwy", "parkway": "pkwy",
        "square": "sq", "trail": "trl", "way": "way", "apartment": "apt", "suite": "ste", "unit": "unit",
        "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
        "southeast": "se", "southwest": "sw",
    ]
}
