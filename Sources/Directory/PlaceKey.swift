import Foundation

/// A place or county name as the directory compares it: the way agencies write the same city
/// differs ("St. Louis", "SAINT LOUIS", "st louis", "Lee's Summit"), and a notification must not
/// miss its police agency for a full stop.
///
/// Case, accents and punctuation are dropped (an apostrophe joins a word, any other punctuation
/// separates words: "St.Louis" is "SAINT LOUIS"), runs of spaces become one, and the abbreviations St, Ste, Ft and Mt
/// are spelled out (Saint, Sainte, Fort, Mount): in place names these always stand for those
/// words.
public struct PlaceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The normalized form, e.g. `SAINT LOUIS`.
    public let value: String

    public init(_ name: String) {
        value = Self.asciiKey(name) ?? Self.unicodeKey(name)
    }

    /// Folds case and diacritics, keeps letters and digits, drops apostrophes ("Lee's" is
    /// "LEES"), splits words on anything else and spells out the usual abbreviations.
    static func unicodeKey(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        var words: [String] = []
        var word = ""
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                word.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                continue  // "Lee's" is "LEES"
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.map { abbreviations[$0] ?? $0 }.joined(separator: " ")
    }

    /// The same key for a name of ASCII characters only (nearly every place name), without
    /// Foundation's folding and character sets, which cost more than the rest of a view's
    /// handling of a release: ASCII letters upper-cased, digits kept, apostrophes dropped,
    /// anything else between words. Nil for any other name.
    static func asciiKey(_ name: String) -> String? {
        var words: [String] = []
        var word: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): word.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): word.append(byte)
            case UInt8(ascii: "'"): continue
            case 0x80...: return nil
            default:
                if !word.isEmpty {
                    words.append(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
            }
        }
        if !word.isEmpty { words.append(String(decoding: word, as: UTF8.self)) }
        return words.map { abbreviations[$0] ?? $0 }.joined(separator: " ")
    }

    private static let abbreviations = ["ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT"]

    public var description: String { value }

    public static func < (lhs: PlaceKey, rhs: PlaceKey) -> Bool { lhs.value < rhs.value }
}
