import Audit
import Storage
import Testing
import TestSupport

/// The ledger scenarios on an in-memory SQLite database each.
@Suite struct AuditLedgerSQLiteTests {
    typealias S = AuditScenarios
    static func fresh() throws -> any StorageDatabase { try SQLiteStorage.inMemory() }

    @Test func appendsAChainThatVerifies() async throws { try await S.appendsAChainThatVerifies(Self.fresh()) }
    @Test func anEmptyLedgerVerifies() async throws { try await S.anEmptyLedgerVerifies(Self.fresh()) }
    @Test func theDatabaseRefusesUpdatesAndDeletes() async throws { try await S.theDatabaseRefusesUpdatesAndDeletes(Self.fresh()) }
    @Test func aChangedEntryIsFound() async throws { try await S.aChangedEntryIsFound(Self.fresh()) }
    @Test func aRemovedEntryIsFound() async throws { try await S.aRemovedEntryIsFound(Self.fresh()) }
    @Test func reorderedEntriesAreFound() async throws { try await S.reorderedEntriesAreFound(Self.fresh()) }
    @Test func searchAnswersWhoSawAPerson() async throws { try await S.searchAnswersWhoSawAPerson(Self.fresh()) }
}

/// The ledger scenarios on PostgreSQL, in a private cluster started for the suite (one database
/// per test); skipped, saying why, where PostgreSQL is not installed.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct AuditLedgerPostgresTests {
    typealias S = AuditScenarios

    @Test func appendsAChainThatVerifies() async throws { try await onFreshPostgres(S.appendsAChainThatVerifies) }
    @Test func anEmptyLedgerVerifies() async throws { try await onFreshPostgres(S.anEmptyLedgerVerifies) }
    @Test func theDatabaseRefusesUpdatesAndDeletes() async throws { try await onFreshPostgres(S.theDatabaseRefusesUpdatesAndDeletes) }
    @Test func aChangedEntryIsFound() async throws { try await onFreshPostgres(S.aChangedEntryIsFound) }
    @Test func aRemovedEntryIsFound() async throws { try await onFreshPostgres(S.aRemovedEntryIsFound) }
    @Test func reorderedEntriesAreFound() async throws { try await onFreshPostgres(S.reorderedEntriesAreFound) }
    @Test func searchAnswersWhoSawAPerson() async throws { try await onFreshPostgres(S.searchAnswersWhoSawAPerson) }

    /// Two appenders at once (two gateway instances on one database) make one chain.
    @Test func concurrentAppendsMakeOneChain() async throws {
        try await onFreshPostgres { storage in
            let ledger = try await AuditLedger.open(storage: storage)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...20 { group.addTask { try await ledger.append(S.disclosure(n)) } }
                try await group.waitForAll()
            }
            let verification = try await ledger.verify()
            #expect(verification.isIntact)
            #expect(verification.verifiedEntries == 20)
        }
    }
}
