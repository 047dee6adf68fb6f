import PersonIndex

/// Records of a synthetic population with the truth known: true persons first (families sharing
/// an address and a surname, twins sharing a date of birth too), then each source's records of
/// them, each independently spoiled the way agencies' records are — typos, transposed letters,
/// nicknames, compound surnames written one way or another, day and month swapped, a component
/// of the date off, missing fields, moved addresses. The same seed gives the same records.
public struct SyntheticPopulation: Sendable {
    /// Records, and for each the index of the true person it describes.
    public struct Labelled: Sendable {
        public var records: [PersonRecord]
        public var personOfRecord: [Int]

        /// The number of record pairs that describe the same person.
        public var truePairCount: Int {
            var sizes: [Int: Int] = [:]
            for person in personOfRecord { sizes[person, default: 0] += 1 }
            return sizes.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        }

        /// The number of people the records describe: the population a person index serving
        /// these records would be told (`persons.population`).
        public var personCount: Int { Set(personOfRecord).count }
    }

    /// How much noise and structure to generate; the defaults are the benchmark's.
    public struct Noise: Sendable {
        public var typo = 0.06
        public var transposition = 0.03
        public var nickname = 0.12
        public var initialOnly = 0.02
        public var compoundVariant = 0.5
        public var dayMonthSwap = 0.05
        public var dateComponentOff = 0.03
        public var missingDate = 0.04
        public var missingSex = 0.05
        public var missingAddress = 0.10
        public var moved = 0.25
        public var abbreviatedStreet = 0.3
        public var stateIdPresent = 0.35
        public var fbiNumberPresent = 0.15
        public var alias = 0.03
        /// Share of persons who are relatives of another (same surname and address).
        public var relative = 0.15
        /// Share of persons who are a twin of another (also the same date of birth).
        public var twin = 0.02
        /// Share of twins whose given name starts with the other's initial (Jonathan and Jacob),
        /// so that a record carrying only the initial fits both.
        public var twinSharesInitial = 0.3
        /// Share of a source's records that are a second record of a person it already has.
        public var duplicateInSource = 0.08
        /// Share of such duplicates that repeat the booking number (linked by identifier).
        public var duplicateKeepsBooking = 0.3
        public var ssnPresent = 0.0
        /// Share of the persons drawn on their own (not as a relative or twin of another)
        /// whose address is one of a few that many unrelated persons share — a shelter, a
        /// halfway house, a county's "general delivery" — so that agreeing on the address says
        /// little there; relatives drawn later of such a person live there too. Zero by
        /// default: the benchmark's figures are without them.
        public var sharedAddress = 0.0
        /// How many such addresses the shared persons are spread over.
        public var sharedAddressCount = 5
        /// Share of records with an address whose street line is what systems write for "no
        /// address" ("HOMELESS", "UNKNOWN", "NFA", …; `placeholderLines`), the city and postal
        /// code kept. Zero by default: the benchmark's figures are without them.
        public var placeholderAddress = 0.0
        public init() {}
    }

    public var seed: UInt64
    public var noise: Noise

    public init(seed: UInt64, noise: Noise = Noise()) {
        self.seed = seed
        self.noise = noise
    }

    /// `sources` sources of `recordsPerSource` records each, over a population sized so that
    /// most persons appear in more than one source.
    public func generate(sources: Int, recordsPerSource: Int) -> Labelled {
        var random = SplitMix64(seed: seed)
        let total = sources * recordsPerSource
        let persons = makePersons(count: max(2, Int(Double(total) / 1.7)), random: &random)
        var labelled = Labelled(records: [], personOfRecord: [])
        for sourceIndex in 0..<sources {
            let source = "agency-\(sourceIndex + 1)"
            let distinct = Int(Double(recordsPerSource) * (1 - noise.duplicateInSource))
            var chosen = Array(persons.indices)
            chosen.shuffle(using: &random)
            chosen = Array(chosen.prefix(min(distinct, persons.count)))
            var bookingOf: [Int: String] = [:]
            var draws = chosen
            while draws.count < recordsPerSource { draws.append(chosen[Int.random(in: 0..<chosen.count, using: &random)]) }
            for (position, personIndex) in draws.enumerated() {
                let recordId = "\(source)-\(position + 1)"
                var booking = "B\(sourceIndex + 1)\(100_000 + position)"
                if let earlier = bookingOf[personIndex], Double.random(in: 0..<1, using: &random) < noise.duplicateKeepsBooking {
                    booking = earlier
                }
                bookingOf[personIndex] = bookingOf[personIndex] ?? booking
                let record = makeRecord(persons[personIndex], recordId: recordId, source: source, booking: booking, random: &random)
                labelled.records.append(record)
                labelled.personOfRecord.append(personIndex)
            }
        }
        if noise.placeholderAddress > 0 {
            // A stream of its own: every record stays as it is without them but for its line.
            var placeholders = SplitMix64(seed: seed &+ 0x401D)
            for index in labelled.records.indices where labelled.records[index].address != nil {
                if Double.random(in: 0..<1, using: &placeholders) < noise.placeholderAddress {
                    labelled.records[index].address?.line1 = Self.placeholderLines.randomElement(using: &placeholders)
                }
            }
        }
        return labelled
    }

    /// Street lines of records whose address was not taken down, or whose person had none.
    static let placeholderLines = ["HOMELESS", "Homeless", "TRANSIENT", "UNKNOWN", "NFA", "General Delivery", "N/A"]

    // MARK: - True persons

    struct Person: Sendable {
        var given: String
        var family: String
        var dateOfBirth: DateOfBirth
        var sex: Sex
        var address: Address
        var stateId: String
        var fbiNumber: String
        var ssn: String
    }

    struct Address: Sendable {
        var number: Int
        var street: String
        var type: (long: String, short: String)
        var place: (city: String, state: String, postalCode: String)
    }

    private func makePersons(count: Int, random: inout SplitMix64) -> [Person] {
        var persons: [Person] = []
        persons.reserveCapacity(count)
        // Given names by birth (family, address and date of birth), so twins and triplets get
        // names of their own.
        var namesOfBirth: [String: [String]] = [:]
        var shelters = SplitMix64(seed: seed &+ 0x5E17)
        let sharedAddresses = (0..<max(1, noise.sharedAddressCount)).map { _ in makeAddress(random: &shelters) }
        for index in 0..<count {
            let roll = Double.random(in: 0..<1, using: &random)
            if let relativeOf = persons.indices.randomElement(using: &random), roll < noise.relative + noise.twin {
                var person = makePerson(index: index, random: &random)
                let anchor = persons[relativeOf]
                person.family = anchor.family
                person.address = anchor.address
                if roll < noise.twin {
                    person.dateOfBirth = anchor.dateOfBirth
                    while person.given == anchor.given { person.given = givenName(person.sex, random: &random) }
                    // Drawn from a stream of their own, so the other persons stay as they were
                    // (records made after such a twin's may still differ: the name changes draws).
                    var initials = SplitMix64(seed: seed &+ 0x7715 &* UInt64(index + 1))
                    let sharesInitial = Double.random(in: 0..<1, using: &initials) < noise.twinSharesInitial
                    if sharesInitial {
                        for _ in 0..<1_000 where person.given == anchor.given || person.given.first != anchor.given.first {
                            person.given = givenName(person.sex, random: &initials)
                        }
                        while person.given == anchor.given { person.given = givenName(person.sex, random: &initials) }
                    }
                    // No family names two children of one birth alike, nor by two forms of one
                    // name (Elizabeth and Lisa, Christina and Tina): records of such twins would
                    // be one person's to any reader. Redrawn from a stream of its own, keeping a
                    // shared initial, as above.
                    let siblings = namesOfBirth[Self.birthKey(person)] ?? []
                    var names = SplitMix64(seed: seed &+ 0x7B1B &* UInt64(index + 1))
                    var attempts = 0
                    while attempts < 1_000, Self.isNamedAlike(person.given, siblings) || (sharesInitial && person.given.first != anchor.given.first) {
                        person.given = givenName(person.sex, random: &names)
                        attempts += 1
                    }
                }
                namesOfBirth[Self.birthKey(person), default: []].append(person.given)
                persons.append(person)
            } else {
                var person = makePerson(index: index, random: &random)
                if noise.sharedAddress > 0 {
                    // A stream of its own, so the other persons stay as they are without them.
                    var shelter = SplitMix64(seed: seed &+ 0x5E17 &* UInt64(index + 1))
                    if Double.random(in: 0..<1, using: &shelter) < noise.sharedAddress {
                        person.address = sharedAddresses[Int.random(in: 0..<sharedAddresses.count, using: &shelter)]
                    }
                }
                namesOfBirth[Self.birthKey(person), default: []].append(person.given)
                persons.append(person)
            }
        }
        return persons
    }

    /// Persons of one birth: the same family name, address and date of birth.
    private static func birthKey(_ person: Person) -> String {
        "\(person.family)|\(person.address.number) \(person.address.street)|\(person.address.place.postalCode)|\(person.dateOfBirth)"
    }

    /// Whether `given` is one of `names`, or a form of the same name (by the nickname table).
    static func isNamedAlike(_ given: String, _ names: [String]) -> Bool {
        let folded = given.lowercased()
        return names.contains { $0.lowercased() == folded || Nicknames.areEquivalent($0.lowercased(), folded) }
    }

    private func makePerson(index: Int, random: inout SplitMix64) -> Person {
        let sex: Sex = Bool.random(using: &random) ? .male : .female
        var family = skewed(NameLists.family, random: &random)
        if Double.random(in: 0..<1, using: &random) < 0.08 {
            let first = NameLists.compoundParts.randomElement(using: &random) ?? "Garcia"
            var second = first
            while second == first { second = NameLists.compoundParts.randomElement(using: &random) ?? "Lopez" }
            family = "\(first)-\(second)"
        }
        let year = Int.random(in: 1950...2004, using: &random), month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...DateOfBirthDays.inMonth(month, year), using: &random)
        return Person(
            given: givenName(sex, random: &random), family: family,
            dateOfBirth: DateOfBirth(clamping: year, month: month, day: day),
            sex: sex, address: makeAddress(random: &random),
            stateId: "IL\(10_000_000 + index)", fbiNumber: "F\(String(UInt32(truncatingIfNeeded: random.next()), radix: 36).uppercased())\(index)",
            ssn: Self.issuedSSN(Int.random(in: 0..<800_000_000, using: &random)))
    }

    /// A nine-digit number of the form the Social Security Administration issues (area 001–899
    /// but 666, group and serial not zero), from one draw below 800,000,000, so the stream of
    /// draws is what it was when the number was that draw plus 100,000,000 (and the generated
    /// records the same but for those numbers): the person index reads a never-issued number
    /// as none.
    static func issuedSSN(_ draw: Int) -> String {
        let area = 1 + draw % 898, group = 1 + (draw / 898) % 99, serial = 1 + (draw / (898 * 99)) % 9_999
        return String(format9: (area >= 666 ? area + 1 : area) * 1_000_000 + group * 10_000 + serial)
    }

    private func givenName(_ sex: Sex, random: inout SplitMix64) -> String {
        skewed(sex == .male ? NameLists.male : NameLists.female, random: &random)
    }

    private func makeAddress(random: inout SplitMix64) -> Address {
        Address(
            number: Int.random(in: 1...9999, using: &random), street: NameLists.streets.randomElement(using: &random) ?? "Main",
            type: NameLists.streetTypes.randomElement(using: &random) ?? ("Street", "St"),
            place: NameLists.place(random: &random))
    }

    /// An element drawn with weight falling with its position (about 1/(rank + 10)): front
    /// names are common, the tail rare.
    private func skewed(_ values: [String], random: inout SplitMix64) -> String {
        let total = values.indices.reduce(0.0) { $0 + 1 / Double($1 + 10) }
        var target = Double.random(in: 0..<total, using: &random)
        for (index, value) in values.enumerated() {
            target -= 1 / Double(index + 10)
            if target < 0 { return value }
        }
        return values[values.count - 1]
    }
}

enum DateOfBirthDays {
    static func inMonth(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension String {
    init(format9 value: Int) {
        let digits = String(value)
        self = String(repeating: "0", count: Swift.max(0, 9 - digits.count)) + digits
    }
}
