import Contracts
import Storage
import Testing

@testable import ReadModels

/// A release ledger remembers the events it decoded in a transaction (`DecodedReleaseEvent`),
/// keyed by event id and bytes. Two ledgers in one transaction (the views' own ledgers, which
/// a database written before the views shared one still holds until its migration moves them)
/// must each fold what their own stored events say.
@Suite struct ReleaseLedgerScratchTests {
    typealias E = ReleaseTestEvents

    /// The rows of `ledger`'s releases table, in a stable order.
    static func rows(_ ledger: ReleaseLedger, _ transaction: any StorageTransaction) throws -> [String] {
        try transaction.fetchAll("SELECT release_id, valid_from, status, expected_at FROM \(ledger.releasesTable) ORDER BY valid_from")
            .map { "\($0.values)" }
    }

    @Test func twoViewsInOneTransactionFoldAsEachWouldAlone() async throws {
        let caseload = ReleaseLedger(prefix: "caseload"), police = ReleaseLedger(prefix: "police")
        let person = E.person("MO1234567")
        let scheduled = try E.scheduled("R-1", person, expectedAt: E.later(days: 20))
        let changed = try E.changed("R-1", person, expectedAt: E.later(days: 40))
        let storage = try SQLiteStorage.inMemory()
        let shared = try await storage.write { transaction in
            try transaction.executeScript(caseload.schema)
            try transaction.executeScript(police.schema)
            for event in [scheduled, changed] {
                try caseload.apply(event, in: transaction)
                try police.apply(event, in: transaction)
            }
            return try [Self.rows(caseload, transaction), Self.rows(police, transaction)]
        }
        let alone = try await SQLiteStorage.inMemory().write { transaction in
            try transaction.executeScript(police.schema)
            for event in [scheduled, changed] { try police.apply(event, in: transaction) }
            return try Self.rows(police, transaction)
        }
        #expect(shared[0] == alone)
        #expect(shared[1] == alone)
        #expect(alone.count == 2)
    }

    /// The police view holds other bytes under the schedule's id (an id reused after the first
    /// was forgotten): it must fold its own bytes, not the caseload's.
    @Test func aViewHoldingOtherBytesUnderAnIdFoldsItsOwn() async throws {
        let caseload = ReleaseLedger(prefix: "caseload"), police = ReleaseLedger(prefix: "police")
        let person = E.person("MO1234567")
        let scheduled = try E.scheduled("R-1", person, expectedAt: E.later(days: 20), id: "s")
        let otherSchedule = try E.scheduled("R-1", person, expectedAt: E.later(days: 50), id: "s")
        let changed = try E.changed("R-1", person, to: E.address("9 Elm St"))
        let storage = try SQLiteStorage.inMemory()
        let (caseloadRows, policeRows) = try await storage.write { transaction in
            try transaction.executeScript(caseload.schema)
            try transaction.executeScript(police.schema)
            try caseload.apply(scheduled, in: transaction)
            try police.apply(otherSchedule, in: transaction)
            try caseload.apply(changed, in: transaction)
            try police.apply(changed, in: transaction)
            return try (Self.rows(caseload, transaction), Self.rows(police, transaction))
        }
        #expect(caseloadRows != policeRows)
        #expect(caseloadRows.first?.contains("\(ViewTime.milliseconds(E.later(days: 20)))") == true)
        #expect(policeRows.first?.contains("\(ViewTime.milliseconds(E.later(days: 50)))") == true)
    }
}
