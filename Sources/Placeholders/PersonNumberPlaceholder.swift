/// Person numbers that say "no number": what records systems put in a state ID, FBI number,
/// DOC, booking, RMS or Social Security number field when they have none ("UNKNOWN", "NONE",
/// "PENDING", "N/A", "000000000", "MO0000000", "999999999").
///
/// The bus links people by these numbers without scoring: an arrest reaches the officer whose
/// supervisee has its state ID or FBI number, a warrant holds the release of the person whose
/// number it names, the person index links two records sharing one. A placeholder shared by
/// two strangers would do all of that for the wrong person: a stranger's arrest told to an
/// officer, a release held on someone else's warrant. So every reader takes such a value as no
/// number at all (the contracts' decoders, the person index).
///
/// A value is a placeholder when, upper-cased with everything but letters and digits dropped,
/// it is empty, one of ``words``, all zeros, one character repeated eight times or more
/// ("99999999", "XXXXXXXXX": the length of a state ID, an FBI or a Social Security number), or a
/// two-letter state prefix followed by zeros only ("MO0000000"). A shorter run of one digit
/// ("1111111", "22222") may be a real DOC, booking or RMS number, and is kept.
public enum PersonNumberPlaceholder {
    /// Whether `value` stands for "no number". One pass over its bytes, no allocation unless
    /// it is all letters (then looked up among ``words``): it runs for every event's key.
    public static func isPlaceholder<S: StringProtocol>(_ value: S) -> Bool {
        var count = 0
        var first: UInt8 = 0
        var allZeros = true, allSame = true, allLetters = true, stateThenZeros = true
        for byte in value.utf8 {
            let folded: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): folded = byte
            case UInt8(ascii: "a")...UInt8(ascii: "z"): folded = byte - 32
            default: continue
            }
            if count == 0 { first = folded }
            allZeros = allZeros && folded == UInt8(ascii: "0")
            allSame = allSame && folded == first
            allLetters = allLetters && isLetter(folded)
            stateThenZeros = stateThenZeros && (count < 2 ? isLetter(folded) : folded == UInt8(ascii: "0"))
            count += 1
        }
        if count == 0 || allZeros { return true }
        if count >= 8 && allSame { return true }
        if count >= 3 && stateThenZeros { return true }
        // The words have no digit: a value with one (nearly every real number) is not looked up.
        guard allLetters, count <= 16 else { return false }
        let letters = String(decoding: value.utf8.compactMap { isLetter($0 & 0xDF) ? $0 & 0xDF : nil }, as: UTF8.self)
        return words.contains(letters)
    }

    /// Whether a Social Security number stands for "no number": a placeholder as above, one of
    /// the sequences forms are filled in with ("123456789", "987654321"), or nine digits the
    /// Social Security Administration never issues: area 000 or 666, group 00 or serial 0000
    /// ("000-12-3456", "123-00-4567"), which a clerk types for a number not known. Area 900–999
    /// is left alone: taxpayer numbers (ITINs) start with 9, and an ITIN written in the SSN
    /// field still names one person. Fewer than nine digits (the last four) are judged as above.
    public static func isPlaceholderSSN(_ value: String) -> Bool {
        isPlaceholder(value) || isNeverIssued(digits(of: value))
    }

    /// The digits of a Social Security number as written ("412-55-1234" is `412551234`), or
    /// nil when it names no one (``isPlaceholderSSN(_:)``, or no digit at all): the one form
    /// the person index compares.
    public static func ssnDigits(_ value: String) -> String? {
        let digits = digits(of: value)
        return digits.isEmpty || isPlaceholder(value) || isNeverIssued(digits) ? nil : digits
    }

    private static func digits(of value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { ("0"..."9").contains($0) }))
    }

    /// Nine digits forms are filled in with, or of a form never issued (see above).
    private static func isNeverIssued(_ text: String) -> Bool {
        guard text.utf8.count == 9 else { return false }
        if text == "123456789" || text == "987654321" { return true }
        let area = text.prefix(3), group = text.dropFirst(3).prefix(2), serial = text.suffix(4)
        return area == "000" || area == "666" || group == "00" || serial == "0000"
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }

    /// How messages say a value is one: "UNKNOWN says there is no number (such as …)".
    public static let meaning = "says there is no number (such as UNKNOWN, NONE or zeros)"

    /// Words (letters and digits only, upper case) that stand for "no number".
    static let words: Set<String> = [
        "UNKNOWN", "UNK", "UNKN", "NONE", "NA", "NULL", "NIL", "PENDING", "TBD", "REFUSED", "DECLINED",
        "NOTAVAILABLE", "NOTAPPLICABLE", "NOTGIVEN", "NOTPROVIDED", "NONEGIVEN", "NOFBI", "NOSID", "NOSTATEID",
        "NOFBINUMBER", "NONUMBER",
    ]
}
