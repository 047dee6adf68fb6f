import Testing

@testable import PersonIndex

/// The comparators against the values their authors and references publish.
@Suite struct Comparators {
    @Test("Jaro-Winkler gives Winkler's published values", arguments: [
        ("MARTHA", "MARHTA", 0.961), ("DIXON", "DICKSONX", 0.813), ("DWAYNE", "DUANE", 0.840),
    ])
    func jaroWinkler(a: String, b: String, expected: Double) {
        #expect(abs(JaroWinkler.similarity(a, b) - expected) < 0.0005)
        #expect(abs(JaroWinkler.similarity(b, a) - expected) < 0.0005)
    }

    @Test func jaroWithoutThePrefixBonus() {
        #expect(abs(JaroWinkler.jaro(Array("MARTHA".utf8), Array("MARHTA".utf8)) - 0.944) < 0.0005)
        #expect(JaroWinkler.similarity("SMITH", "SMITH") == 1)
        #expect(JaroWinkler.similarity("ABC", "XYZ") == 0)
    }

    @Test("Damerau-Levenshtein as optimal string alignment", arguments: [
        ("CA", "ABC", 3),  // 2 for the unrestricted distance: OSA never edits a substring twice
        ("kitten", "sitting", 3), ("ab", "ba", 1), ("martha", "marhta", 1), ("smith", "smith", 0), ("", "abc", 3),
    ])
    func optimalStringAlignment(a: String, b: String, expected: Int) {
        #expect(OptimalStringAlignment.distance(a, b) == expected)
        #expect(OptimalStringAlignment.distance(b, a) == expected)
    }

    @Test("NYSIIS on the published examples", arguments: [
        // Herzog, Scheuren & Winkler, Data Quality and Record Linkage Techniques (2007), p. 121.
        ("Brian", "BRAN"), ("Brown", "BRAN"), ("Brun", "BRAN"), ("Capp", "CAP"), ("Cope", "CAP"), ("Copp", "CAP"),
        ("Kipp", "CAP"), ("Dane", "DAN"), ("Dean", "DAN"), ("Dionne", "DAN"), ("Smith", "SNAT"), ("Schmit", "SNAT"),
        ("Trueman", "TRANAN"), ("Truman", "TRANAN"),
        // The rules' own examples (first and last letters, EV, H after a consonant).
        ("MACINTOSH", "MCANT"), ("BART", "BAD"), ("HUNT", "HAD"), ("WESTERLUND", "WASTARLAD"), ("CASSTEVENS", "CASTAFAN"),
        ("BOWMAN", "BANAN"), ("FRAZIER", "FRASAR"), ("JILES", "JAL"),
    ])
    func nysiis(name: String, key: String) {
        #expect(NYSIIS.key(name) == key)
    }

    @Test func datesOfBirthCompareByLevel() throws {
        let date = try #require(DateOfBirth(iso: "1985-03-07"))
        func level(_ other: String) throws -> UInt8 { DateOfBirth.agreementLevel(date, try #require(DateOfBirth(iso: other))) }
        #expect(try level("1985-03-07") == 5)
        #expect(try level("1985-07-03") == 4)  // day and month swapped
        #expect(try level("1986-03-07") == 3)  // one component off by one
        #expect(try level("1984-03-07") == 3)
        #expect(try level("1985-04-07") == 3)
        #expect(try level("1985-03-06") == 3)
        #expect(try level("1985-03-17") == 2)  // one component off by more
        #expect(try level("1987-03-07") == 2)
        #expect(try level("1985-12-07") == 2)
        #expect(try level("1986-04-08") == 1)  // year within one, the rest different
        #expect(try level("1985-04-08") == 1)
        #expect(try level("1990-07-03") == 0)
    }

    /// "HOMELESS" or "UNKNOWN" names no place: two records giving it agree on no address (only
    /// on the postal code they share), and beside a street it is no contradiction either.
    @Test func aPlaceholderAddressLineIsNoAddress() throws {
        func features(_ line: String, postalCode: String? = "64106") -> RecordFeatures {
            RecordFeatures(PersonRecord(
                recordId: line, source: "jail", givenName: "Daniel", familyName: "Smith",
                address: PostalAddress(line1: line, city: "Kansas City", state: "MO", postalCode: postalCode)))
        }
        let homeless = features("HOMELESS"), transient = features("Transient"), unknown = features("unknown", postalCode: nil)
        let street = features("1 Mission Street"), elsewhere = features("12 Oak St")
        #expect(homeless.addressLine == nil)
        #expect(homeless.addressKey(inCity: false) == nil)
        // Only the area agrees, as when one record has no line at all.
        #expect(RecordComparison.addressLevel(homeless, transient) == 1)
        #expect(RecordComparison.addressLevel(homeless, street) == 1)
        #expect(RecordComparison.addressLevel(unknown, homeless) == 1)  // the city
        // A real street line still counts: the same street agrees, another disagrees.
        #expect(RecordComparison.addressLevel(street, street) == 3)
        #expect(RecordComparison.addressLevel(street, elsewhere) == 1)
    }

    @Test func namesFoldAccentsPunctuationAndCompounds() {
        #expect(NameFolding.words("José  O'Brien") == ["jose", "obrien"])
        #expect(NameFolding.familyWords("García-López Jr.") == ["garcia", "lopez"])
        #expect(NameFolding.words("Søndergaard") == ["sondergaard"])
        #expect(NameFolding.addressWords("12 North Main Street") == ["12", "n", "main", "st"])
    }

    /// A nickname with a typo is still a form of the name ("Bpll": Bill, William), but only an
    /// unknown word of four letters or more is read as a typo of one: "Roy" is a name of its own,
    /// not "Rob" mistyped, and short names a letter apart ("Dan" for Daniel, "Don" for Donald)
    /// are as often two people.
    @Test func aMistypedNicknameIsCloseToItsFormalName() throws {
        #expect(try givenNameLevel("Bpll", "William") == 3)
        #expect(try givenNameLevel("William", "Bpll") == 3)
        #expect(try givenNameLevel("Llsa", "Elizabeth") == 3)
        #expect(try givenNameLevel("Bill", "William") == 4)
        #expect(try givenNameLevel("Roy", "Robert") < 3)
        #expect(try givenNameLevel("Dan", "Donald") < 3)
        #expect(try givenNameLevel("Zelda", "William") == 0)
    }

    /// A word of two or three letters that is no name is a short form with one slip: a letter
    /// dropped or struck wrongly where no vowel is left ("Kn" for Ken, "Jss" for Jess), or two
    /// letters swapped ("Jno" for Jon). It is close to the name; a short real name ("Roy", "Kim")
    /// one letter from a form still is not, and the formal names such a word may stand for are
    /// every name it is a slip of ("Dn": Dan or Don), so that a twin of the other name rivals it.
    @Test func aShortWordThatIsNoNameIsASlipOfAShortForm() throws {
        #expect(try givenNameLevel("Kn", "Kenneth") == 3)
        #expect(try givenNameLevel("Kenneth", "Kn") == 3)
        #expect(try givenNameLevel("Jss", "Jessica") == 3)
        #expect(try givenNameLevel("Rfb", "Robert") == 3)
        #expect(try givenNameLevel("Jno", "John") == 3)
        #expect(try givenNameLevel("Kn", "Ken") == 3)
        #expect(try givenNameLevel("Roy", "Robert") < 3)
        #expect(try givenNameLevel("Kim", "Christopher") < 3)
        #expect(try givenNameLevel("Kn", "Keith") < 3)
        #expect(Nicknames.formalNamesAllowingOneTypo(of: "dn") == ["daniel", "donald"])
        #expect(Nicknames.formalNamesAllowingOneTypo(of: "jno") == ["john", "jonathan"])
        #expect(Nicknames.formalNamesAllowingOneTypo(of: "roy").isEmpty)
    }

    @Test func nicknamesAreEquivalentThroughTheirFormalName() {
        #expect(Nicknames.areEquivalent("bill", "william"))
        #expect(Nicknames.areEquivalent("bob", "robert"))
        #expect(Nicknames.areEquivalent("liz", "beth"))  // both Elizabeth
        #expect(!Nicknames.areEquivalent("bill", "robert"))
        #expect(!Nicknames.areEquivalent("zelda", "zelda"))  // unknown names are not nicknames (equality is its own level)
    }

    /// The given-name level of two records alike but for their given names `a` and `b`.
    private func givenNameLevel(_ a: String, _ b: String) throws -> UInt8 {
        let comparison = IncrementalMatcher().compare(
            PersonRecord(recordId: "a", source: "jail", givenName: a, familyName: "Zielinski"),
            PersonRecord(recordId: "b", source: "police", givenName: b, familyName: "Zielinski"))
        return try #require(comparison.reasons.first { $0.field == .givenName }).level
    }
}
