import PersonIndex
import Storage

/// Blocking keys of records stored before the blocking passes grew.
///
/// A new record finds its candidates through the keys stored beside the records
/// (`person_index_blocking_keys`), so a pass added later reaches only the records stored after
/// it unless the older ones get its keys too. This step gives every stored record the keys of
/// today's passes (the service's matcher always runs the default passes; keys it already has
/// stay). It compares nothing: pairs of two older records that only the new passes would have
/// brought together are compared when the index is rebuilt (`reentrybus replay person-index`).
extension PersonIndexStore {
    /// Records read per page: bounded memory on a large index.
    static let rekeyingPage = 1_000

    /// 2026-12-06: the given name's sound with two parts of the date of birth, the postal code
    /// with the given name's sound, the family name's sound with month and day.
    static let blockingPassesMigration = StorageMigration("person-index-v6") { transaction in
        try rekey(transaction, matcher: IncrementalMatcher())
    }

    /// 2026-12-07: the postal code with the address line. Only that pass's keys: a store
    /// migrated through `person-index-v6` here got every other pass's there (and, migrated from
    /// before it, this one's too; keys it has stay).
    static let addressBlockingMigration = StorageMigration("person-index-v7") { transaction in
        var configuration = ResolverConfiguration()
        configuration.blockingPasses = [.postalCodeAndAddressLine]
        try rekey(transaction, matcher: IncrementalMatcher(configuration: configuration))
    }

    /// Adds every key `matcher` gives a stored record that it does not have yet, reading `page`
    /// records at a time in the order of their ids (the primary key: each page is an index
    /// range, not a scan) and writing the keys a chunk at a time (``MultiRowStatement``: a
    /// large index on PostgreSQL is keyed in a statement per 512 keys, not one per key).
    /// Returns the records read.
    @discardableResult
    static func rekey(_ transaction: any StorageTransaction, matcher: IncrementalMatcher, page: Int = rekeyingPage) throws -> Int {
        var after = ""
        var read = 0
        while true {
            let rows = try transaction.fetchAll(
                "SELECT record_id, record_json FROM person_index_records WHERE record_id > $1 ORDER BY record_id LIMIT $2",
                [.text(after), .integer(Int64(page))])
            var keys: [(key: String, recordId: String)] = []
            for row in rows {
                let recordId = try row.get("record_id", as: String.self)
                let record = try Session.parse(try row.get("record_json", as: String.self), recordId: recordId)
                for key in matcher.blockingKeys(record) { keys.append((key, recordId)) }
                after = recordId
            }
            for chunk in MultiRowStatement.chunks(of: keys) {
                try transaction.send(insertKeys.sql(rows: chunk.count), chunk.flatMap { [.text($0.key), .text($0.recordId)] })
            }
            read += rows.count
            if rows.count < page { return read }
        }
    }
}
