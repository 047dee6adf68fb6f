import Placeholders

/// A record prepared once for comparison: folded names with their phonetic keys (aliases
/// included), the address reduced to normalised words (a placeholder line such as "HOMELESS"
/// read as none: `AddressPlaceholder`), identifiers normalised. Comparing two
/// prepared records does no string allocation beyond the comparators' own arrays.
struct RecordFeatures: Sendable {
    /// The given name first, then the aliases' given names.
    let givenNames: [NameFeatures]
    /// The family name first, then the aliases' family names.
    let familyNames: [NameFeatures]
    let dateOfBirth: DateOfBirth?
    /// Male or female; unknown and unspecified are nil (not compared).
    let sex: Sex?
    let addressLine: [UInt8]?
    let postalCode: String?
    let city: [UInt8]?
    let ssn: String?
    let strongIdentifiers: [StrongIdentifier]

    /// Every formal name the record's given names (aliases included) may stand for, by the
    /// nickname table, an unknown name read as one typing error of a known one
    /// (`Nicknames.formalNamesAllowingOneTypo`), spellings of one name as one
    /// (`Nicknames.oneSpelling`); empty when none is known. Worked out on each call (it may
    /// scan the table): callers judging many pairs keep it.
    var formalGivenNames: Set<String> {
        Set(givenNames.flatMap { $0.formalNames.isEmpty ? Nicknames.formalNamesAllowingOneTypo(of: $0.firstString) : $0.formalNames }
            .map(Nicknames.oneSpelling))
    }

    /// The address as the records of one place give it: the normalised street line in the
    /// postal code (or, `inCity`, in the city), marked by which; nil without the line or that
    /// area. Counted to weigh an agreement on the address by how many records give it
    /// (`NameKey.Field.address`, `.addressInCity`).
    func addressKey(inCity: Bool) -> [UInt8]? {
        guard let line = addressLine, let area = inCity ? city : postalCode.map({ Array($0.utf8) }) else { return nil }
        return [inCity ? 0x43 : 0x50] + area + [0x7C] + line
    }

    init(_ record: PersonRecord) {
        var given: [NameFeatures] = []
        var family: [NameFeatures] = []
        if let name = record.givenName, let features = NameFeatures(words: NameFolding.words(name)) { given.append(features) }
        if let name = record.familyName, let features = NameFeatures(words: NameFolding.familyWords(name)) { family.append(features) }
        for alias in record.aliases {
            let words = NameFolding.familyWords(alias)
            guard words.count >= 2 else {
                if let features = NameFeatures(words: words) { family.append(features) }
                continue
            }
            if let features = NameFeatures(words: [words[0]]) { given.append(features) }
            if let features = NameFeatures(words: Array(words.dropFirst())) { family.append(features) }
        }
        givenNames = given
        familyNames = family
        dateOfBirth = record.dateOfBirth
        sex = record.sex.flatMap { $0.isInformative ? $0 : nil }
        if let address = record.address {
            // "HOMELESS", "UNKNOWN", "NFA": no place, so no agreement (nor disagreement) on it.
            let line = address.line1.map { AddressPlaceholder.isPlaceholder($0) ? "" : NameFolding.addressWords($0).joined(separator: " ") } ?? ""
            addressLine = line.isEmpty ? nil : Array(line.utf8)
            let postal = address.postalCode.map { String($0.filter(\.isNumber).prefix(5)) } ?? ""
            postalCode = postal.isEmpty ? nil : postal
            let city = address.city.map { NameFolding.words($0).joined(separator: " ") } ?? ""
            self.city = city.isEmpty ? nil : Array(city.utf8)
        } else {
            addressLine = nil
            postalCode = nil
            city = nil
        }
        // Digits only: "412-55-1234" and "412551234" are one number (compared as written, a
        // dashed number agreed with nothing but on its last four).
        ssn = record.identifiers.ssn.flatMap(PersonNumberPlaceholder.ssnDigits)
        strongIdentifiers = StrongIdentifier.all(of: record)
    }
}
