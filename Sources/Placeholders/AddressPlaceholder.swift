import Foundation

/// Street lines that say "no address": what booking, records and case-management systems write
/// when a person has no fixed home, would not give one, or the clerk did not know it
/// ("HOMELESS", "TRANSIENT", "UNKNOWN", "NFA", "GENERAL DELIVERY", "REFUSED", "N/A", …).
///
/// Such a line names no place. Read as a street it would make every homeless person in a city
/// live at one address: a police contact whose location was recorded as "UNKNOWN" would be "at
/// the registered address" of every supervisee registered as "UNKNOWN" (and would tell their
/// officers about a stranger), and two people recorded "HOMELESS" in one ZIP code would agree
/// on their address in the person index. So `AddressKey` refuses such a line (callers then
/// compare by coordinates, or not at all) and the person index reads it as a missing address.
///
/// A line is a placeholder when its words (case and accents folded, punctuation between them
/// dropped, "N/A" one word) are one of ``phrases``, or begin with one of ``leadingPhrases`` and
/// have no word of digits alone ("HOMELESS - CAMP BY 5TH AND MAIN", "TRANSIENT IN KANSAS CITY";
/// not "HOMELESS SHELTER 1100 E 11TH ST", a building). A street that happens to be called one of
/// these words is written with a house number, and a line that starts with a number is never a
/// placeholder, unless the number is zeros ("0 UNKNOWN").
public enum AddressPlaceholder {
    /// Whether `line` (an address's first line, as written) stands for "no address".
    public static func isPlaceholder(_ line: String) -> Bool {
        var words = Self.words(line)
        // A house number of zeros is no number: "0 UNKNOWN", "00 HOMELESS" are read as the rest,
        // as a whole line only ("0 Homeless Rd" is a street written with a zero).
        if let number = words.first, words.count > 1, number.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) {
            words.removeFirst()
            return phrases.contains(words.joined(separator: " "))
        }
        guard let first = words.first?.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        if phrases.contains(words.joined(separator: " ")) { return true }
        // "HOMELESS SHELTER 1100 E 11TH ST" names a building: a number of its own is a house number.
        guard !words.contains(where: { $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }) else { return false }
        return leadingPhrases.contains { phrase in words.starts(with: phrase) }
    }

    /// The line's words as `AddressWords` splits them, a hyphenated word taken apart
    /// ("NO-FIXED-ABODE" is three) and `#` left out.
    static func words(_ text: String) -> [String] {
        AddressWords.split(text).flatMap { word in word == "#" ? [] : word.split(separator: "-").map(String.init) }
    }

    /// Whole lines that stand for "no address", as ``words(_:)`` splits them ("N/A" is one
    /// word, "N.A." two).
    static let phrases: Set<String> = [
        "HOMELESS", "TRANSIENT", "UNHOUSED", "UNSHELTERED",
        "UNKNOWN", "UNK", "UNKN", "UNKNOWN ADDRESS", "ADDRESS UNKNOWN", "UNKNOWN LOCATION", "LOCATION UNKNOWN",
        "NO KNOWN ADDRESS", "NKA", "NONE", "NONE GIVEN", "NO ADDRESS", "NO ADDRESS GIVEN", "NO ADDRESS PROVIDED",
        "NO FIXED ADDRESS", "NO FIXED ABODE", "NFA", "NO PERMANENT ADDRESS", "NO RESIDENCE",
        "GENERAL DELIVERY", "REFUSED", "DECLINED", "NOT GIVEN", "NOT PROVIDED", "NOT AVAILABLE",
        "NOT APPLICABLE", "N/A", "N A", "NA", "SAME", "SAME AS ABOVE",
    ]

    /// Beginnings that make a line without a house number a placeholder whatever follows.
    static let leadingPhrases: [[String]] = [
        ["HOMELESS"], ["TRANSIENT"], ["UNHOUSED"], ["UNSHELTERED"], ["NO", "FIXED"], ["NO", "PERMANENT"],
        ["GENERAL", "DELIVERY"],
    ]
}
