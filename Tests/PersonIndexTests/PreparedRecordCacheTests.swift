import Foundation
import PersonIndex
@testable import PersonIndexStore
import Storage
import Testing

/// The records a store prepared in earlier calls (`PreparedRecordCache`): what the service,
/// adding one record a call, compares new records with.
@Suite struct PreparedRecordCacheTests {
    /// Two generations: a record used lately stays, one not used since the newer generation
    /// last filled goes, and the cache never holds more than its limit.
    @Test func keepsTheRecordsUsedLately() {
        let cache = PreparedRecordCache(limit: 4)
        let records = ["a", "b", "c", "d"].map { PreparedRecord(IndexRecords.record($0, "jail", "Ann", "Lee", "1990-01-01")) }
        func stored(_ index: Int) -> String { "{\"recordId\":\"\(records[index].record.recordId)\"}" }
        cache.keep(records[0], storedAs: stored(0))
        cache.keep(records[1], storedAs: stored(1))
        cache.keep(records[2], storedAs: stored(2))  // a and b become the older generation
        #expect(cache.prepared(storedAs: stored(0))?.record == records[0].record)  // used: back among the newer
        cache.keep(records[3], storedAs: stored(3))  // c and a become the older; b goes
        #expect(cache.prepared(storedAs: stored(1)) == nil)
        #expect(cache.prepared(storedAs: stored(0))?.record == records[0].record)
        #expect(cache.prepared(storedAs: stored(2))?.record == records[2].record)
        #expect(cache.prepared(storedAs: "{}") == nil)
    }

    /// A record removed by a sealing order and later stored again under its id with other
    /// contents is compared as what it says now, in the calls after, not as what an earlier
    /// call prepared: the cache is keyed by the stored text.
    @Test func aRecordStoredAgainWithOtherContentsIsComparedAsItIsNow() async throws {
        try await IndexUnderTest.run { index in
            let keisha = IndexRecords.record("r1", "jail", "Keisha", "Brown", "1992-06-01", .female)
            _ = try await index.add(keisha)
            _ = try await index.add(IndexRecords.record("k2", "police", "Keisha", "Brown", "1992-06-01", .female))  // r1 prepared as its candidate
            let store = index.store
            _ = try await index.database.write { try store.removeRecords(["r1", "k2"], $0) }
            _ = try await index.add(IndexRecords.record("r1", "jail", "Pedro", "Alvarez", "1970-12-30"))
            let events = try await index.add(IndexRecords.record("p2", "courts", "Pedro", "Alvarez", "1970-12-30"))
            #expect(events.contains { $0.kind == .linked && $0.linkedTo == "r1" }, "\(events.map(\.kind))")
            #expect(try await index.person("p2") == index.person("r1"))
        }
    }

    /// A record a sealing order removes leaves the memory of the store that prepared it (its
    /// names, date of birth and numbers), not only its tables; another person's record stays.
    @Test func aRemovedRecordLeavesTheMemoryOfTheStore() async throws {
        try await IndexUnderTest.run { index in
            _ = try await index.add(IndexRecords.record("r1", "jail", "Keisha", "Brown", "1992-06-01", .female))
            _ = try await index.add(IndexRecords.record("k2", "police", "Keisha", "Brown", "1992-06-01", .female))
            _ = try await index.add(IndexRecords.record("p1", "jail", "Pedro", "Alvarez", "1970-12-30"))
            _ = try await index.add(IndexRecords.record("p2", "courts", "Pedro", "Alvarez", "1970-12-30"))
            let store = index.store
            let stored = try await index.database.read { transaction in
                try ["r1", "k2", "p1"].map { id in
                    try #require(try transaction.fetchOne("SELECT record_json FROM person_index_records WHERE record_id = $1", [.text(id)]))
                        .get("record_json", as: String.self)
                }
            }
            #expect(stored.allSatisfy { store.preparedRecords.prepared(storedAs: $0) != nil }, "compared records are kept prepared")
            _ = try await index.database.write { try store.removeRecords(["r1", "k2"], $0) }
            #expect(store.preparedRecords.prepared(storedAs: stored[0]) == nil)
            #expect(store.preparedRecords.prepared(storedAs: stored[1]) == nil)
            #expect(store.preparedRecords.prepared(storedAs: stored[2]) != nil)
        }
    }
}
