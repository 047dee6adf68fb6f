import Placeholders

/// A street line read into the parts USPS Publication 28 orders it by: primary number,
/// predirectional, street name, suffix, postdirectional, and secondary units (`APT 4B`).
///
/// Each part is in its standard form: suffixes, directionals and unit designators abbreviated
/// as Pub 28 does, numbered streets as ordinals (`31ST`), leading zeros dropped from numbers.
/// Every dwelling-type designator (APT, UNIT, STE, #, RM, LOT, …) keeps only its number, as
/// `# 4B`: the same dwelling is written "Apt 4B", "Unit 4B" and "#4B". A building (`BLDG 2`) and
/// a floor (`FL 3`) keep theirs.
struct StreetLine: Hashable, Sendable {
    var number: String?
    var predirectional: String?
    var name: String
    var suffix: String?
    var postdirectional: String?
    /// Sorted, so their order in the line does not matter.
    var units: [String]

    init(line1: String, line2: String?) throws(PlaceError) {
        let words = AddressWords.split(line1)
        guard !words.isEmpty else { throw PlaceError(field: "line1", reason: "has no words") }
        guard !AddressPlaceholder.isPlaceholder(line1) else {
            throw PlaceError(field: "line1", reason: "stands for no address (such as HOMELESS, UNKNOWN or GENERAL DELIVERY), not a street")
        }
        let unitStart = Self.unitStart(in: words) ?? words.endIndex
        var units = Self.units(Array(words[unitStart...]))
        if let line2 { units += Self.units(AddressWords.split(line2)) }
        self.units = units.sorted()

        var street = Array(words[..<unitStart])
        if let box = Self.postOfficeBox(street) {
            (number, predirectional, name, suffix, postdirectional) = (box, nil, "PO BOX", nil, nil)
            return
        }
        if let first = street.first, first.first?.isASCIIDigit == true, street.count > 1 {
            var number = Self.withoutLeadingZeros(first)
            street.removeFirst()
            if let fraction = street.first, street.count > 1, Self.isFraction(fraction) {
                number += " \(fraction)"
                street.removeFirst()
            }
            self.number = number
        } else {
            number = nil
        }
        guard !street.isEmpty else { throw PlaceError(field: "line1", reason: "has no street name") }
        let parts = Self.streetParts(street)
        (predirectional, suffix, postdirectional) = (parts.predirectional, parts.suffix, parts.postdirectional)
        name = Self.normalizedName(parts.name, hasSuffix: parts.suffix != nil).joined(separator: " ")
    }

    // MARK: Street

    private struct Parts {
        var predirectional: String?
        var name: [String]
        var suffix: String?
        var postdirectional: String?
    }

    /// Directionals, name and suffix. Two direction words may make one directional ("SOUTH
    /// WEST", "N E"), unless the street name would then be only a direction ("123 South West
    /// St" is West Street, south).
    private static func streetParts(_ words: [String]) -> Parts {
        let leading = joiningDirections(words, atStart: true)
        let both = leading.flatMap { joiningDirections($0, atStart: false) }
        let trailing = joiningDirections(words, atStart: false)
        for candidate in [both, leading, trailing].compactMap({ $0 }) {
            let parts = split(candidate)
            if !(parts.name.count == 1 && USPSAbbreviations.directionals[parts.name[0]] != nil) { return parts }
        }
        return split(words)
    }

    /// Postdirectional, then suffix, then predirectional, each taken only while a name is left.
    private static func split(_ words: [String]) -> Parts {
        var rest = words
        var parts = Parts(name: [])
        if rest.count >= 2, let direction = USPSAbbreviations.directionals[rest[rest.count - 1]] {
            parts.postdirectional = direction
            rest.removeLast()
        }
        if rest.count >= 2, let suffix = USPSAbbreviations.streetSuffixes[rest[rest.count - 1]] {
            parts.suffix = suffix
            rest.removeLast()
        }
        if rest.count >= 2, let direction = USPSAbbreviations.directionals[rest[0]] {
            parts.predirectional = direction
            rest.removeFirst()
        }
        parts.name = rest
        return parts
    }

    /// `words` with a leading (or trailing) pair of direction words joined into one, or nil
    /// when there is no such pair.
    private static func joiningDirections(_ words: [String], atStart: Bool) -> [String]? {
        guard words.count >= 3 else { return nil }
        let (first, second) = atStart ? (words[0], words[1]) : (words[words.count - 2], words[words.count - 1])
        guard let northSouth = ["N": "N", "NORTH": "N", "S": "S", "SOUTH": "S"][first],
            let eastWest = ["E": "E", "EAST": "E", "W": "W", "WEST": "W"][second]
        else { return nil }
        let joined = northSouth + eastWest
        return atStart ? [joined] + words.dropFirst(2) : words.dropLast(2) + [joined]
    }

    /// The street name's words in standard form: ordinals as numerals, street-type words
    /// abbreviated wherever they stand (so "Avenue B" and "Ave B" agree), and "St"/"Ste"
    /// before another word read as Saint/Sainte ("St Charles Ave").
    private static func normalizedName(_ words: [String], hasSuffix: Bool) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if index + 1 < words.count, let ordinal = Ordinals.spelled(word, words[index + 1]) {
                result.append(Ordinals.numeral(ordinal))
                index += 2
                continue
            }
            let isLast = index == words.count - 1
            if let ordinal = Ordinals.spelled(word) {
                result.append(Ordinals.numeral(ordinal))
            } else if let numeral = Ordinals.withEnding(word) {
                result.append(numeral)
            } else if !isLast, word == "ST" || word == "SAINT" {
                result.append("SAINT")
            } else if !isLast, word == "STE" || word == "SAINTE" {
                result.append("SAINTE")
            } else if let abbreviation = USPSAbbreviations.streetSuffixes[word] {
                result.append(abbreviation)
            } else {
                result.append(word)
            }
            index += 1
        }
        // "E 31 St" is East 31st Street.
        if hasSuffix, result.count == 1, let number = Ordinals.number(result[0]) {
            result[0] = Ordinals.numeral(number)
        }
        return result
    }

    /// `PO BOX 12`, `P O BOX 12`, `POST OFFICE BOX 12`: the box number.
    private static func postOfficeBox(_ words: [String]) -> String? {
        for prefix in [["PO", "BOX"], ["P", "O", "BOX"], ["POST", "OFFICE", "BOX"]]
        where words.count == prefix.count + 1 && Array(words.prefix(prefix.count)) == prefix {
            return withoutLeadingZeros(words[words.count - 1])
        }
        return nil
    }

    private static func isFraction(_ word: String) -> Bool {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    private static func withoutLeadingZeros(_ word: String) -> String {
        guard word.allSatisfy(\.isASCIIDigit) else { return word }
        let trimmed = word.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    // MARK: Units

    /// Where the secondary units begin in a line's words: at `#`; at a designator that takes a
    /// number, followed by one ("Apt 4B", not "Ste Genevieve Ave"); at a designator that stands
    /// alone, at the end of the line ("Rear", not "Front St"). Never among the first two words.
    private static func unitStart(in words: [String]) -> Int? {
        for index in words.indices.dropFirst() {
            let word = words[index]
            if word == "#" { return index }
            guard index >= 2 else { continue }
            if USPSAbbreviations.rangedUnitDesignators[word] != nil {
                var next = index + 1
                if next < words.count, words[next] == "#" { next += 1 }
                if next < words.count, isUnitIdentifier(words[next]) { return index }
            } else if USPSAbbreviations.unrangedUnitDesignators[word] != nil,
                words[(index + 1)...].allSatisfy({ USPSAbbreviations.unrangedUnitDesignators[$0] != nil })
            {
                return index
            }
        }
        return nil
    }

    /// A unit number: has a digit, or is a single letter ("Apt B").
    private static func isUnitIdentifier(_ word: String) -> Bool {
        word.contains(where: \.isASCIIDigit) || word.count == 1 && word != "#"
    }

    /// The units named by these words: designator and number pairs, designators standing
    /// alone, and bare numbers (a line 2 of just "4B").
    private static func units(_ words: [String]) -> [String] {
        var units: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if let designator = USPSAbbreviations.rangedUnitDesignators[word] {
                var next = index + 1
                if next < words.count, words[next] == "#" { next += 1 }
                let identifier = next < words.count ? unitIdentifier(words[next]) : nil
                units.append([unitKind(designator), identifier].compactMap { $0 }.joined(separator: " "))
                index = identifier == nil ? next : next + 1
            } else if let designator = USPSAbbreviations.unrangedUnitDesignators[word] {
                units.append(designator)
                index += 1
            } else {
                units.append("# \(unitIdentifier(word))")
                index += 1
            }
        }
        return units
    }

    /// Building and floor stay themselves; every dwelling-type designator is `#`.
    private static func unitKind(_ designator: String) -> String {
        ["BLDG", "FL"].contains(designator) ? designator : "#"
    }

    /// `4-B` is `4B`; `004` is `4`.
    private static func unitIdentifier(_ word: String) -> String {
        withoutLeadingZeros(word.filter { $0 != "-" })
    }
}
