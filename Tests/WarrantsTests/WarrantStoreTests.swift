import Contracts
import ServiceKit
import Storage
import Testing

@testable import Warrants

/// The resolver's store on an in-memory database with its migrations.
@Suite struct WarrantStoreTests {
    private func database() async throws -> SQLiteStorage {
        let db = try SQLiteStorage.inMemory()
        try await db.write { try StorageMigrator.migrate(WarrantStore.migrations, in: $0) }
        return db
    }

    @Test func activeWarrantsAreThoseOfThePersonNotResolved() async throws {
        let db = try await database()
        let other = SubjectIdentifiers(stateId: "MO0000001")
        let (ofHill, ofOther, statuses) = try await db.write { db in
            let store = WarrantStore(db)
            try store.saveIssued(Events.issued("W-1"))
            try store.saveIssued(Events.issued("W-2", agency: "MO-CIRCUIT7"))
            try store.saveIssued(Events.issued("W-3", subject: other))
            try store.setWarrantStatus("W-2", "served")
            try store.saveFirstSeenResolved("W-4", status: "recalled", subject: Events.hill, resolvedBy: "MO-CIRCUIT16")
            return (try store.activeWarrants(of: Events.hill), try store.activeWarrants(of: other),
                    try ["W-1", "W-2", "W-4", "W-5"].map { try store.warrantStatus($0) })
        }
        #expect(ofHill == [Warrant(warrantId: "W-1", kind: "bench", issuingAgencyId: "MO-CIRCUIT16")])
        #expect(ofOther.map(\.warrantId) == ["W-3"])
        #expect(statuses == ["active", "served", "recalled", nil])
    }

    @Test func aReIssuedWarrantKeepsItsResolution() async throws {
        let db = try await database()
        let status = try await db.write { db in
            let store = WarrantStore(db)
            try store.saveFirstSeenResolved("W-1", status: "quashed", subject: Events.hill, resolvedBy: "MO-CIRCUIT16")
            try store.saveIssued(Events.issued("W-1"))
            return try store.warrantStatus("W-1")
        }
        #expect(status == "quashed")
    }

    /// A digest of a removed warrant stored before `warrants-v11` (of the id alone) keeps its
    /// meaning after it: every event about the id is refused, whichever agency's or person's.
    @Test func aWarrantDigestStoredBeforeV11StillMatchesEveryAgencyAndPerson() async throws {
        let db = try SQLiteStorage.inMemory()
        let (scopes, issue, resolution, unnumbered) = try await db.write { db in
            _ = try StorageMigrator.migrate(Array(WarrantStore.migrations.prefix { $0.id != "warrants-v11" }), in: db)
            try db.send(
                "INSERT INTO warrants_sealed (warrant_digest, ordered_at_ms) VALUES ($1, 2000)",
                [.text(SHA256.hex("reentrybus/sealing/warrant/v1\u{0}W-1"))])
            _ = try StorageMigrator.migrate(WarrantStore.migrations, in: db)
            let store = WarrantStore(db)
            return (
                try db.fetchAll("SELECT digest_scope FROM warrants_sealed").map { try $0.get("digest_scope", as: String.self) },
                try store.sealedIssue(of: "W-1", by: "MO-CIRCUIT7", occurredAtMilliseconds: 1000),
                try store.sealing(ofWarrant: "W-1", namedBy: Events.reyes),
                try store.sealing(ofWarrant: "W-1", namedBy: SubjectIdentifiers(name: Events.reyes.name)))
        }
        #expect(scopes == ["warrant-id"])
        #expect(issue == .idAlone)
        let byIdAlone = WarrantStore.SealedWarrantOrder(orderedAtMilliseconds: 2000, reason: .idAlone)
        #expect(resolution == byIdAlone && unnumbered == byIdAlone)
    }

    /// A detainer stored before `warrants-v9` carries no warrant id, and the resolver kept
    /// nothing it could be read from (the README's "Upgrading past warrants-v9"): the migration
    /// leaves it without one, and a listed-case order removes the case's warrant but not the
    /// detainer lodged on it; one stored since, lodged on the same warrant, goes with it.
    @Test func aDetainerStoredBeforeV9IsNotFoundByAListedCaseOrder() async throws {
        let db = try SQLiteStorage.inMemory()
        let order = try Events.sealingOrder(Events.hill, cases: ["CR-1"], at: Events.now.addingTimeInterval(3_600))
        let (warrantIds, before, removed, left) = try await db.write { db in
            _ = try StorageMigrator.migrate(Array(WarrantStore.migrations.prefix { $0.id != "warrants-v9" }), in: db)
            // As the resolver wrote them then: the warrant with its case (v3), the detainer without its warrant.
            try db.send(
                """
                INSERT INTO warrants (warrant_id, state_id, warrant_kind, issuing_agency_id, issued_on, status, case_number)
                VALUES ('W-1', 'MO7654321', 'bench', 'MO-CIRCUIT16', '2025-06-01', 'active', 'CR-1')
                """, [])
            try db.send(
                """
                INSERT INTO detainers (detainer_id, state_id, detainer_kind, holding_agency_id, status)
                VALUES ('D-1', 'MO7654321', 'other_jurisdiction', 'KS-JOCO-SO', 'active')
                """, [])
            _ = try StorageMigrator.migrate(WarrantStore.migrations, in: db)
            let store = WarrantStore(db)
            try store.saveLodged(Events.lodged("D-2", warrantId: "W-1"))
            let before = try db.fetchAll("SELECT detainer_id, warrant_id FROM detainers ORDER BY detainer_id").map {
                "\(try $0.get("detainer_id", as: String.self)) \(try $0.get("warrant_id", as: String?.self) ?? "-")"
            }
            let removal = try store.removeListedCases(order)
            return (removal.warrantIds, before, removal.detainerIds,
                    try db.fetchAll("SELECT detainer_id FROM detainers").map { try $0.get("detainer_id", as: String.self) })
        }
        #expect(before == ["D-1 -", "D-2 W-1"])
        #expect(warrantIds == ["W-1"])
        #expect(removed == ["D-2"])
        #expect(left == ["D-1"])
    }

    @Test func checksListTheirWarrantsAndOnlyOpenOnesTakeNewOnes() async throws {
        let db = try await database()
        let w1 = Warrant(warrantId: "W-1", kind: "bench", issuingAgencyId: "MO-CIRCUIT16")
        let (open, pendingListingW1, onR1, check) = try await db.write { db in
            let store = WarrantStore(db)
            try store.saveIssued(Events.issued("W-1"))
            try store.insert(WarrantCheckRules.check(for: Events.scheduled("R-1"), activeWarrants: [w1], identified: true), warrants: [w1])
            try store.insert(WarrantCheckRules.check(for: Events.scheduled("R-2"), activeWarrants: [], identified: true), warrants: [])
            try store.insert(WarrantCheckRules.check(for: Events.scheduled("R-3"), activeWarrants: [], identified: true), warrants: [])
            try store.cancel("R-3", atMilliseconds: 0)
            try store.addWarrant("W-1", toCheck: "R-2")
            try store.setStatus("R-2", "pending")
            return (try store.openChecks(of: Events.hill).map { $0.releaseId }, try store.openChecks(listingWarrant: "W-1"),
                    try store.activeWarrants(on: "R-1"), try store.check("R-2"))
        }
        #expect(open == ["R-1", "R-2"])
        #expect(pendingListingW1 == ["R-1", "R-2"])
        #expect(onR1 == [w1])
        #expect(check?.status == "pending")
        #expect(check?.destination == Events.kansasCity)
        #expect(check?.subject == Events.hill)
    }
}
