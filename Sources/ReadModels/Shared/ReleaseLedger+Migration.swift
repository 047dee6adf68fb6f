import Contracts
import ServiceKit
import Storage

extension ReleaseLedger {
    /// The step creating the shared ledger's tables. Every view that shows releases lists it,
    /// before its ``movedStep(from:id:)``; a service hosting several views runs it once.
    static let sharedStep = StorageMigration.script("views-releases-v1", views.schema)

    /// A step moving the releases a view kept under its own prefix (`legacy`) into the shared
    /// ledger, folding each moved release's history again from all its events there, then
    /// dropping the view's tables: a database written before the views shared the ledger keeps
    /// what it had without a replay.
    ///
    /// A release that a sealing order recorded in this database covers (one of its events is
    /// about a person the order names, from before the order) is left behind and dropped: a
    /// view that sealed it must not get it back from a view that kept it (each view sealed with
    /// the numbers its own rows paired with the order's).
    static func movedStep(from legacy: ReleaseLedger, id: String) -> StorageMigration {
        StorageMigration(id) { transaction in
            let shared = ReleaseLedger.views
            let sealing = SealingLedger(transaction)
            var byRelease: [String: [StorageRow]] = [:]
            for row in try transaction.fetchAll(
                "SELECT event_id, release_id, person_key, event_type, body FROM \(legacy.eventsTable) ORDER BY event_id")
            {
                byRelease[try row.get("release_id"), default: []].append(row)
            }
            let ordersApplied = try !byRelease.isEmpty && sealing.hasOrders()
            for (releaseId, rows) in byRelease.sorted(by: { $0.key < $1.key }) {
                if ordersApplied, try rows.contains(where: { try covered($0, table: legacy.eventsTable, by: sealing) }) { continue }
                for row in rows {
                    try transaction.execute(
                        """
                        INSERT INTO \(shared.eventsTable) (event_id, release_id, person_key, event_type, body)
                        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
                        """,
                        row.values)
                }
                try shared.refold(releaseId, in: transaction)
            }
            try transaction.executeScript("DROP TABLE \(legacy.releasesTable);\nDROP TABLE \(legacy.eventsTable)")
        }
    }

    /// Whether a sealing order recorded in the database covers a stored release event.
    private static func covered(_ row: StorageRow, table: String, by sealing: SealingLedger) throws -> Bool {
        let event = try ReleaseEvent(
            storedType: try row.get("event_type", as: String.self), body: try row.get("body", as: [UInt8].self), table: table)
        return try sealing.covers(
            stateId: event.subject?.stateId, fbiNumber: event.subject?.fbiNumber,
            occurredAtMilliseconds: ViewTime.milliseconds(event.occurredAt))
    }
}
