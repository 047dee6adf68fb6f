import Contracts
import ServiceKit
import Storage
import Testing
import TestSupport

@testable import ReadModels

/// A release ledger writes only the states of a release's history that an event changed
/// (usually: the previous state gets its end, a new state is added). Whatever the order its
/// events arrive in, after each one the stored history must be exactly the history folded from
/// all the events read so far, column for column: states inserted between others, states that
/// disappear (a change read before its schedule makes no state of its own), and every state
/// rewritten when an event adds a number to the person.
enum ReleaseLedgerWriteScenario {
    typealias E = ReleaseTestEvents

    static func events() throws -> [AdmittedEvent] {
        let person = E.person("MO1234567")
        let withFBINumber = E.person("MO1234567", fbiNumber: "123456AB1")
        return [
            try E.scheduled("R-1", person, expectedAt: E.later(days: 20)),
            try E.changed("R-1", person, expectedAt: E.later(days: 40)),
            try E.changed(
                "R-1", withFBINumber, to: E.address("9 Elm St"), occurredAt: E.instant("2026-02-15T10:00:00Z"), id: "changed-again"),
            try E.completed("R-1", person, releasedAt: E.instant("2026-02-25T08:00:00Z")),
        ]
    }

    /// Every order of the events, as the indexes to apply them in.
    static func orders(of count: Int) -> [[Int]] {
        guard count > 1 else { return [Array(0..<count)] }
        return orders(of: count - 1).flatMap { order in (0...order.count).map { at in
            var order = order
            order.insert(count - 1, at: at)
            return order
        } }
    }

    /// The stored rows of the ledger's release, every column, in order of `valid_from`.
    static func stored(_ ledger: ReleaseLedger, _ transaction: any StorageTransaction) throws -> [[SQLValue]] {
        try transaction.fetchAll("SELECT \(ReleaseLedger.rowColumns) FROM \(ledger.releasesTable) ORDER BY valid_from").map(\.values)
    }

    /// Applies the events in `orders` (each order into a ledger of its own) and checks the
    /// stored history after every event against the fold of the events read so far.
    static func run(on database: any StorageDatabase, orders: [[Int]]) async throws {
        let events = try events()
        let decoded = try events.map { try ReleaseEvent($0) }
        for (number, order) in orders.enumerated() {
            let ledger = ReleaseLedger(prefix: "order\(number)")
            try await database.write { try $0.executeScript(ledger.schema) }
            var read: [ReleaseEvent] = []
            for index in order {
                read.append(decoded[index])
                let (event, soFar) = (events[index], read)
                let (stored, expected) = try await database.write { transaction in
                    try ledger.apply(event, in: transaction)
                    return try (Self.stored(ledger, transaction), FoldedRelease("R-1", ReleaseFold(soFar)).rows)
                }
                #expect(stored == expected, "order \(order), after event \(index)")
            }
            // All four read: four states, the last one completed and still in force.
            let final = try await database.write { try Self.stored(ledger, $0) }
            #expect(final.count == 4, "order \(order)")
            #expect(final.last?[2] == .null, "order \(order)")
        }
    }
}

@Suite struct ReleaseLedgerWriteTests {
    @Test func everyOrderStoresTheFoldOfWhatWasRead() async throws {
        let orders = ReleaseLedgerWriteScenario.orders(of: 4)
        #expect(orders.count == 24 && Set(orders).count == 24)
        try await ReleaseLedgerWriteScenario.run(on: SQLiteStorage.inMemory(), orders: orders)
    }
}

/// The same on PostgreSQL 15 (values read back as the ledger wrote them), in a few orders.
@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReleaseLedgerWriteOnPostgresTests {
    @Test func ordersStoreTheFoldOfWhatWasRead() async throws {
        let orders = ReleaseLedgerWriteScenario.orders(of: 4)
        try await onFreshPostgres { try await ReleaseLedgerWriteScenario.run(on: $0, orders: [orders[0], orders[7], orders[16], orders[23]]) }
    }
}
