import PersonIndex

extension SyntheticPopulation {
    /// One agency's record of `person`, spoiled independently of every other record.
    func makeRecord(_ person: Person, recordId: String, source: String, booking: String, random: inout SplitMix64) -> PersonRecord {
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
        var record = PersonRecord(recordId: recordId, source: source)

        var given = person.given
        if chance(noise.nickname), let nick = Nicknames.table[given.lowercased()]?.randomElement(using: &random) {
            given = nick.capitalized
        }
        if chance(noise.typo) { given = typo(given, random: &random) }
        if chance(noise.transposition) { given = transpose(given, random: &random) }
        if chance(noise.initialOnly) { given = String(given.prefix(1)) }
        record.givenName = given

        var family = person.family
        if family.contains("-") && chance(noise.compoundVariant) {
            let parts = family.split(separator: "-").map(String.init)
            family = [parts.joined(separator: " "), parts.joined(), parts[0], parts.reversed().joined(separator: "-")]
                .randomElement(using: &random) ?? family
        }
        if chance(noise.typo) { family = typo(family, random: &random) }
        if chance(noise.transposition) { family = transpose(family, random: &random) }
        record.familyName = chance(0.3) ? family.uppercased() : family

        if !chance(noise.missingDate) {
            var date = person.dateOfBirth
            if chance(noise.dayMonthSwap), date.day <= 12, date.day != date.month,
               let swapped = DateOfBirth(year: date.year, month: date.day, day: date.month) {
                date = swapped
            } else if chance(noise.dateComponentOff) {
                let changed: DateOfBirth? = switch Int.random(in: 0..<3, using: &random) {
                case 0: DateOfBirth(year: date.year + (Bool.random(using: &random) ? 1 : -1), month: date.month, day: date.day)
                case 1: DateOfBirth(year: date.year, month: date.month % 12 + 1, day: date.day)
                default: DateOfBirth(year: date.year, month: date.month, day: date.day % 28 + 1)
                }
                date = changed ?? date
            }
            record.dateOfBirth = date
        }
        if !chance(noise.missingSex) { record.sex = person.sex }
        if !chance(noise.missingAddress) {
            let address = chance(noise.moved) ? makeAddressForMove(random: &random) : person.address
            let type = chance(noise.abbreviatedStreet) ? address.type.short : address.type.long
            record.address = PostalAddress(
                line1: "\(address.number) \(address.street) \(type)", city: address.place.city,
                state: address.place.state, postalCode: address.place.postalCode)
        }
        if chance(noise.alias), let nick = Nicknames.table[person.given.lowercased()]?.first {
            record.aliases = ["\(nick.capitalized) \(person.family)"]
        }
        var ids = PersonIdentifiers(bookingNumber: booking)
        if chance(noise.stateIdPresent) { ids.stateId = person.stateId }
        if chance(noise.fbiNumberPresent) { ids.fbiNumber = person.fbiNumber }
        if chance(noise.ssnPresent) { ids.ssn = person.ssn }
        record.identifiers = ids
        return record
    }

    private func makeAddressForMove(random: inout SplitMix64) -> Address {
        Address(
            number: Int.random(in: 1...9999, using: &random), street: NameLists.streets.randomElement(using: &random) ?? "Main",
            type: NameLists.streetTypes.randomElement(using: &random) ?? ("Street", "St"),
            place: NameLists.place(random: &random))
    }

    /// One letter substituted, inserted or deleted (not the first: people rarely mistype it).
    private func typo(_ text: String, random: inout SplitMix64) -> String {
        var chars = Array(text)
        guard chars.count >= 3 else { return text }
        let position = Int.random(in: 1..<chars.count, using: &random)
        let letter = Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random)))
        switch Int.random(in: 0..<3, using: &random) {
        case 0: chars[position] = letter
        case 1: chars.insert(letter, at: position)
        default: chars.remove(at: position)
        }
        return String(chars)
    }

    /// Two adjacent letters swapped.
    private func transpose(_ text: String, random: inout SplitMix64) -> String {
        var chars = Array(text)
        guard chars.count >= 3 else { return text }
        let position = Int.random(in: 1..<(chars.count - 1), using: &random)
        chars.swapAt(position, position + 1)
        return String(chars)
    }
}
