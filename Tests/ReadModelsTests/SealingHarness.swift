import Contracts
import Directory
import Foundation
import Storage
import Testing
import TestSupport

@testable import ReadModels
@testable import ServiceKit

/// Views as the runtime keeps them, for the sealing tests: a `ViewsProjection` over a service
/// database (every migration, the sealing ledger's tables included), on SQLite or on the
/// suite's PostgreSQL cluster (`ProjectionHarness.onCurrentDatabase`).
struct SealingHarness {
    let projection: ViewsProjection
    let harness: ProjectionHarness

    /// The views of `stores` on the current database.
    static func views(_ stores: [any ReadModelStore]) async throws -> SealingHarness {
        let projection = ViewsProjection(stores: stores)
        return SealingHarness(projection: projection, harness: try await ProjectionHarness.onCurrentDatabase(projection))
    }

    /// Every table of the stores.
    var tables: [String] { projection.stores.flatMap(\.tables) }

    /// Applies each event in a transaction of its own, as the projection would.
    func apply(_ events: [AdmittedEvent]) async throws {
        for event in events { try await harness.apply(event) }
    }

    /// Applies `event` as ``apply(_:)`` does; returns the events the views refused as a sealed
    /// record's that the projection counted (`SealedRecordRefusal.metric`), each as its
    /// dimensions, `record_kind=… reason=…`.
    func refused(_ event: AdmittedEvent) async throws -> [String] {
        let projection = self.projection
        return try await harness.write { _, transaction in
            try projection.apply(event, in: transaction)
            return transaction.counts.filter { $0.label == SealedRecordRefusal.metric }.map { count in
                count.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            }
        }
    }

    /// Applies an order event as the runtime does (`EventConsumerService+Batch`): the
    /// projection removes what it covers, then the order is recorded with the counts.
    @discardableResult
    func seal(_ event: AdmittedEvent) async throws -> SealingTally {
        let projection = self.projection
        return try await harness.write { storage, transaction in
            let order = try #require(try SealingOrder(event))
            let removed = try projection.seal(order, in: transaction)
            try SealingLedger(storage).record(order, removed: removed)
            return removed
        }
    }

    /// Every row of every table of the stores as text (bytes read as UTF-8: stored events
    /// hold the person's numbers in their body), by table.
    func rows() async throws -> [String: [String]] {
        let tables = self.tables
        return try await harness.write { storage, _ in
            var rows: [String: [String]] = [:]
            for table in tables {
                rows[table] = try storage.fetchAll("SELECT * FROM \(table)").map(Self.text).sorted()
            }
            return rows
        }
    }

    /// Writes `agency` into the agency directory the views keep (police bulletins are shown only
    /// to an agency the directory knows and the consent's scope includes).
    func describe(_ agency: AgencyDescribed) async throws {
        try await harness.write { storage, _ in try DirectoryStore(storage).describe(agency) }
    }

    /// Runs a query of the stores in a transaction.
    func read<T: Sendable>(_ query: @escaping @Sendable (any StorageTransaction) throws -> T) async throws -> T {
        try await harness.write { storage, _ in try query(storage) }
    }

    static func text(_ row: StorageRow) -> String {
        zip(row.columns, row.values).map { column, value in
            let text: String = switch value {
            case .null: "NULL"
            case .integer(let integer): "\(integer)"
            case .real(let real): "\(real)"
            case .text(let text): text
            case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
            }
            return "\(column)=\(text)"
        }.joined(separator: " | ")
    }
}

extension [String: [String]] {
    /// Each table's rows without those holding any of `tokens`.
    func without(_ tokens: [String]) -> [String: [String]] {
        mapValues { rows in rows.filter { row in !tokens.contains { row.contains($0) } } }
    }

    /// Each table's rows holding one of `tokens`.
    func holding(_ tokens: [String]) -> [String: [String]] {
        mapValues { rows in rows.filter { row in tokens.contains { row.contains($0) } } }
    }

    /// How many rows each table lost since `before` (tables that lost none are left out), as
    /// a `SealingTally` counts them.
    func removed(since before: [String: [String]]) -> [String: Int] {
        var removed: [String: Int] = [:]
        for (table, rows) in before where rows.count > (self[table]?.count ?? 0) {
            removed[table] = rows.count - (self[table]?.count ?? 0)
        }
        return removed
    }
}
