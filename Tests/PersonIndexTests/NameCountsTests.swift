import Foundation
import LocalPostgres
import PersonIndex
import PersonIndexStore
import Storage
import Testing

/// An exact agreement on a name weighs by how common the name is among the index's records
/// (`NameCounts`), which the store keeps as records arrive and leave; on SQLite here,
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
        func familyWeight(_ comparison: PairComparison) throws -> Double {
            try #require(comparison.reasons.first { $0.field == .familyName }).weight
        }
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

    /// The store: a review of two Smiths carries a lighter surname than a review of two
    /// Zielinskis when thirty other Smiths are held.
    @Test func theStoreWeighsBySurnamesItHolds() async throws {
        try await IndexUnderTest.run { index in
            for smith in Self.otherSmiths { _ = try await index.add(smith) }
            _ = try await index.add(Self.darnell, Self.walter)
            func surnameWeight(_ events: [IdentityEvent]) throws -> Double {
                let request = try #require(events.first { $0.kind == .reviewRequested })
                return try #require(request.reasons?.first { $0.field == ComparisonField.familyName.description }).weight
            }
            let smith = try surnameWeight(try await index.add(Self.darnellNextDay))
            let zielinski = try surnameWeight(try await index.add(Self.walterNextDay))
            #expect(smith < zielinski - 1, "Smith \(smith) bits, Zielinski \(zielinski) bits")
        }
    }

    /// Counts follow the records: each added record counts its given and family name and
    /// itself; a removed one uncounts them, and a name no record carries leaves the table.
    @Test func countsFollowRecordsInAndOut() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(Self.darnell, Self.otherSmiths[0], Self.otherSmiths[1], Self.walter)
            #expect(try await index.nameCounts() == [1, 1, 1, 1, 1, 3])  // four given names, Zielinski, Smith ×3
            #expect(try await index.heldRecords() == 4)
            let store = index.store
            let removal = try await index.database.write { try store.removeRecords([Self.walter.recordId, Self.darnell.recordId], $0) }
            #expect(removal.rowsByTable["person_index_name_counts"] == 3)  // Walter, Zielinski, Darnell
            #expect(try await index.nameCounts() == [1, 1, 2])
            #expect(try await index.heldRecords() == 2)
        }
    }

    /// A database whose records were added before names were counted gets its counts from
    /// them when it is migrated: the same as counting them as they arrive.
    @Test func aMigrationCountsTheRecordsAlreadyHeld() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(Self.darnell, Self.otherSmiths[0], Self.walter, Self.walterNextDay)
            let counted = try await index.nameCounts()
            _ = try await index.database.write { transaction in
                try transaction.executeScript("DROP TABLE person_index_name_counts")
                try transaction.execute("DELETE FROM person_index_counters WHERE name = 'held'")
                try transaction.execute("DELETE FROM kit_migrations WHERE id = 'person-index-v5'")
                try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
            }
            #expect(try await index.nameCounts() == counted)
            #expect(counted == [1, 1, 2, 2, 2])  // Darnell, Aaron, Smith ×2, Walter ×2, Zielinski ×2
            #expect(try await index.heldRecords() == 4)
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

    func heldRecords() async throws -> Int64? {
        try await database.read { try $0.fetchOne("SELECT value FROM person_index_counters WHERE name = 'held'", [])?.get("value", as: Int64.self) }
    }
}

/// The store's part on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct NameCountsPostgresTests {
    @Test func theStoreWeighsBySurnamesItHolds() async throws { try await NameCountsTests().theStoreWeighsBySurnamesItHolds() }
    @Test func countsFollowRecordsInAndOut() async throws { try await NameCountsTests().countsFollowRecordsInAndOut() }
    @Test func aMigrationCountsTheRecordsAlreadyHeld() async throws { try await NameCountsTests().aMigrationCountsTheRecordsAlreadyHeld() }
}
