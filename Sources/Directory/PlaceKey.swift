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
        value = words.map { Self.abbreviations[$0] ?? $0 }.joined(separator: " ")
    }

    private static let abbreviations = ["ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT"]

    public var description: String { value }

    public static func < (lhs: PlaceKey, rhs: PlaceKey) -> Bool { lhs.value < rhs.value }
}
