import Contracts
import Foundation
import LocalPostgres
import PersonIndex
import PersonIndexStore
import Storage
import SyntheticPersons
import TestSupport
import Testing

/// The repository's contracts, to check the events the store returns.
let repositoryTopics = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topics", isDirectory: true)

/// The person index's store on a fresh database: SQLite in memory, or a fresh PostgreSQL
/// database when the suite runs under `.postgresCluster`.
struct IndexUnderTest: Sendable {
    let database: any StorageDatabase
    let store: PersonIndexStore
    static let validator = EventValidator(catalog: try! TopicCatalog.load(from: repositoryTopics))

    /// `migrations`: the schema to start from (default: today's).
    static func run(
        store: PersonIndexStore = PersonIndexStore(), migrations: [StorageMigration] = PersonIndexStore.migrations,
        _ body: (IndexUnderTest) async throws -> Void
    ) async throws {
        if PostgresCluster.current != nil {
            try await onFreshPostgres { database in try await body(try await IndexUnderTest(database, store: store, migrations: migrations)) }
        } else {
            try await body(try await IndexUnderTest(try SQLiteStorage.inMemory(), store: store, migrations: migrations))
        }
    }

    init(_ database: any StorageDatabase, store: PersonIndexStore = PersonIndexStore(), migrations: [StorageMigration] = PersonIndexStore.migrations) async throws {
        self.database = database
        self.store = store
        _ = try await database.write { try StorageMigrator.migrate(migrations, in: $0) }
    }

    /// Adds records and checks every event returned against the `bus.identity` contract.
    func add(_ records: PersonRecord..., at seconds: Double = 1_750_000_000) async throws -> [IdentityEvent] {
        let store = self.store
        let events = try await database.write { try store.add(records, at: Date(timeIntervalSince1970: seconds), $0) }
        try Self.validate(events)
        return events
    }

    func decide(_ kind: HumanDecision.Kind, _ a: String, _ b: String, by: String = "analyst.reyes", at seconds: Double = 1_750_000_600) async throws
        -> [IdentityEvent]
    {
        let store = self.store
        let events = try await database.write { try store.decide(kind, a, b, by: by, at: Date(timeIntervalSince1970: seconds), $0) }
        try Self.validate(events)
        return events
    }

    func person(_ recordId: String) async throws -> String? {
        let store = self.store
        return try await database.read { try store.personId(of: recordId, $0) }
    }

    func reviews() async throws -> [PendingReview] {
        let store = self.store
        return try await database.read { try store.pendingReviews(limit: 100, $0) }
    }

    func history(_ a: String, _ b: String) async throws -> [HumanDecision] {
        let store = self.store
        return try await database.read { try store.decisions(a, b, $0) }
    }

    static func validate(_ events: [IdentityEvent]) throws {
        for event in events {
            let validated = try validator.validateMessage(
                topic: IdentityEvent.topic, key: Array(event.personId.utf8), value: try event.encoded(), headers: event.headers)
            #expect(validated.eventType == event.eventType)
        }
    }
}

/// Hand-made records: one person under a state ID in two agencies, a pair with a typo in
/// the given name and day and month swapped, and one person twice without any identifier.
enum IndexRecords {
    static func record(
        _ id: String, _ source: String, _ given: String, _ family: String, _ dob: String, _ sex: Sex = .male,
        stateId: String? = nil, address: PostalAddress? = nil
    ) -> PersonRecord {
        PersonRecord(
            recordId: id, source: source, givenName: given, familyName: family, dateOfBirth: DateOfBirth(iso: dob), sex: sex,
            address: address, identifiers: PersonIdentifiers(stateId: stateId))
    }

    static let jail = record("r1", "jail", "William", "Garcia", "1985-03-07", stateId: "MO1234567")
    static let prison = record("r2", "doc", "Bill", "Garcia-Lopez", "1986-01-01", stateId: "mo-1234567")
    static let typo = record("t1", "jail", "Jonathan", "Smithers", "1990-04-11")
    static let swapped = record("t2", "police", "Jonatan", "Smithers", "1990-11-04")
    static let oak = PostalAddress(line1: "5 Oak Street", city: "Kansas City", state: "MO", postalCode: "64106")
    static let maria1 = record("m1", "jail", "Maria", "Lopez", "1979-02-20", .female, address: oak)
    static let maria2 = record("m2", "police", "Maria", "Lopez", "1979-02-20", .female, address: PostalAddress(line1: "5 Oak St", postalCode: "64106"))
    static let maria3 = record("m3", "courts", "Maria", "Lopez", "1979-02-20", .female, address: oak)

    /// A record of one of the Wojcik twins of 5 Oak Street, born 1988-03-03.
    static func wojcik(_ id: String, _ source: String, _ given: String, _ sex: Sex = .female) -> PersonRecord {
        record(id, source, given, "Wojcik", "1988-03-03", sex, address: oak)
    }
}

/// The store's rules, on SQLite; `PersonIndexStorePostgresTests` runs the same on PostgreSQL.
@Suite struct PersonIndexStoreTests {
    @Test func aSharedStateIdLinksDeterministicallyAndTheSmallerIdSurvivesAMerge() async throws {
        try await IndexUnderTest.run { index in
            #expect(try await index.add(IndexRecords.jail).isEmpty)
            let events = try await index.add(IndexRecords.prison)
            #expect(events.map(\.eventType) == ["bus.identity.linked"])
            let linked = try #require(events.first)
            #expect(linked.personId == "r1" && linked.recordId == "r2" && linked.linkedTo == "r1")
            #expect(linked.decisionSource == .strongIdentifier && linked.score == 1 && linked.agreed == ["stateId"])
            #expect(try await index.person("r2") == "r1")

            // A record with a smaller id joins: the person takes its id, the old one is merged into it.
            let earlier = IndexRecords.record("a0", "court", "Will", "Garcia", "1985-03-07", stateId: "MO1234567")
            let merge = try await index.add(earlier)
            #expect(merge.map(\.eventType) == ["bus.identity.linked", "bus.identity.merged"])
            #expect(merge.last?.personId == "a0" && merge.last?.mergedPersonId == "r1")
            #expect(try await index.person("r1") == "a0")
            #expect(try await index.person("r2") == "a0")
            // Redelivered: nothing new.
            #expect(try await index.add(earlier).isEmpty)
        }
    }

    @Test func aTypoAndSwappedDayAndMonthGoToReviewWithTheirReasons() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.typo)
            let events = try await index.add(IndexRecords.swapped)
            #expect(events.map(\.eventType) == ["bus.identity.review-requested"])
            let request = try #require(events.first)
            #expect(request.a == "t1" && request.b == "t2" && request.personId == "t1" && request.bPersonId == "t2")
            let score = try #require(request.score)
            #expect(score >= 0.5 && score < 0.99)
            let levels = Dictionary(uniqueKeysWithValues: (request.reasons ?? []).map { ($0.field, $0.level) })
            #expect(levels == ["givenName": "close", "familyName": "agree", "dateOfBirth": "swapped", "sex": "agree"])
            #expect(request.heldBecause == .belowLinkThreshold && request.heldBy == nil)
            #expect(try await index.person("t2") == "t2")

            let pending = try await index.reviews()
            #expect(pending.map { "\($0.a.recordId)-\($0.b.recordId)" } == ["t1-t2"])
            #expect(pending.first?.b.givenName == "Jonatan")
        }
    }

    /// An index stored before the blocking passes grew gets today's keys for its records when
    /// migrated (`person-index-v6`), so a record added after reaches them through every pass.
    /// Here the old index kept no key at all, the extreme case: without the step, the swapped
    /// date finds nothing to compare with and is a person of its own.
    @Test func migratingGivesStoredRecordsTodaysBlockingKeys() async throws {
        let before = Array(PersonIndexStore.migrations.prefix { $0.id != "person-index-v6" })
        #expect(before.count < PersonIndexStore.migrations.count)
        try await IndexUnderTest.run(migrations: before) { index in
            _ = try await index.add(IndexRecords.typo)
            _ = try await index.database.write { try $0.execute("DELETE FROM person_index_blocking_keys") }
            _ = try await index.database.write { try StorageMigrator.migrate(PersonIndexStore.migrations, in: $0) }
            let keys = try await index.database.read { db in
                try db.fetchAll("SELECT block_key FROM person_index_blocking_keys WHERE record_id = 't1'").map { try $0.get("block_key", as: String.self) }
            }
            #expect(Set(keys) == Set(IncrementalMatcher().blockingKeys(IndexRecords.typo)))
            #expect(keys.contains { $0.hasPrefix("\(BlockingPass.postalCodeAndGivenPhonetic.rawValue)|") } == false)  // no address on this record
            #expect(keys.contains { $0.hasPrefix("\(BlockingPass.givenPhoneticAndTwoDateParts.rawValue)|") })
            #expect(try await index.add(IndexRecords.swapped).map(\.eventType) == ["bus.identity.review-requested"])
        }
    }

    /// The address pass (`person-index-v7`): a record stored before it gets its key when the
    /// index migrates, so that a record of the same address whose names share no other key
    /// ("Andy Moroe" beside "Andrew Moore", without a date of birth) is compared with it.
    @Test func migratingGivesStoredRecordsTheAddressKey() async throws {
        let before = Array(PersonIndexStore.migrations.prefix { $0.id != "person-index-v7" })
        #expect(before.count < PersonIndexStore.migrations.count)
        let hill = PostalAddress(line1: "4256 Hill Ct", city: "Peoria", state: "IL", postalCode: "61764")
        let moore = IndexRecords.record("h1", "jail", "Andrew", "Moore", "1964-11-02", address: hill)
        let moroe = PersonRecord(recordId: "h2", source: "police", givenName: "Andy", familyName: "Moroe", sex: .male, address: hill)
        try await IndexUnderTest.run(migrations: before) { index in
            _ = try await index.add(moore)
            // As an index stored before the pass: no address key.
            _ = try await index.database.write {
                try $0.execute("DELETE FROM person_index_blocking_keys WHERE block_key LIKE $1", [.text("\(BlockingPass.postalCodeAndAddressLine.rawValue)|%")])
            }
            _ = try await index.database.write { try StorageMigrator.migrate(PersonIndexStore.migrations, in: $0) }
            let keys = try await index.database.read { db in
                try db.fetchAll("SELECT block_key FROM person_index_blocking_keys WHERE record_id = 'h1'").map { try $0.get("block_key", as: String.self) }
            }
            #expect(Set(keys) == Set(IncrementalMatcher().blockingKeys(moore)))
            #expect(keys.contains("\(BlockingPass.postalCodeAndAddressLine.rawValue)|61764|4256 hill ct"))
            #expect(try await index.add(moroe).isEmpty == false)
        }
    }

    /// A block already holding more stored records than the configured maximum (a placeholder
    /// value shared by thousands; here a maximum of 2) is not compared: the third Maria Lopez
    /// is compared with the two before her, a fourth with nobody; under the default maximum
    /// she joins them. (A batch counts the new record in the block too: there the third would
    /// already be left out.)
    @Test func aRecordIsNotComparedThroughAnOversizedBlock() async throws {
        var small = ResolverConfiguration()
        small.maximumBlockSize = 2
        let fourth = IndexRecords.record("m4", "police", "Maria", "Lopez", "1979-02-20", .female, address: IndexRecords.oak)
        try await IndexUnderTest.run(store: PersonIndexStore(matcher: IncrementalMatcher(configuration: small))) { index in
            for record in [IndexRecords.maria1, IndexRecords.maria2] { _ = try await index.add(record) }
            #expect(try await index.add(IndexRecords.maria3).map(\.eventType).contains("bus.identity.linked"))
            #expect(try await index.add(fourth).isEmpty)
            #expect(try await index.person("m4") == "m4")
        }
        try await IndexUnderTest.run { index in
            for record in [IndexRecords.maria1, IndexRecords.maria2, IndexRecords.maria3] { _ = try await index.add(record) }
            #expect(try await index.add(fourth).map(\.eventType).contains("bus.identity.linked"))
            #expect(try await index.person("m4") == "m1")
        }
    }

    /// The prior follows the population the deployment serves: the typo and swapped date that
    /// go to review among 100,000 people (the default) link among 6,000, where another
    /// Jonathan Smithers born on either date is twenty times less likely.
    @Test func aSmallerPopulationLinksWhatTheDefaultSendsToReview() async throws {
        let small = PersonIndexStore(matcher: IncrementalMatcher(model: IncrementalMatcher.builtInModel(population: 6_000)))
        try await IndexUnderTest.run(store: small) { index in
            _ = try await index.add(IndexRecords.typo)
            let events = try await index.add(IndexRecords.swapped)
            #expect(events.map(\.eventType) == ["bus.identity.linked"])
            #expect(events.first?.decisionSource == .model)
            #expect(try await index.person("t2") == "t1")
            #expect(try await index.reviews().isEmpty)
        }
        #expect(IncrementalMatcher.builtInModel.matchPrior == 1.0 / 100_000)
    }

    /// The operators' counts follow what the index did: records, persons, links by what made
    /// them, pairs waiting, human decisions (a pair decided leaves the queue).
    @Test func statisticsCountWhatTheIndexDid() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.jail, IndexRecords.prison, IndexRecords.typo, IndexRecords.swapped)
            let store = index.store
            var expected = PersonIndexStore.Statistics(
                records: 4, persons: 3, personsWithSeveralRecords: 1, links: ["strong_identifier": 1], pendingReviews: 1,
                pendingReviewsByHold: ["below_link_threshold": 1], humanDecisions: 0, peopleAtLeast: 1)
            #expect(try await index.database.read { try store.statistics($0) } == expected)
            _ = try await index.decide(.link, "t1", "t2")
            expected.persons = 2
            expected.personsWithSeveralRecords = 2
            expected.links["human"] = 1
            expected.pendingReviews = 0
            expected.pendingReviewsByHold = [:]
            expected.humanDecisions = 1
            #expect(try await index.database.read { try store.statistics($0) } == expected)
        }
    }

    /// The people the index knows apart by their numbers: different state IDs (however
    /// written) or different FBI numbers, whichever are more; records without either add none;
    /// a sealed person's numbers leave with the records.
    @Test func peopleAtLeastCountsDifferentNumbers() async throws {
        try await IndexUnderTest.run { index in
            func numbered(_ id: String, _ given: String, stateId: String? = nil, fbiNumber: String? = nil) -> PersonRecord {
                PersonRecord(
                    recordId: id, source: "jail", givenName: given, familyName: "Okafor", dateOfBirth: DateOfBirth(iso: "1980-05-0\(id.count)"),
                    sex: .male, identifiers: PersonIdentifiers(stateId: stateId, fbiNumber: fbiNumber))
            }
            let store = index.store
            func peopleAtLeast() async throws -> Int { try await index.database.read { try store.statistics($0) }.peopleAtLeast }
            #expect(try await peopleAtLeast() == 0)
            _ = try await index.add(IndexRecords.typo, IndexRecords.swapped)
            #expect(try await peopleAtLeast() == 0, "records without numbers tell no one apart")
            _ = try await index.add(
                numbered("a", "Ade", stateId: "MO5550001"), numbered("bb", "Bola", stateId: "mo-5550001", fbiNumber: "F1"),
                numbered("ccc", "Chike", stateId: "MO5550002"), numbered("dddd", "Dayo", fbiNumber: "F2"))
            #expect(try await peopleAtLeast() == 2, "two state IDs, two FBI numbers")
            _ = try await index.add(numbered("eeeee", "Emeka", fbiNumber: "F3"))
            #expect(try await peopleAtLeast() == 3, "three FBI numbers outnumber two state IDs")
            _ = try await index.database.write { try store.removePersons(holding: PersonIdentifiers(fbiNumber: "F3"), $0) }
            #expect(try await peopleAtLeast() == 2)
        }
    }

    @Test func linkThenDistinctKeepsBothInTheHistoryAndTheLatestWins() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.typo, IndexRecords.swapped)
            let link = try await index.decide(.link, "t2", "t1")
            #expect(link.map(\.eventType) == ["bus.identity.decided", "bus.identity.linked", "bus.identity.merged"])
            #expect(link.first?.decision == "link" && link.first?.supersedes == nil)
            #expect(link[1].decisionSource == .human && link[1].decidedBy == "analyst.reyes")
            #expect(try await index.person("t2") == "t1")
            #expect(try await index.reviews().isEmpty)

            let distinct = try await index.decide(.distinct, "t1", "t2", by: "sgt.ortiz", at: 1_750_001_000)
            #expect(distinct.map(\.eventType) == ["bus.identity.decided", "bus.identity.split", "bus.identity.unlinked"])
            #expect(distinct.first?.supersedes == "link")
            #expect(try await index.person("t2") == "t2")
            #expect(try await index.person("t1") == "t1")
            let history = try await index.history("t2", "t1")
            #expect(history.map(\.kind) == [.link, .distinct])
            #expect(history.map(\.decidedBy) == ["analyst.reyes", "sgt.ortiz"])
        }
    }

    @Test func distinctAfterAModelLinkSplitsAndNoLaterScoreOverridesIt() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.maria1)
            let linked = try await index.add(IndexRecords.maria2)
            #expect(linked.map(\.eventType) == ["bus.identity.linked"])
            #expect(linked.first?.decisionSource == .model)
            #expect(linked.first?.agreed == ["givenName", "familyName", "dateOfBirth", "sex", "address"])
            #expect(try await index.person("m2") == "m1")

            let split = try await index.decide(.distinct, "m1", "m2")
            #expect(split.map(\.eventType) == ["bus.identity.decided", "bus.identity.split", "bus.identity.unlinked"])
            #expect(split[1].persons == [.init(personId: "m1", recordIds: ["m1"]), .init(personId: "m2", recordIds: ["m2"])])
            #expect(split[2].recordId == "m2" && split[2].personId == "m1" && split[2].newPersonId == "m2")

            // A third record the model links to both: it joins one, and the other pair goes to
            // review, naming the pair the reviewer parted.
            let third = try await index.add(IndexRecords.maria3)
            #expect(third.map(\.eventType) == ["bus.identity.linked", "bus.identity.review-requested"])
            #expect(third.last?.heldBecause == .decidedDistinct && third.last?.heldBy == ["m1", "m2"])
            let m1 = try await index.person("m1"), m2 = try await index.person("m2")
            #expect(m1 == "m1" && m2 == "m2")
            #expect(try await index.person("m3") == "m1")

            // A human link that would rejoin them is refused, naming the pair decided distinct.
            await #expect(throws: PersonIndexStoreError(.conflictsWithDecision(a: "m1", b: "m2"))) { try await index.decide(.link, "m3", "m2") }
            #expect(try await index.history("m2", "m3").isEmpty)
        }
    }

    @Test func decisionsAboutUnknownRecordsOrByAMalformedOperatorAreRefusedAndChangeNothing() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.typo, IndexRecords.swapped)
            await #expect(throws: PersonIndexStoreError(.unknownRecord("nobody"))) { try await index.decide(.link, "t1", "nobody") }
            await #expect(throws: PersonIndexStoreError(.unknownRecord("ghost"))) { try await index.decide(.distinct, "ghost", "t1") }
            await #expect(throws: PersonIndexStoreError(.sameRecord("t1"))) { try await index.decide(.distinct, "t1", "t1") }
            await #expect(throws: PersonIndexStoreError(.invalidOperator)) { try await index.decide(.link, "t1", "t2", by: "analyst reyes") }
            #expect(try await index.history("t1", "t2").isEmpty)
            #expect(try await index.reviews().count == 1)
            #expect(PersonIndexStoreError(.unknownRecord("nobody")).description == "no record nobody in the person index")
        }
    }

    @Test func aDistinctThatAStateIdContradictsIsRefused() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.jail, IndexRecords.prison)
            await #expect(throws: PersonIndexStoreError(.boundByStrongerEvidence(a: "r1", b: "r2"))) { try await index.decide(.distinct, "r2", "r1") }
            #expect(try await index.person("r2") == "r1")
            #expect(try await index.history("r1", "r2").isEmpty)
        }
    }

    /// One record at a time: a "Tina" links to the only Christina of her birth; with twins
    /// Christina and Christine known (their own pair held on its two names), a "Tina" could be
    /// either and waits for review, each pair naming the other twin.
    @Test func aNicknameOfSeveralNamesLinksOnlyWhenUnrivalled() async throws {
        try await IndexUnderTest.run { index in
            let oak = IndexRecords.oak
            _ = try await index.add(IndexRecords.record("z1", "jail", "Christina", "Zielinski", "1990-05-05", .female, address: oak))
            let alone = try await index.add(IndexRecords.record("z2", "police", "Tina", "Zielinski", "1990-05-05", .female, address: oak))
            #expect(alone.map(\.eventType) == ["bus.identity.linked"])
            #expect(try await index.person("z2") == "z1")

            _ = try await index.add(IndexRecords.wojcik("y1", "jail", "Christina"))
            let twin = try await index.add(IndexRecords.wojcik("y3", "courts", "Christine"))
            #expect(twin.map(\.eventType) == ["bus.identity.review-requested"])
            #expect(twin.map(\.heldBecause) == [.fields])
            let tina = try await index.add(IndexRecords.wojcik("y2", "police", "Tina"))
            #expect(tina.map(\.eventType) == ["bus.identity.review-requested", "bus.identity.review-requested"])
            #expect(tina.map(\.heldBecause) == [.anotherPersonPlausible, .anotherPersonPlausible])
            #expect(tina.map(\.heldBy) == [["y3"], ["y1"]])
            #expect(try await index.person("y2") == "y2")
        }
    }

    /// A review the candidate's person waits in is no rival when its own pair contradicts: a
    /// "Christine" recorded as a man beside the "Tina" (their pair held for review, the sexes
    /// disagreeing) does not keep a Christina from the "Tina", as in a batch.
    @Test func aContradictedReviewIsNoRivalToANickname() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.wojcik("t1", "jail", "Tina"))
            let man = try await index.add(IndexRecords.wojcik("t3", "courts", "Christine", .male))
            #expect(man.map(\.eventType) == ["bus.identity.review-requested"])
            _ = try await index.add(IndexRecords.wojcik("t2", "police", "Christina"))
            #expect(try await index.person("t2") == "t1")
        }
    }

    /// One record at a time, as the service adds them: a bare initial links to the only person
    /// it fits; a twin arriving later (a full name with the same initial, whose given name
    /// disagrees with the person's) is not pulled in through the initial but waits for review;
    /// an initial arriving after both twins waits for review too.
    @Test func aBareInitialLinksOnlyWhenUnrivalled() async throws {
        try await IndexUnderTest.run { index in
            let oak = IndexRecords.oak
            _ = try await index.add(IndexRecords.record("z1", "jail", "Jonathan", "Zielinski", "1990-05-05", address: oak))
            let initial = try await index.add(IndexRecords.record("z2", "police", "J", "Zielinski", "1990-05-05", address: oak))
            #expect(initial.map(\.eventType) == ["bus.identity.linked"])
            #expect(initial.first?.decisionSource == .model)
            #expect(try await index.person("z2") == "z1")

            let twin = try await index.add(IndexRecords.record("z3", "courts", "Jacob", "Zielinski", "1990-05-05", address: oak))
            #expect(twin.map(\.eventType) == ["bus.identity.review-requested", "bus.identity.review-requested"])
            #expect(try await index.person("z3") == "z3")
            #expect(try await index.reviews().map { "\($0.a.recordId)-\($0.b.recordId)" }.sorted() == ["z1-z3", "z2-z3"])

            // The other order: both twins known, then an "A." who could be either: review only.
            _ = try await index.add(IndexRecords.record("y1", "jail", "Anna", "Wojcik", "1988-03-03", .female, address: oak))
            _ = try await index.add(IndexRecords.record("y3", "courts", "Alice", "Wojcik", "1988-03-03", .female, address: oak))
            let ambiguous = try await index.add(IndexRecords.record("y2", "police", "A", "Wojcik", "1988-03-03", .female, address: oak))
            #expect(ambiguous.map(\.eventType) == ["bus.identity.review-requested", "bus.identity.review-requested"])
            #expect(try await index.person("y2") == "y2")
            // The reviewer is told why: the initial, and which other person is plausible too
            // (each twin for the pair with the other), in the store and on the bus.
            #expect(ambiguous.map(\.heldBecause) == [.anotherPersonPlausible, .anotherPersonPlausible])
            #expect(ambiguous.map(\.heldBy) == [["y3"], ["y1"]])
            #expect(ambiguous.allSatisfy { $0.headers[EventHeaders.schemaVersion] == "2" })
            let held = try #require(try await index.reviews().first { $0.a.recordId == "y1" && $0.b.recordId == "y2" })
            #expect(held.hold == ReviewHold(.anotherPersonPlausible, records: ["y3"]))
            #expect(held.heldByRecords.map(\.givenName) == ["Alice"])
            #expect(held.heldBecause(linkThreshold: 0.99) == [
                "one given name is an initial only", "another person is plausible too (record y3)",
            ], "\(held.score) \(held.reasons)")
        }
    }

    /// One record at a time: a misspelled given name that only sounds like the person's
    /// ("Katelynn" beside "Kaitlyn": neither is in the nickname table, nor among the names the
    /// index counted) links to the only person it fits; one that sounds like both of two twins waits for review with each, and the
    /// reviewer is told the names only sound alike and which other person is plausible too.
    @Test func aMisspelledGivenNameLinksOnlyWhenUnrivalled() async throws {
        // Rarity is judged by the names a learning counted (thirty Smiths): none before.
        try await IndexUnderTest.run(store: PersonIndexStore(learning: NameCountsTests.learning(after: 30))) { index in
            for smith in NameCountsTests.otherSmiths { _ = try await index.add(smith) }
            #expect(try await index.countedRecords() == 30)
            let oak = IndexRecords.oak
            _ = try await index.add(IndexRecords.record("z1", "jail", "Kaitlyn", "Zielinski", "1990-05-05", .female, address: oak))
            let misspelled = try await index.add(IndexRecords.record("z2", "police", "Katelynn", "Zielinski", "1990-05-05", .female, address: oak))
            #expect(misspelled.map(\.eventType) == ["bus.identity.linked"])
            #expect(try await index.person("z2") == "z1")

            // Twins whose state IDs tell them apart, then a record without one that fits both.
            _ = try await index.add(IndexRecords.record("y1", "jail", "Katelynn", "Wojcik", "1988-03-03", .female, stateId: "IL1", address: oak))
            _ = try await index.add(IndexRecords.record("y3", "courts", "Caitlynne", "Wojcik", "1988-03-03", .female, stateId: "IL2", address: oak))
            #expect(try await index.person("y3") == "y3")
            let ambiguous = try await index.add(IndexRecords.record("y2", "police", "Kaitlyn", "Wojcik", "1988-03-03", .female, address: oak))
            #expect(ambiguous.map(\.eventType) == ["bus.identity.review-requested", "bus.identity.review-requested"])
            #expect(try await index.person("y2") == "y2")
            let held = try #require(try await index.reviews().first { $0.a.recordId == "y1" && $0.b.recordId == "y2" })
            #expect(held.hold == ReviewHold(.anotherPersonPlausible, records: ["y3"]))
            #expect(held.heldBecause(linkThreshold: 0.99) == [
                "the given names only sound alike", "another person is plausible too (record y3)",
            ], "\(held.score) \(held.reasons)")
        }
    }

    /// A record without the sex, its given name one letter from a twin's ("Mark" beside his
    /// sister Mary, one date of birth and address), joins Mark and waits for review with Mary:
    /// Mark's record, joined first, gives another sex than hers. Before, the close pair linked
    /// outright and joined the twins. Alone beside Mary it would still link.
    @Test func closeNamesWithoutTheSexWaitWhenThePersonsSexesDisagree() async throws {
        let oak = IndexRecords.oak
        var unsexed = IndexRecords.record("z2", "police", "Mark", "Zielinski", "1990-05-05", address: oak)
        unsexed.sex = nil
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.record("z1", "jail", "Mark", "Zielinski", "1990-05-05", .male, address: oak))
            _ = try await index.add(IndexRecords.record("z3", "courts", "Mary", "Zielinski", "1990-05-05", .female, address: oak))
            _ = try await index.add(unsexed)
            #expect(try await index.person("z2") == "z1")
            #expect(try await index.person("z3") == "z3")
            let held = try #require(try await index.reviews().first { Set([$0.a.recordId, $0.b.recordId]) == ["z2", "z3"] })
            #expect(held.hold == ReviewHold(.anotherPersonPlausible, records: ["z1"]))
            #expect(held.heldBecause(linkThreshold: 0.99).first == "a record lacks the sex and the given names are only close, while the persons' records give different sexes")
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.record("z3", "courts", "Mary", "Zielinski", "1990-05-05", .female, address: oak))
            _ = try await index.add(unsexed)
            #expect(try await index.person("z3") == "z2")
        }
    }

    /// The twins again, the sexless Mark between them: stored Mary, the sexless Mark joins her
    /// (close names, nothing disagrees yet), then Mark with the sex would join him by equal
    /// names, which no record's sex held before, and the twins were one person. The person
    /// joined through the close pair without the sex now holds any model link to a person of
    /// the other sex for review, naming Mary; and the order of the test above still holds the
    /// close pair. Mark's record is added by a new store on the same database, as after a
    /// restart: what the person was joined through is read from the links, not remembered.
    @Test func aPersonJoinedThroughCloseNamesWithoutTheSexWaitsBeforeTheOtherSex() async throws {
        let oak = IndexRecords.oak
        var unsexed = IndexRecords.record("z2", "police", "Mark", "Zielinski", "1990-05-05", address: oak)
        unsexed.sex = nil
        let mark = IndexRecords.record("z1", "jail", "Mark", "Zielinski", "1990-05-05", .male, address: oak)
        let mary = IndexRecords.record("z3", "courts", "Mary", "Zielinski", "1990-05-05", .female, address: oak)
        try await IndexUnderTest.run { index in
            _ = try await index.add(mary)
            _ = try await index.add(unsexed)
            #expect(try await index.person("z2") == "z2")
            #expect(try await index.person("z3") == "z2")
            let restarted = PersonIndexStore()
            let events = try await index.database.write { try restarted.add([mark], at: Date(timeIntervalSince1970: 1_750_000_000), $0) }
            try IndexUnderTest.validate(events)
            #expect(try await index.person("z1") == "z1")
            #expect(try await index.person("z3") == "z2")
            let held = try #require(try await index.reviews().first { Set([$0.a.recordId, $0.b.recordId]) == ["z1", "z2"] })
            #expect(held.hold == ReviewHold(.anotherPersonPlausible, records: ["z3"]))
            // A reviewer links the pair anyway (one person with a miscoded sex, say): the
            // close-names link within the person is no longer doubted, and a later record of
            // Mark joins by the model instead of waiting behind Mary's sex again.
            _ = try await index.decide(.link, "z1", "z2")
            #expect(try await index.person("z1") == index.person("z3"))
            var later = mark
            later.recordId = "z4"
            later.source = "probation"
            _ = try await index.add(later)
            #expect(try await index.person("z4") == index.person("z1"))
            #expect(try await index.reviews().allSatisfy { !Set([$0.a.recordId, $0.b.recordId]).contains("z4") })
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(mary)
            _ = try await index.add(mark)
            _ = try await index.add(unsexed)
            let hers = try await index.person("z3"), his = try await index.person("z1")
            #expect(hers != his)
            let held = try #require(try await index.reviews().first { Set([$0.a.recordId, $0.b.recordId]) == ["z2", "z3"] })
            #expect(held.hold?.cause == .anotherPersonPlausible)
        }
    }

    /// A record without a date of birth joins the one person of its name at its address, but
    /// waits for review when a mother and her daughter of one name both live there.
    @Test func aRecordWithoutADateOfBirthLinksOnlyWhenUnrivalled() async throws {
        func sharon(_ id: String, _ date: String?, ssn: String? = nil) -> PersonRecord {
            PersonRecord(
                recordId: id, source: "jail", givenName: "Sharon", familyName: "Zielinski", dateOfBirth: date.flatMap(DateOfBirth.init(iso:)),
                sex: .female, address: IndexRecords.oak, identifiers: PersonIdentifiers(ssn: ssn))
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(sharon("z1", "1960-04-23", ssn: "4417"))
            let undated = try await index.add(sharon("z2", nil, ssn: "4417"))
            #expect(undated.map(\.eventType) == ["bus.identity.linked"])
            #expect(try await index.person("z2") == "z1")
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(sharon("y1", "1960-04-23", ssn: "4417"))
            _ = try await index.add(sharon("y3", "1985-09-02"))
            let undated = try await index.add(sharon("y2", nil, ssn: "4417"))
            #expect(undated.map(\.eventType) == ["bus.identity.review-requested", "bus.identity.review-requested"])
            #expect(try await index.person("y2") == "y2")
        }
    }

    /// The store applies the batch's rivals to the new record's partners: a record of another
    /// person at the same address whose pair with the undated one contradicts (a man's record
    /// named Sharon) is no rival, nor one whose pair weighs far less (a Sharon born 1985 whose
    /// SSN's last four differ, beside the Sharon of 1960 whose last four agree). Each still waits
    /// in review with the undated record; the undated record joins its person.
    @Test func anUndatedRecordIgnoresPartnersThatCannotBeItsPerson() async throws {
        func sharon(_ id: String, _ date: String?, sex: Sex = .female, ssn: String? = nil) -> PersonRecord {
            PersonRecord(
                recordId: id, source: "jail", givenName: "Sharon", familyName: "Zielinski", dateOfBirth: date.flatMap(DateOfBirth.init(iso:)),
                sex: sex, address: IndexRecords.oak, identifiers: PersonIdentifiers(ssn: ssn))
        }
        for other in [sharon("z3", "1985-09-02", sex: .male), sharon("z3", "1985-09-02", ssn: "9921")] {
            try await IndexUnderTest.run { index in
                _ = try await index.add(sharon("z1", "1960-04-23", ssn: "4417"))
                _ = try await index.add(other)
                let undated = try await index.add(sharon("z2", nil, ssn: "4417"))
                #expect(undated.map(\.eventType) == ["bus.identity.linked", "bus.identity.review-requested"], "\(other)")
                #expect(try await index.person("z2") == "z1")
                #expect(try await index.person("z3") == "z3")
            }
        }
    }

    /// The same two rules hold for the reviews the candidate's person already waits in, as they
    /// do in a batch: an undated record that went to review with a brother at its address (given
    /// names disagreeing outright), or with a namesake elsewhere (far weaker evidence), is still
    /// joined by its own dated record at its address when that arrives later. (Among 5,000
    /// people, where those first pairs score for review; among 100,000 they score apart.)
    @Test func reviewsThatCannotBeThePersonAreNoRivalsEither() async throws {
        let store = PersonIndexStore(matcher: IncrementalMatcher(model: IncrementalMatcher.builtInModel(population: 5_000)))
        let elm = PostalAddress(line1: "18 Elm Avenue", city: "Springfield", state: "MO", postalCode: "65802")
        func zielinski(_ id: String, _ given: String, _ date: String?, _ address: PostalAddress = IndexRecords.oak) -> PersonRecord {
            PersonRecord(
                recordId: id, source: "jail", givenName: given, familyName: "Zielinski", dateOfBirth: date.flatMap(DateOfBirth.init(iso:)),
                sex: .male, address: address, identifiers: PersonIdentifiers())
        }
        // A brother at the same address; a namesake at another address, born decades apart.
        for rival in [zielinski("r1", "Thaddeus", "1988-07-14"), zielinski("r1", "Casimir", "1951-02-27", elm)] {
            try await IndexUnderTest.run(store: store) { index in
                _ = try await index.add(rival)
                let undated = try await index.add(zielinski("w1", "Casimir", nil))
                #expect(undated.map(\.eventType) == ["bus.identity.review-requested"], "\(rival)")
                let dated = try await index.add(zielinski("w2", "Casimir", "2003-11-02"))
                #expect(dated.map(\.eventType) == ["bus.identity.linked"], "\(rival)")
                #expect(try await index.person("w2") == "w1")
                #expect(try await index.person("r1") == "r1")
            }
        }
    }

    /// Twins under their own state IDs are not joined by the model, neither directly (the pair
    /// goes to review) nor through a record without numbers that fits both: it joins the first,
    /// and the link that would merge the two persons goes to review. A reviewer may still join
    /// them (a mistyped number). (Near names the nickname table does not know: Christina and
    /// Christine it knows as two names, which holds their pair on its own.)
    @Test func theModelNeverJoinsPersonsOfDifferentStateIds() async throws {
        func twin(_ id: String, _ given: String, _ stateId: String?) -> PersonRecord {
            IndexRecords.record(id, "jail", given, "Zielinski", "1967-10-19", .female, stateId: stateId, address: IndexRecords.oak)
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(twin("z1", "Marta", "IL10000001"))
            let second = try await index.add(twin("z2", "Marla", "IL10000002"))
            #expect(second.map(\.eventType) == ["bus.identity.review-requested"])
            #expect(try await index.reviews().first?.heldBecause(linkThreshold: 0.99) == [
                "the records carry different state IDs, FBI numbers or DOC numbers: two people unless one is mistyped"
            ])
            #expect(try await index.reviews().first?.hold == ReviewHold(.fields))
            let third = try await index.add(twin("z3", "Marta", nil))
            #expect(third.map(\.eventType) == ["bus.identity.linked", "bus.identity.review-requested"])
            #expect(try await index.person("z3") == "z1")
            #expect(try await index.person("z2") == "z2")
            // The undated-numbers record would have joined Marla too: what held it is named.
            #expect(third.last?.heldBecause == .personsCarryDifferentNumbers && third.last?.heldBy == ["z1", "z2"])
            let numbered = try #require(try await index.reviews().first { $0.a.recordId == "z2" && $0.b.recordId == "z3" })
            #expect(numbered.heldBecause(linkThreshold: 0.99).last
                == "records z1 and z2 of the two persons carry different state IDs, FBI numbers or DOC numbers")
            let joined = try await index.decide(.link, "z1", "z2")
            #expect(joined.map(\.eventType).contains("bus.identity.merged"))
            #expect(try await index.person("z2") == "z1")
        }
    }

    /// A record whose date of birth is a day off joins a person when it is the only one saying
    /// so. Two persons whose records each confirm their own date (namesakes born a day apart,
    /// at two addresses) are not joined by a record of one of them at the other's address. The
    /// store judges each record as it arrives, so it sees this only once both persons have two
    /// records: a record a day off that arrives while its person has none is taken for a typo.
    @Test func differingDatesLinkUnlessEachPersonConfirmsItsOwn() async throws {
        let elm = PostalAddress(line1: "18 Elm Avenue", city: "Springfield", state: "MO", postalCode: "65802")
        func thaddeus(_ id: String, _ source: String, _ date: String, _ address: PostalAddress = IndexRecords.oak) -> PersonRecord {
            IndexRecords.record(id, source, "Thaddeus", "Zielinski", date, address: address)
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(thaddeus("z1", "jail", "1983-02-10"))
            _ = try await index.add(thaddeus("z2", "courts", "1983-02-10"))
            _ = try await index.add(thaddeus("z3", "police", "1983-02-11"))
            #expect(try await index.person("z3") == "z1")
        }
        try await IndexUnderTest.run { index in
            _ = try await index.add(thaddeus("y1", "jail", "1983-02-10"))
            _ = try await index.add(thaddeus("y2", "courts", "1983-02-10"))
            _ = try await index.add(thaddeus("y3", "police", "1983-02-11", elm))
            _ = try await index.add(thaddeus("y4", "doc", "1983-02-11", elm))
            #expect(try await index.person("y4") == "y3")
            #expect(try await index.person("y2") == "y1")
            // The man of Elm Avenue, now at Oak Street: he joins his person, not the other.
            let moved = try await index.add(thaddeus("y5", "police", "1983-02-11"))
            #expect(try await index.person("y5") == "y3")
            #expect(moved.map(\.eventType).contains("bus.identity.review-requested"))
        }
    }

    /// The store sees twins whose own pair scored too low to be reviewed (a brother and a sister
    /// with different SSNs), and
    /// twins joined to the "J." by a shared state ID: a record of one person contradicting a
    /// record of the other keeps the bare initial in review.
    @Test func aBareInitialDoesNotJoinTwinsThatScoredApartOrShareAnIdentifier() async throws {
        func twin(_ id: String, _ given: String, sex: Sex? = .male, stateId: String? = nil, ssn: String? = nil) -> PersonRecord {
            PersonRecord(
                recordId: id, source: "jail", givenName: given, familyName: "Zielinski", dateOfBirth: DateOfBirth(iso: "1990-05-05"),
                sex: sex, address: IndexRecords.oak, identifiers: PersonIdentifiers(stateId: stateId, ssn: ssn))
        }
        // A "J." without a sex, then Jacob (linked to it: nothing else fits it yet), then his twin
        // sister Joanna.
        try await IndexUnderTest.run { index in
            _ = try await index.add(twin("x1", "J", sex: nil))
            _ = try await index.add(twin("x2", "Jacob", ssn: "999887777"))
            #expect(try await index.person("x2") == "x1")
            _ = try await index.add(twin("x3", "Joanna", sex: .female, ssn: "111223333"))
            #expect(try await index.person("x3") == "x3")
            // The twins' own pair is not even in review: only the persons' records tell them apart.
            let pending = try await index.reviews().map { "\($0.a.recordId)-\($0.b.recordId)" }
            #expect(pending == ["x1-x3"])
        }
        // Jonathan, Jacob, then a "J." carrying Jacob's state ID: it joins Jacob, not Jonathan.
        try await IndexUnderTest.run { index in
            _ = try await index.add(twin("w1", "Jonathan", ssn: "111223333"))
            _ = try await index.add(twin("w2", "Jacob", stateId: "IL77", ssn: "999887777"))
            _ = try await index.add(twin("w3", "J", stateId: "IL77"))
            #expect(try await index.person("w3") == "w2")
            #expect(try await index.person("w1") == "w1")
        }
    }

    /// Sealing a person removes their record's id from the holds of other pairs that named it
    /// (the pair stays for a reviewer, without the name), and nothing of the record remains.
    @Test func sealingARivalRemovesItsNameFromTheHoldsItCaused() async throws {
        let oak = IndexRecords.oak
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.record("y1", "jail", "Anna", "Wojcik", "1988-03-03", .female, address: oak))
            _ = try await index.add(IndexRecords.record("y3", "courts", "Alice", "Wojcik", "1988-03-03", .female, stateId: "MO5550001", address: oak))
            _ = try await index.add(IndexRecords.record("y2", "police", "A", "Wojcik", "1988-03-03", .female, address: oak))
            #expect(try await index.reviews().first { $0.b.recordId == "y2" }?.hold?.records == ["y3"])

            let store = index.store
            let removal = try await index.database.write { try store.removePersons(holding: PersonIdentifiers(stateId: "MO5550001"), $0) }
            #expect(removal.recordIds == ["y3"])
            #expect(removal.rowsByTable["person_index_reviews"] == 2)  // the twins' own pair, and y2–y3
            #expect(removal.rowsByTable["person_index_reviews.held_by_a"] == 1)  // y1–y2's hold named y3
            let remaining = try await index.reviews()
            #expect(remaining.map { "\($0.a.recordId)-\($0.b.recordId)" } == ["y1-y2"])
            #expect(remaining.first?.hold == ReviewHold(.anotherPersonPlausible))
            #expect(remaining.first?.heldByRecords.isEmpty == true)
            let named = try await index.database.read { transaction in
                try transaction.fetchAll(
                    "SELECT a FROM person_index_reviews WHERE a = 'y3' OR b = 'y3' OR held_by_a = 'y3' OR held_by_b = 'y3'", [])
            }
            #expect(named.isEmpty)
        }
    }

    /// A pair held before the index stored why (a review row from before the migration) is
    /// still explained: its own fields, and, where they would have linked it, a doubt named in
    /// general terms. A stored hold replaces that guess with the record that caused it.
    @Test func aHoldNotStoredIsExplainedFromThePairAlone() {
        let reasons = [
            IdentityEvent.Reason(field: "givenName", level: "initial", weight: 2.1),
            IdentityEvent.Reason(field: "familyName", level: "agree", weight: 6.7),
            IdentityEvent.Reason(field: "dateOfBirth", level: "agree", weight: 11.9),
        ]
        var review = PendingReview(
            a: IndexRecords.typo, b: IndexRecords.swapped, aPersonId: "t1", bPersonId: "t2", score: 0.999, reasons: reasons)
        #expect(review.heldBecause(linkThreshold: 0.99) == [
            "one given name is an initial only",
            "another record made it doubtful: another person plausible too, different numbers among the persons' other records, "
                + "or an earlier decision that they are distinct",
        ])
        review.hold = ReviewHold(.anotherPersonPlausible, records: ["x9"])
        #expect(review.heldBecause(linkThreshold: 0.99) == ["one given name is an initial only", "another person is plausible too (record x9)"])
        review.hold = ReviewHold(.datesConfirmedApart)
        #expect(review.heldBecause(linkThreshold: 0.99).last == "each person's records confirm a different date of birth")
    }

    @Test func aStoredRecordIdWithOtherContentsIsRefused() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.typo)
            var changed = IndexRecords.typo
            changed.familyName = "Smith"
            await #expect(throws: PersonIndexStoreError(.conflictingRecord("t1"))) { try await index.add(changed) }
        }
    }
}

/// The same rules on PostgreSQL 15; skipped, saying why, where it is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct PersonIndexStorePostgresTests {
    @Test func aSharedStateIdLinksDeterministicallyAndTheSmallerIdSurvivesAMerge() async throws { try await PersonIndexStoreTests().aSharedStateIdLinksDeterministicallyAndTheSmallerIdSurvivesAMerge() }
    @Test func aTypoAndSwappedDayAndMonthGoToReviewWithTheirReasons() async throws { try await PersonIndexStoreTests().aTypoAndSwappedDayAndMonthGoToReviewWithTheirReasons() }
    @Test func aSmallerPopulationLinksWhatTheDefaultSendsToReview() async throws { try await PersonIndexStoreTests().aSmallerPopulationLinksWhatTheDefaultSendsToReview() }
    @Test func migratingGivesStoredRecordsTodaysBlockingKeys() async throws { try await PersonIndexStoreTests().migratingGivesStoredRecordsTodaysBlockingKeys() }
    @Test func migratingGivesStoredRecordsTheAddressKey() async throws { try await PersonIndexStoreTests().migratingGivesStoredRecordsTheAddressKey() }
    @Test func closeNamesWithoutTheSex() async throws { try await PersonIndexStoreTests().closeNamesWithoutTheSexWaitWhenThePersonsSexesDisagree() }
    @Test func closeNamesWithoutTheSexInAnyOrder() async throws { try await PersonIndexStoreTests().aPersonJoinedThroughCloseNamesWithoutTheSexWaitsBeforeTheOtherSex() }
    @Test func aRecordIsNotComparedThroughAnOversizedBlock() async throws { try await PersonIndexStoreTests().aRecordIsNotComparedThroughAnOversizedBlock() }
    @Test func statisticsCountWhatTheIndexDid() async throws { try await PersonIndexStoreTests().statisticsCountWhatTheIndexDid() }
    @Test func peopleAtLeastCountsDifferentNumbers() async throws { try await PersonIndexStoreTests().peopleAtLeastCountsDifferentNumbers() }
    @Test func linkThenDistinctKeepsBothInTheHistoryAndTheLatestWins() async throws { try await PersonIndexStoreTests().linkThenDistinctKeepsBothInTheHistoryAndTheLatestWins() }
    @Test func distinctAfterAModelLinkSplitsAndNoLaterScoreOverridesIt() async throws { try await PersonIndexStoreTests().distinctAfterAModelLinkSplitsAndNoLaterScoreOverridesIt() }
    @Test func decisionsAboutUnknownRecordsOrByAMalformedOperatorAreRefusedAndChangeNothing() async throws { try await PersonIndexStoreTests().decisionsAboutUnknownRecordsOrByAMalformedOperatorAreRefusedAndChangeNothing() }
    @Test func aDistinctThatAStateIdContradictsIsRefused() async throws { try await PersonIndexStoreTests().aDistinctThatAStateIdContradictsIsRefused() }
    @Test func aStoredRecordIdWithOtherContentsIsRefused() async throws { try await PersonIndexStoreTests().aStoredRecordIdWithOtherContentsIsRefused() }
    @Test func aBareInitialLinksOnlyWhenUnrivalled() async throws { try await PersonIndexStoreTests().aBareInitialLinksOnlyWhenUnrivalled() }
    @Test func aMisspelledGivenNameLinksOnlyWhenUnrivalled() async throws { try await PersonIndexStoreTests().aMisspelledGivenNameLinksOnlyWhenUnrivalled() }
    @Test func bareInitialAndTwinsApart() async throws { try await PersonIndexStoreTests().aBareInitialDoesNotJoinTwinsThatScoredApartOrShareAnIdentifier() }
    @Test func aRecordWithoutADateOfBirthLinksOnlyWhenUnrivalled() async throws { try await PersonIndexStoreTests().aRecordWithoutADateOfBirthLinksOnlyWhenUnrivalled() }
    @Test func undatedIgnoresImpossibleRivals() async throws { try await PersonIndexStoreTests().anUndatedRecordIgnoresPartnersThatCannotBeItsPerson() }
    @Test func reviewsThatCannotBeThePersonAreNoRivalsEither() async throws { try await PersonIndexStoreTests().reviewsThatCannotBeThePersonAreNoRivalsEither() }
    @Test func sealingARivalRemovesItsNameFromTheHoldsItCaused() async throws { try await PersonIndexStoreTests().sealingARivalRemovesItsNameFromTheHoldsItCaused() }
    @Test func theModelNeverJoinsPersonsOfDifferentStateIds() async throws { try await PersonIndexStoreTests().theModelNeverJoinsPersonsOfDifferentStateIds() }
    @Test func differingDatesLinkUnlessEachPersonConfirmsItsOwn() async throws { try await PersonIndexStoreTests().differingDatesLinkUnlessEachPersonConfirmsItsOwn() }
    @Test func aNicknameOfSeveralNamesLinksOnlyWhenUnrivalled() async throws { try await PersonIndexStoreTests().aNicknameOfSeveralNamesLinksOnlyWhenUnrivalled() }
    @Test func aContradictedReviewIsNoRivalToANickname() async throws { try await PersonIndexStoreTests().aContradictedReviewIsNoRivalToANickname() }
}

/// The store fed one record at a time with generated records whose truth is known: the
/// built-in model, without learning from the batch, still links precisely. Measured on this
/// set (seed 11, 2 × 300 records, 332 people) with the default population: precision 1.0,
/// recall 0.887 (276 linked pairs); asserted with margin.
@Suite struct PersonIndexStoreOnGeneratedRecords {
    @Test func linksPreciselyOneRecordAtATime() async throws {
        let data = SyntheticPopulation(seed: 11).generate(sources: 2, recordsPerSource: 300)
        let evaluation = try await Self.evaluate(PersonIndexStore(), on: data)
        let (correct, linked) = (evaluation.correctLinkedPairs, evaluation.linkedPairs)
        #expect(data.truePairCount > 100)
        #expect(linked > 0 && evaluation.precision >= 0.98, "precision \(evaluation.precision) (\(correct) of \(linked))")
        #expect(evaluation.recall >= 0.75, "recall \(evaluation.recall) (\(correct) of \(data.truePairCount))")
    }

    /// Told the population its records describe (here 332 people, far fewer than the default's
    /// 100,000), the store links true pairs the default leaves in review, and links no more
    /// wrongly. Measured (seed 11): 276 → 297 correct links (recall 0.887 → 0.955), review
    /// share 0.080 → 0.032, no false link either way; asserted with margin.
    @Test func thePopulationsPriorLinksMoreWithoutLosingPrecision() async throws {
        let data = SyntheticPopulation(seed: 11).generate(sources: 2, recordsPerSource: 300)
        let byDefault = try await Self.evaluate(PersonIndexStore(), on: data)
        let model = IncrementalMatcher.builtInModel(population: data.personCount)
        let told = try await Self.evaluate(PersonIndexStore(matcher: IncrementalMatcher(model: model)), on: data)
        #expect(data.personCount < 600 && data.personCount > 200, "\(data.personCount) people")
        #expect(told.correctLinkedPairs >= byDefault.correctLinkedPairs + 10, "\(told.correctLinkedPairs) against \(byDefault.correctLinkedPairs)")
        #expect(told.reviewShare < byDefault.reviewShare, "\(told.reviewShare) against \(byDefault.reviewShare)")
        #expect(told.precision >= byDefault.precision && told.precision >= 0.98, "\(told.precision) against \(byDefault.precision)")
    }

    /// The records added one at a time, as the service adds them; each record's person and
    /// the pending reviews, scored against the generator's truth.
    static func evaluate(_ store: PersonIndexStore, on data: SyntheticPopulation.Labelled) async throws -> LinkEvaluation {
        let database = try SQLiteStorage.inMemory()
        let records = data.records
        let (persons, reviews) = try await database.write { transaction in
            try StorageMigrator.migrate(PersonIndexStore.migrations, in: transaction)
            _ = try store.add(records, at: Date(timeIntervalSince1970: 1_750_000_000), transaction)
            let persons = try records.map { try store.personId(of: $0.recordId, transaction) ?? "" }
            let reviews = try store.pendingReviews(limit: .max, transaction).map {
                ResolvedPair(a: $0.a.recordId, b: $0.b.recordId, score: $0.score, decision: .review, byIdentifier: false)
            }
            return (persons, reviews)
        }
        return LinkEvaluation(data, personIds: persons, pairs: reviews)
    }
}
