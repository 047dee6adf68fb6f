import Audit
import Contracts
import Foundation
import Policy
import Storage
import Testing

/// The ledger's behaviour, run on SQLite and on PostgreSQL (`AuditLedgerTests`).
enum AuditScenarios {
    static let officer = Requester(subject: "PP-KC-118", agencyId: "MO-DOC-PP", agencyKind: "community_supervision", roles: [.officer], purpose: .supervision)
    static let analyst = Requester(subject: "kcpd-analyst-4", agencyId: "MO-KCPD", agencyKind: "police", roles: [.analyst], purpose: .investigation)
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    /// A disclosure about `person`, of a charge (its text is what must never reach the ledger).
    static func disclosure(_ n: Int, about person: String = "MO1234567", to requester: Requester = officer) -> Disclosure {
        Disclosure(
            requester: requester, requestId: "req-\(n)", channel: .api, resource: "police.arrest.made",
            persons: [PersonIdentifier(identifier: "stateId", value: person)],
            disclosed: [DisclosedField(field: "payload.charges", classifications: [.cji]), DisclosedField(field: "subject", classifications: [.cji, .pii])],
            withheld: [WithheldField(field: "payload.location", classifications: [.cji, .pii], reason: .notGranted)],
            at: start.addingTimeInterval(Double(n)))
    }

    static func ledgerWith(_ count: Int, _ storage: any StorageDatabase) async throws -> AuditLedger {
        let ledger = try await AuditLedger.open(storage: storage)
        for n in 1...count { try await ledger.append(disclosure(n)) }
        return ledger
    }

    /// Runs `sql` as someone with write access to the database who goes around the ledger:
    /// drops its append-only triggers first.
    static func tamper(_ storage: any StorageDatabase, _ statements: [String]) async throws {
        try await storage.write { transaction in
            switch transaction.dialect {
            case .sqlite:
                try transaction.execute("DROP TRIGGER audit_entries_no_update")
                try transaction.execute("DROP TRIGGER audit_entries_no_delete")
            case .postgres:
                try transaction.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
            }
            for statement in statements { try transaction.execute(statement) }
        }
    }

    static func appendsAChainThatVerifies(_ storage: any StorageDatabase) async throws {
        let ledger = try await AuditLedger.open(storage: storage, name: "gateway")
        var entries: [AuditEntry] = []
        for n in 1...3 { entries.append(try await ledger.append(disclosure(n))) }
        #expect(entries.map(\.sequence) == [1, 2, 3])
        #expect(entries[0].previousHash == AuditEntry.genesisHash)
        #expect(entries[1].previousHash == AuditEntry.hash(try entries[0].encoded()))
        #expect(entries[2].previousHash == AuditEntry.hash(try entries[1].encoded()))
        let verification = try await ledger.verify()
        #expect(verification.isIntact)
        #expect(verification.verifiedEntries == 3)
        #expect(verification.head?.sequence == 3)
        #expect(verification.head?.hash == AuditEntry.hash(try entries[2].encoded()))
        // Opening again (a restart) continues the same chain.
        let reopened = try await AuditLedger.open(storage: storage, name: "gateway")
        let fourth = try await reopened.append(disclosure(4))
        #expect(fourth.sequence == 4)
        #expect(fourth.previousHash == verification.head?.hash)
        #expect(try await reopened.verify().verifiedEntries == 4)
        #expect(try await AuditLedger.open(storage: storage).verify().isIntact)
    }

    static func anEmptyLedgerVerifies(_ storage: any StorageDatabase) async throws {
        let verification = try await AuditLedger.open(storage: storage).verify()
        #expect(verification.isIntact)
        #expect(verification.verifiedEntries == 0)
        #expect(verification.head == nil)
    }

    static func theDatabaseRefusesUpdatesAndDeletes(_ storage: any StorageDatabase) async throws {
        _ = try await ledgerWith(2, storage)
        await #expect(throws: StorageError.self) {
            try await storage.write { try $0.execute("UPDATE audit_entries SET hash = 'x' WHERE sequence = 1") }
        }
        await #expect(throws: StorageError.self) {
            try await storage.write { try $0.execute("DELETE FROM audit_entries WHERE sequence = 2") }
        }
        #expect(try await AuditLedger.open(storage: storage).verify().verifiedEntries == 2)
    }

    static func aChangedEntryIsFound(_ storage: any StorageDatabase) async throws {
        let ledger = try await ledgerWith(4, storage)
        // Someone rewrites who saw the data in entry 2, leaving its stored hash.
        let row = try await storage.read { try $0.fetchOne("SELECT body FROM audit_entries WHERE sequence = 2").map { try $0.get("body", as: [UInt8].self) } }
        let bytes = try #require(row)
        let forged = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "PP-KC-118", with: "PP-KC-999").utf8)
        try await tamper(storage, [])
        #expect(forged != bytes)
        #expect(try await storage.write { try $0.execute("UPDATE audit_entries SET body = $1 WHERE sequence = 2", [.bytes(forged)]) } == 1)
        let verification = try await ledger.verify()
        #expect(verification.problem?.sequence == 2)
        #expect(verification.problem?.kind == .changed)
        #expect(verification.verifiedEntries == 1)
        #expect(verification.problem?.description == "entry 2 changed: its content does not match its hash")

        // … and then stores the forged content's hash too: entry 3's link still names entry 2.
        #expect(try await storage.write { try $0.execute("UPDATE audit_entries SET hash = $1 WHERE sequence = 2", [.text(AuditEntry.hash(forged))]) } == 1)
        let again = try await ledger.verify()
        #expect(again.problem?.sequence == 2)
        #expect(again.problem?.kind == .changed)
    }

    static func aRemovedEntryIsFound(_ storage: any StorageDatabase) async throws {
        let ledger = try await ledgerWith(4, storage)
        try await tamper(storage, ["DELETE FROM audit_entries WHERE sequence = 3", "DELETE FROM audit_persons WHERE sequence = 3"])
        let verification = try await ledger.verify()
        #expect(verification.problem?.sequence == 3)
        #expect(verification.problem?.kind == .removed)
        #expect(verification.verifiedEntries == 2)
        #expect(verification.problem?.description == "entry 3 removed: missing; the next entry is 4")
    }

    static func reorderedEntriesAreFound(_ storage: any StorageDatabase) async throws {
        let ledger = try await ledgerWith(4, storage)
        // Entries 2 and 3 swap places, each with its own hash.
        try await tamper(storage, [
            "UPDATE audit_entries SET sequence = -2 WHERE sequence = 2",
            "UPDATE audit_entries SET sequence = 2 WHERE sequence = 3",
            "UPDATE audit_entries SET sequence = 3 WHERE sequence = -2",
        ])
        let verification = try await ledger.verify()
        #expect(verification.problem?.sequence == 2)
        #expect(verification.problem?.kind == .reordered)
        #expect(verification.problem?.description == "entry 2 reordered: it holds entry 3")
    }

    static func searchAnswersWhoSawAPerson(_ storage: any StorageDatabase) async throws {
        let ledger = try await AuditLedger.open(storage: storage)
        try await ledger.append(disclosure(1, about: "MO1234567"))
        try await ledger.append(disclosure(2, about: "MO7654321", to: analyst))
        try await ledger.append(disclosure(3, about: "MO1234567", to: analyst))
        let seen = try await ledger.search(person: "MO1234567")
        #expect(seen.map(\.sequence) == [1, 3])
        #expect(seen.map(\.requester.subject) == ["PP-KC-118", "kcpd-analyst-4"])
        #expect(seen.map(\.purpose) == [.supervision, .investigation])
        #expect(seen[1].requester.agencyId == "MO-KCPD")
        #expect(seen[0].disclosed.map(\.field) == ["payload.charges", "subject"])
        #expect(seen[0].withheld.first?.reason == .notGranted)
        #expect(try await ledger.search(person: "MO0000000").isEmpty)
        // Three entries queued for bus.audit, in one transaction with each append.
        #expect(try await ledger.pendingPublicationCount() == 3)
    }
}
