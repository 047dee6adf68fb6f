import Contracts
import Storage
import Testing

@testable import Routing

/// The router's store on an in-memory database with its migrations.
@Suite struct RouterStoreTests {
    private func database() async throws -> SQLiteStorage {
        let db = try SQLiteStorage.inMemory()
        try await db.write { try StorageMigrator.migrate(RouterStore.migrations, in: $0) }
        return db
    }

    @Test func findsCasesByStateIdOrFBINumber() async throws {
        let db = try await database()
        let other = SubjectIdentifiers(stateId: "MO0000001", name: PersonName(family: "Other"))
        try await db.write { db in
            let store = RouterStore(db)
            try store.saveCase(Events.caseStarted(caseId: "CASE-2"))
            try store.saveCase(Events.caseStarted(other, caseId: "CASE-3", id: "other"))
        }
        let byStateId = try await db.read { try RouterStore($0).cases(matching: SubjectIdentifiers(stateId: "MO1234567")) }
        let byFBI = try await db.read { try RouterStore($0).cases(matching: SubjectIdentifiers(fbiNumber: "734591KA2")) }
        let byName = try await db.read { try RouterStore($0).cases(matching: SubjectIdentifiers(name: Events.reyes.name)) }
        #expect(byStateId.map(\.caseId) == ["CASE-2"])
        #expect(byFBI.map(\.caseId) == ["CASE-2"])
        #expect(byName.isEmpty)
        #expect(byStateId.first?.officerId == "PP-KC-118")
        #expect(byStateId.first?.subject == Events.reyes)
    }

    @Test func aReSentCaseKeepsItsAssignedOfficerAndEndDate() async throws {
        let db = try await database()
        let cases = try await db.write { db in
            let store = RouterStore(db)
            try store.saveCase(Events.caseStarted())
            try store.assignOfficer(Events.lee, to: "CASE-1", effectiveMilliseconds: Events.nowMilliseconds, eventId: "assigned")
            try store.endCase("CASE-1", on: Events.day(5))
            try store.saveCase(Events.caseStarted(officer: nil))
            // Re-sent with its first officer: the later assignment stays current.
            try store.saveCase(Events.caseStarted())
            return try store.cases(matching: Events.reyes)
        }
        #expect(cases.map(\.officerId) == ["PP-KC-200"])
        #expect(cases.first?.assignments.map(\.officerId) == ["PP-KC-118", "PP-KC-200"])
        #expect(cases.map(\.endDate) == [Events.day(5).description])
    }

    /// A person's cases are remembered for the rest of the transaction (several rule families
    /// ask for them at each event), but every write to the cases or their officers, and a
    /// savepoint rolled back, is seen by the next lookup in the same transaction.
    @Test func lookupsInOneTransactionSeeEachWriteToTheCases() async throws {
        let db = try await database()
        let person = SubjectIdentifiers(stateId: "MO1234567")
        let seen = try await db.write { db in
            let store = RouterStore(db)
            var seen: [String] = []
            func look() throws {
                let cases = try store.cases(matching: person)
                let byId = try store.supervisionCase(id: "CASE-1").map { "\($0.officerId ?? "-"):\($0.assignments.count):\($0.endDate ?? "open")" }
                seen.append(cases.map { "\($0.caseId):\($0.officerId ?? "-"):\($0.assignments.count):\($0.endDate ?? "open")" }.joined(separator: ",")
                            + " | " + (byId ?? "none"))
            }
            try look()
            try store.saveCase(Events.caseStarted(caseId: "CASE-1"))
            try look()
            try look()
            try store.assignOfficer(Events.lee, to: "CASE-1", effectiveMilliseconds: Events.nowMilliseconds, eventId: "assigned")
            try look()
            try store.endCase("CASE-1", on: Events.day(5))
            try look()
            _ = try? db.savepoint {
                try store.saveCase(Events.caseStarted(caseId: "CASE-2", id: "second"))
                try look()
                throw CancellationError()
            }
            try look()
            _ = try store.removePerson(try Events.sealingOrder(person))
            try look()
            return seen
        }
        let ended = Events.day(5).description
        #expect(seen == [
            " | none",
            "CASE-1:PP-KC-118:1:open | PP-KC-118:1:open",
            "CASE-1:PP-KC-118:1:open | PP-KC-118:1:open",
            "CASE-1:PP-KC-200:2:open | PP-KC-200:2:open",
            "CASE-1:PP-KC-200:2:\(ended) | PP-KC-200:2:\(ended)",
            "CASE-1:PP-KC-200:2:\(ended),CASE-2:PP-KC-118:1:open | PP-KC-200:2:\(ended)",
            "CASE-1:PP-KC-200:2:\(ended) | PP-KC-200:2:\(ended)",
            " | none",
        ])
    }

    @Test func keepsEachArrestOnceAndHidesThoseDueToBeForgotten() async throws {
        let db = try await database()
        let arrest = Events.arrest()
        let value = try EventCodec.encode(arrest)
        let (count, atTen, atEleven) = try await db.write { db in
            let store = RouterStore(db)
            try store.recordArrest(arrest, eventId: "e-1", value: value, forgetAfterMilliseconds: 10)
            try store.recordArrest(arrest, eventId: "e-1", value: value, forgetAfterMilliseconds: 99)
            return (try store.arrestCount(), try store.arrests(matching: Events.reyes, nowMilliseconds: 10),
                    try store.arrests(matching: Events.reyes, nowMilliseconds: 11))
        }
        #expect(count == 1)
        #expect(atTen.map(\.forgetAfterMilliseconds) == [10])
        #expect(atTen.first?.event.payload.arrestId == "A-arrest")
        #expect(atEleven.isEmpty)
    }

    @Test func forgetsArrestsInBoundedSteps() async throws {
        let db = try await database()
        let value = try EventCodec.encode(Events.arrest())
        let steps = try await db.write { db in
            let store = RouterStore(db)
            for index in 0..<5 {
                try store.recordArrest(Events.arrest(id: "a\(index)"), eventId: "e-\(index)", value: value, forgetAfterMilliseconds: Int64(index))
            }
            try store.recordArrest(Events.arrest(id: "kept"), eventId: "e-kept", value: value, forgetAfterMilliseconds: nil)
            return [try store.forgetArrests(before: 100, limit: 2), try store.forgetArrests(before: 100, limit: 2),
                    try store.forgetArrests(before: 100, limit: 2), try store.arrestCount()]
        }
        #expect(steps == [2, 2, 1, 1])
    }
}
