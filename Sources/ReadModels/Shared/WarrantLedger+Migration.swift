import ServiceKit
import Storage

extension WarrantLedger {
    /// The step creating the shared ledger's tables. Every view that shows warrants lists it,
    /// before its ``movedStep(from:id:)``; a service hosting several views runs it once.
    static let sharedStep = StorageMigration.script("views-warrants-v1", views.schema)

    /// A step moving the records and resolutions a view kept under its own prefix (`legacy`)
    /// into the shared ledger, as applying their events would (the later version of a record,
    /// the earlier of two resolutions), then dropping the view's tables: a database written
    /// before the views shared the ledger keeps what it had without a replay.
    ///
    /// A record that a sealing order recorded in this database covers (about a person the order
    /// names, from before the order; of a listed case for a `listed_cases` order) is left behind
    /// and dropped, with its resolution and any resolution filed under a person an order
    /// covers: a view that sealed them must not get them back from a view that kept them.
    static func movedStep(from legacy: WarrantLedger, id: String) -> StorageMigration {
        StorageMigration(id) { transaction in
            let shared = WarrantLedger.views
            let sealing = SealingLedger(transaction)
            let records = try transaction.fetchAll("SELECT \(recordColumns) FROM \(legacy.recordsTable) ORDER BY record_type, record_id")
            let resolutions = try transaction.fetchAll(
                "SELECT \(resolutionColumns) FROM \(legacy.resolutionsTable) ORDER BY record_type, record_id")
            let ordersApplied = try !(records.isEmpty && resolutions.isEmpty) && sealing.hasOrders()
            var leftBehind = Set<[SQLValue]>()
            for record in records {
                let key = Array(record.values.prefix(2))
                if ordersApplied,
                    try sealing.covers(
                        stateId: record.get("state_id"), fbiNumber: record.get("fbi_number"), caseNumber: record.get("case_number"),
                        occurredAtMilliseconds: record.get("occurred_at"))
                {
                    leftBehind.insert(key)
                    continue
                }
                try transaction.execute(shared.recordUpsert, record.values)
            }
            for resolution in resolutions {
                if leftBehind.contains(Array(resolution.values.prefix(2))) { continue }
                if ordersApplied,
                    try covered(filedUnder: resolution.get("person_key"), at: resolution.get("resolved_at"), by: sealing)
                {
                    continue
                }
                try transaction.execute(shared.resolutionUpsert, resolution.values)
            }
            try transaction.executeScript("DROP TABLE \(legacy.resolutionsTable);\nDROP TABLE \(legacy.recordsTable)")
        }
    }

    /// Whether an order recorded in the database covers a resolution filed under `key`
    /// (`sid:…` or `fbi:…`, ``PersonKey``) at `milliseconds`.
    private static func covered(filedUnder key: String, at milliseconds: Int64, by sealing: SealingLedger) throws -> Bool {
        if key.hasPrefix("sid:") { return try sealing.covers(stateId: String(key.dropFirst(4)), fbiNumber: nil, occurredAtMilliseconds: milliseconds) }
        if key.hasPrefix("fbi:") { return try sealing.covers(stateId: nil, fbiNumber: String(key.dropFirst(4)), occurredAtMilliseconds: milliseconds) }
        return false
    }
}
