import Storage
import Testing

@testable import Routing

/// The release and bulletin rules read their last tick at several events of a batch, and the
/// read is remembered for the transaction; a tick recorded in it, or a savepoint rolled back
/// after one, must still be seen by the next read in the same transaction.
@Suite struct ClockReadsTests {

    @Test func theReleaseClockSeesEachTickOfItsTransaction() async throws {
        let seen = try await readings(migrations: ReleaseStore.migrations) { ReleaseStore($0) }
        #expect(seen == ["nil", "nil", "100", "100", "250", "400", "250"])
    }

    @Test func theBulletinClockSeesEachTickOfItsTransaction() async throws {
        let seen = try await readings(migrations: BulletinStore.migrations) { BulletinStore($0) }
        #expect(seen == ["nil", "nil", "100", "100", "250", "400", "250"])
    }

    /// In one transaction: read twice, tick, read twice, tick again, tick in a savepoint that
    /// is rolled back (read inside and after it).
    private func readings<Store: ClockKeepingStore>(
        migrations: [StorageMigration], _ store: @escaping @Sendable (any StorageTransaction) -> Store
    ) async throws -> [String] {
        let db = try SQLiteStorage.inMemory()
        try await db.write { try StorageMigrator.migrate(migrations, in: $0) }
        return try await db.write { transaction in
            let clock = store(transaction)
            var seen: [String] = []
            func read() throws { seen.append(try clock.lastTick().map(String.init) ?? "nil") }
            try read()
            try read()
            try clock.recordTick(100)
            try read()
            try read()
            try clock.recordTick(250)
            try read()
            _ = try? transaction.savepoint {
                try clock.recordTick(400)
                try read()
                throw CancellationError()
            }
            try read()
            return seen
        }
    }
}

/// The two stores' clocks, for one test of both.
private protocol ClockKeepingStore {
    func lastTick() throws -> Int64?
    func recordTick(_ atMilliseconds: Int64) throws
}

extension ReleaseStore: ClockKeepingStore {}
extension BulletinStore: ClockKeepingStore {}
