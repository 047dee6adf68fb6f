import Foundation
import LocalPostgres
import PersonIndex
import PersonIndexStore
import Storage
import Testing

/// An exact agreement on a name weighs by how common the name is among the index's records
/// (`NameCounts`), which the store counts at each learning; on SQLite here,
/// `NameCountsPostgresTests` runs the store's part on PostgreSQL.
@Suite struct NameCountsTests {
    static let darnell = IndexRecords.record("s1", "jail", "Darnell", "Smith", "1985-03-02")
    /// The same man a day off: a pair for review (the date is not proof enough to link).
    static let darnellNextDay = IndexRecords.record("s2", "police", "Darnell", "Smith", "1985-03-03")
    static let walter = IndexRecords.record("z1", "jail", "Walter", "Zielinski", "1985-03-02")
    static let walterNextDay = IndexRecords.record("z2", "police", "Walter", "Zielinski", "1985-03-03")
    /// Thirty other Smiths, none of them either man.
    static let otherSmiths = [
        "Aaron", "Bruce", "Carl", "Dennis", "Edgar", "Frank", "Gary", "Harold", "Ivan", "Jerome", "Keith", "Larry", "Marvin", "Neil",
        "Oscar", "Percy", "Quentin", "Roger", "Stanley", "Terrence", "Ulysses", "Vernon", "Wallace", "Xavier", "Yusuf", "Zachary",
        "Albert", "Barry", "Clyde", "Dwight",
    ].enumerated().map { index, given in IndexRecords.record("f\(index)", "courts", given, "Smith", "\(1940 + index)-07-15") }

    /// The matcher: the more of the index's records carry the shared surname, the less its
    /// exact agreement weighs, and without counts (or with the adjustment off) it weighs the
    /// model's u.
    @Test func aCommonSurnameWeighsLessThanARareOne() throws {
        let matcher = IncrementalMatcher()
        let a = PreparedRecord(Self.darnell), b = PreparedRecord(Self.darnellNextDay)
        func counts(smiths: Int) -> NameCounts {
            NameCounts(records: 1_000) { $0.field == .familyName ? smiths : 2 }
        }
        func familyWeight(_ comparison: PairComparison) throws -> Double { try Self.weight(of: .familyName, in: comparison) }
        let plain = matcher.compare(a, b)
        let rare = try matcher.compare(a, b, names: counts(smiths: 2))
        let common = try matcher.compare(a, b, names: counts(smiths: 300))
        #expect(try familyWeight(plain) == matcher.model.weight(.familyName, level: UInt8(ComparisonField.familyName.levelCount - 1)))
        #expect(try familyWeight(common) < familyWeight(rare) - 4)
        #expect(common.weight < rare.weight - 4 && common.score < rare.score)
        // The other fields are untouched: the weights differ by the family name's alone.
        #expect(abs((rare.weight - common.weight) - (try familyWeight(rare) - familyWeight(common))) < 1e-9)
        var off = matcher
        off.configuration.termFrequencyAdjustment = false
        #expect(try off.compare(a, b, names: counts(smiths: 300)) == plain)
    }

    /// The weight a comparison gives `field` (its reason's bits).
    static func weight(of field: ComparisonField, in comparison: PairComparison) throws -> Double {
        try #require(comparison.reasons.first { $0.field == field }).weight
    }

    /// The matcher: an agreement on an address many of the index's records give (a shelter's)
    /// weighs less than one a family's few records give, and without counts (or with the
    /// address's adjustment off) it weighs the model's u. The names are weighed as before.
    @Test func anAddressManyRecordsGiveWeighsLessThanAFamilysAddress() throws {
        let matcher = IncrementalMatcher()
        let shelter = PostalAddress(line1: "1 Mission Street", city: "Kansas City", state: "MO", postalCode: "64106")
        let a = PreparedRecord(IndexRecords.record("d1", "jail", "Daniel", "Smith", "1981-12-28", address: shelter))
        let b = PreparedRecord(IndexRecords.record("d2", "police", "Daniel", "Smith", "1951-12-28", address: shelter))
        func counts(atAddress: Int) -> NameCounts { NameCounts(records: 1_000) { $0.field == .address ? atAddress : 2 } }
        func addressWeight(_ comparison: PairComparison) throws -> Double { try Self.weight(of: .address, in: comparison) }
        let plain = matcher.compare(a, b)
        let family = try matcher.compare(a, b, names: counts(atAddress: 3))
        let shelterCounts = try matcher.compare(a, b, names: counts(atAddress: 300))
        #expect(try addressWeight(plain) == matcher.model.weight(.address, level: UInt8(ComparisonField.address.levelCount - 1)))
        #expect(try addressWeight(shelterCounts) < addressWeight(family) - 4)
        #expect(shelterCounts.score < family.score)
        // Only the address's weight differs between the two.
        #expect(abs((family.weight - shelterCounts.weight) - (try addressWeight(family) - addressWeight(shelterCounts))) < 1e-9)
        var off = matcher
        off.configuration.addressFrequencyAdjustment = false
        let unweighed = try off.compare(a, b, names: counts(atAddress: 300))
        #expect(try addressWeight(unweighed) == addressWeight(plain))
        // The names still weighed by their counts: the family's pair less its address's bits.
        #expect(try abs(unweighed.weight - (family.weight - (addressWeight(family) - addressWeight(plain)))) < 1e-9)
        // A record without the postal code agrees on the address through the city: weighed by
        // how many records give the line in that city, not in the postal code.
        let cityOnly = PreparedRecord(IndexRecords.record(
            "d3", "courts", "Daniel", "Smith", "1951-12-28", address: PostalAddress(line1: "1 Mission Street", city: "Kansas City")))
        // (Every other value counted once: the candidate's own.)
        let inCity = NameCounts(records: 1_000) { $0.field == .addressInCity ? 300 : 1 }
        let inPostalCode = NameCounts(records: 1_000) { $0.field == .address ? 300 : 1 }
        #expect(try addressWeight(try matcher.compare(a, cityOnly, names: inCity)) < addressWeight(plain) - 4)
        #expect(try addressWeight(try matcher.compare(a, cityOnly, names: inPostalCode)) == addressWeight(plain))
    }

    /// The matcher marks a pair of sound-alike given names linkable when unambiguous only when
    /// the counts show one of them rare (a misspelling); without counts it cannot tell, and the
    /// pair waits.
    @Test func soundAlikeNamesAreLinkableOnlyWhenOneIsRare() throws {
        let matcher = IncrementalMatcher()
        func record(_ id: String, _ given: String) -> PreparedRecord {
            PreparedRecord(IndexRecords.record(id, "jail", given, "Zielinski", "1990-05-05", .female, address: IndexRecords.oak))
        }
        let a = record("z1", "Kaitlyn"), b = record("z2", "Katelynn")
        func counts(given: Int) -> NameCounts { NameCounts(records: 1_000) { $0.field == .givenName ? given : 2 } }
        #expect(try matcher.compare(a, b, names: counts(given: 1)).linkableWhenUnambiguous)
        #expect(try !matcher.compare(a, b, names: counts(given: 40)).linkableWhenUnambiguous)
        #expect(!matcher.compare(a, b).linkableWhenUnambiguous)
        // Two names the nickname table knows as two are two people's, however rare here.
        let james = IndexRecords.record("z1", "jail", "James", "Zielinski", "1990-05-05", address: IndexRecords.oak)
        let john = IndexRecords.record("z2", "jail", "John", "Zielinski", "1990-05-05", address: IndexRecords.oak)
        #expect("\(PersonResolver.comparison(james, john))".hasPrefix("g2"))
        #expect(try !matcher.compare(PreparedRecord(james), PreparedRecord(john), names: counts(given: 1)).linkableWhenUnambiguous)
        // A sound-alike alias is not what was counted: the first names decide.
        var aliased = IndexRecords.record("z3", "jail", "Xiomara", "Zielinski", "1990-05-05", .female, address: IndexRecords.oak)
        aliased.aliases = ["Katelynn Zielinski"]
        #expect("\(PersonResolver.comparison(a.record, aliased))".hasPrefix("g2"))
        #expect(try !matcher.compare(a, PreparedRecord(aliased), names: counts(given: 1)).linkableWhenUnambiguous)
    }

    /// Learning after `records` records, each model it learns set aside (these records have no
    /// numbers to check one on): the built-in model decides, with the names counted.
    static func learning(after records: Int, sample: Int = 20_000) -> PersonIndexStore.ModelLearning {
        PersonIndexStore.ModelLearning(firstAfter: records, sampleLimit: sample, minimumKnownPairs: 1)
    }

    /// The store, once a learning counted the names: a review of two Smiths carries a lighter
    /// surname than a review of two Zielinskis when thirty other Smiths were counted.
    @Test func theStoreWeighsBySurnamesItCounted() async throws {
        try await IndexUnderTest.run(store: PersonIndexStore(learning: Self.learning(after: 32))) { index in
            for smith in Self.otherSmiths { _ = try await index.add(smith) }
            _ = try await index.add(Self.darnell, Self.walter)
            #expect(try await index.countedRecords() == 32)
            func surnameWeight(_ events: [IdentityEvent]) throws -> Double {
                let request = try #require(events.first { $0.kind == .reviewRequested })
                return try #require(request.reasons?.first { $0.field == ComparisonField.familyName.description }).weight
            }
            let smith = try surnameWeight(try await index.add(Self.darnellNextDay))
            let zielinski = try surnameWeight(try await index.add(Self.walterNextDay))
            #expect(smith < zielinski - 1, "Smith \(smith) bits, Zielinski \(zielinski) bits")
        }
    }

    /// Four residents of one shelter, each of other names.
    static let residents = [("Aaron", "Okafor"), ("Bruce", "Nowak"), ("Carl", "Haddad"), ("Dennis", "Ivanova")].enumerated().map { index, name in
        IndexRecords.record(
            "r\(index)", "jail", name.0, name.1, "\(1950 + index)-01-15",
            address: PostalAddress(line1: "1 Mission Street", city: "Kansas City", state: "MO", postalCode: "64106"))
    }

    /// A learning counts each record's address (its line in its postal code and in its city)
    /// beside its names, and a sealed record is uncounted from it too; with the address's
    /// adjustment off no address is counted.
    @Test func theStoreCountsAddressesAndUncountsASealedRecord() async throws {
        var unweighed = ResolverConfiguration()
        unweighed.addressFrequencyAdjustment = false
        let namesOnly = PersonIndexStore(matcher: IncrementalMatcher(configuration: unweighed), learning: Self.learning(after: 4))
        try await IndexUnderTest.run(store: namesOnly) { index in
            for resident in Self.residents { _ = try await index.add(resident) }
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 1, 1, 1])
        }
        try await IndexUnderTest.run(store: PersonIndexStore(learning: Self.learning(after: 4))) { index in
            let residents = Self.residents
            for resident in residents { _ = try await index.add(resident) }
            // Eight names once each, the address four times in its postal code and in its city.
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 1, 1, 1, 4, 4])
            let store = index.store
            let removal = try await index.database.write { try store.removeRecords([residents[0].recordId], $0) }
            #expect(removal.rowsByTable["person_index_name_counts"] == 2)  // Aaron, Okafor; the address stays
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 1, 3, 3])
        }
    }

    /// Before a learning nothing is counted, and an exact agreement weighs the model's u.
    @Test func nothingIsCountedBeforeALearning() async throws {
        try await IndexUnderTest.run(store: PersonIndexStore(learning: Self.learning(after: 100))) { index in
            for smith in Self.otherSmiths { _ = try await index.add(smith) }
            _ = try await index.add(Self.darnell)
            #expect(try await index.nameCounts().isEmpty)
            #expect(try await index.countedRecords() == 0)
            let request = try #require(try await index.add(Self.darnellNextDay).first { $0.kind == .reviewRequested })
            let weight = try #require(request.reasons?.first { $0.field == ComparisonField.familyName.description }).weight
            let model = index.store.matcher.model
            #expect(abs(weight - model.weight(.familyName, level: UInt8(ComparisonField.familyName.levelCount - 1))) < 0.001)
        }
    }

    /// Each learning replaces the counts with those of the records it read (the latest
    /// `sampleLimit`); the records added between learnings change nothing, so every record
    /// decided between two learnings is decided with the same counts, in whatever order the
    /// agencies' records arrived.
    @Test func eachLearningCountsTheRecordsItReads() async throws {
        try await IndexUnderTest.run(store: PersonIndexStore(learning: Self.learning(after: 2, sample: 3))) { index in
            _ = try await index.add(Self.darnell, Self.otherSmiths[0])
            #expect(try await index.nameCounts() == [1, 1, 2])
            #expect(try await index.countedRecords() == 2)  // Darnell, Aaron, Smith ×2
            _ = try await index.add(Self.walter)
            #expect(try await index.nameCounts() == [1, 1, 2])  // the third record: no learning
            _ = try await index.add(Self.walterNextDay)  // the fourth: a learning, of the latest three
            #expect(try await index.nameCounts() == [1, 1, 2, 2])
            #expect(try await index.countedRecords() == 3)  // Aaron, Smith, Walter ×2, Zielinski ×2
            let store = index.store
            #expect(try await index.database.read { try store.statistics($0) }.namesCountedFrom == 3)
        }
    }

    /// A record a sealing order removes is uncounted when a learning counted it, and a name
    /// no counted record carries leaves the table; one added after the learning was never
    /// counted and changes nothing.
    @Test func aSealedRecordIsUncounted() async throws {
        try await IndexUnderTest.run(store: PersonIndexStore(learning: Self.learning(after: 4))) { index in
            _ = try await index.add(Self.darnell, Self.otherSmiths[0], Self.otherSmiths[1], Self.walter)
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 3])  // four given names, Zielinski, Smith ×3
            _ = try await index.add(Self.walterNextDay)
            let store = index.store
            let late = try await index.database.write { try store.removeRecords([Self.walterNextDay.recordId], $0) }
            #expect(late.rowsByTable["person_index_name_counts"] == nil)
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 3])
            #expect(try await index.countedRecords() == 4)
            let removal = try await index.database.write { try store.removeRecords([Self.walter.recordId, Self.darnell.recordId], $0) }
            #expect(removal.rowsByTable["person_index_name_counts"] == 3)  // Walter, Zielinski, Darnell
            #expect(try await index.nameCounts() == [1, 1, 2])
            #expect(try await index.countedRecords() == 2)
        }
    }
}

extension IndexUnderTest {
    /// The counts of every name counted, ascending (digests, so only the numbers say anything).
    func nameCounts() async throws -> [Int64] {
        try await database.read { transaction in
            try transaction.fetchAll("SELECT records FROM person_index_name_counts ORDER BY records", []).map { try $0.get("records", as: Int64.self) }
        }
    }

    /// The records the last learning counted names of (less those sealed since).
    func countedRecords() async throws -> Int64? {
        try await database.read {
            try $0.fetchOne("SELECT value FROM person_index_counters WHERE name = 'named_records'", [])?.get("value", as: Int64.self)
        }
    }
}

/// The store's part on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct NameCountsPostgresTests {
    @Test func theStoreWeighsBySurnamesItCounted() async throws { try await NameCountsTests().theStoreWeighsBySurnamesItCounted() }
    @Test func nothingIsCountedBeforeALearning() async throws { try await NameCountsTests().nothingIsCountedBeforeALearning() }
    @Test func eachLearningCountsTheRecordsItReads() async throws { try await NameCountsTests().eachLearningCountsTheRecordsItReads() }
    @Test func aSealedRecordIsUncounted() async throws { try await NameCountsTests().aSealedRecordIsUncounted() }
}
