/// Numbered street names in one form: USPS writes them as numerals with their ordinal ending
/// (`1ST`, `22ND`, `113TH`), so "First", "Twenty-Second" and a bare "22" before a suffix are
/// turned into that.
enum Ordinals {
    /// `n` with its English ordinal ending: 1ST, 2ND, 3RD, 4TH … 11TH, 12TH, 13TH … 21ST.
    static func numeral(_ n: Int) -> String {
        let ending: String
        switch (n % 10, n % 100) {
        case (_, 11...13): ending = "TH"
        case (1, _): ending = "ST"
        case (2, _): ending = "ND"
        case (3, _): ending = "RD"
        default: ending = "TH"
        }
        return "\(n)\(ending)"
    }

    /// The ordinal a spelled-out word (or hyphenated pair) stands for: `FIRST`, `TWELFTH`,
    /// `TWENTY-FIRST`, `NINETIETH`; nil for any other word.
    static func spelled(_ word: String) -> Int? {
        if let value = units[word] ?? teens[word] ?? tens[word] { return value }
        let parts = word.split(separator: "-").map(String.init)
        if parts.count == 2, let ten = tensCardinal[parts[0]], let unit = units[parts[1]] { return ten + unit }
        return nil
    }

    /// The ordinal two adjacent words stand for ("TWENTY FIRST"); nil otherwise.
    static func spelled(_ first: String, _ second: String) -> Int? {
        guard let ten = tensCardinal[first], let unit = units[second] else { return nil }
        return ten + unit
    }

    /// A word made only of digits, read as a number (leading zeros allowed).
    static func number(_ word: String) -> Int? {
        guard !word.isEmpty, word.count <= 6, word.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(word)
    }

    /// A numeral that already has an ending (`1ST`, `22ND`, `4TH`), rewritten with the right
    /// one and no leading zeros (`01ST` and `1TH` become `1ST`); nil for any other word.
    static func withEnding(_ word: String) -> String? {
        let digits = word.prefix { $0.isASCIIDigit }
        let rest = word.dropFirst(digits.count)
        guard !digits.isEmpty, ["ST", "ND", "RD", "TH"].contains(rest), let n = number(String(digits)) else { return nil }
        return numeral(n)
    }

    private static let units = [
        "FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5, "SIXTH": 6, "SEVENTH": 7, "EIGHTH": 8, "NINTH": 9,
    ]
    private static let teens = [
        "TENTH": 10, "ELEVENTH": 11, "TWELFTH": 12, "THIRTEENTH": 13, "FOURTEENTH": 14, "FIFTEENTH": 15,
        "SIXTEENTH": 16, "SEVENTEENTH": 17, "EIGHTEENTH": 18, "NINETEENTH": 19,
    ]
    private static let tens = [
        "TWENTIETH": 20, "THIRTIETH": 30, "FORTIETH": 40, "FIFTIETH": 50, "SIXTIETH": 60, "SEVENTIETH": 70,
        "EIGHTIETH": 80, "NINETIETH": 90,
    ]
    private static let tensCardinal = [
        "TWENTY": 20, "THIRTY": 30, "FORTY": 40, "FIFTY": 50, "SIXTY": 60, "SEVENTY": 70, "EIGHTY": 80, "NINETY": 90,
    ]
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
