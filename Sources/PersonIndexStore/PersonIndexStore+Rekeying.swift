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
    /// Keys written per statement (two parameters each, well under both databases' limits): a
    /// large index on PostgreSQL is keyed in a statement per thousand keys, not one per key.
    static let keysPerStatement = 1_000

    /// 2026-12-06: the given name's sound with two parts of the date of birth, the postal code
    /// with the given name's sound, the family name's sound with month and day.
    static let blockingPassesMigration = StorageMigration("person-index-v6") { transaction in
        try rekey(transaction, matcher: IncrementalMatcher())
    }

    /// Adds every key `matcher` gives a stored record that it does not have yet, reading `page`
    /// records at a time and writing `keysPerStatement` keys a statement; returns the records read.
    @discardableResult
    static func rekey(
        _ transaction: any StorageTransaction, matcher: IncrementalMatcher, page: Int = rekeyingPage, keysPerStatement: Int = keysPerStatement
    ) throws -> Int {
        var after: Int64 = -1
        var read = 0
        while true {
            let rows = try transaction.fetchAll(
                "SELECT record_id, record_json, added_seq FROM person_index_records WHERE added_seq > $1 ORDER BY added_seq LIMIT $2",
                [.integer(after), .integer(Int64(page))])
            var keys: [SQLValue] = []
            for row in rows {
                let recordId = try row.get("record_id", as: String.self)
                let record = try Session.parse(try row.get("record_json", as: String.self), recordId: recordId)
                for key in matcher.blockingKeys(record) { keys += [.text(key), .text(recordId)] }
                after = try row.get("added_seq", as: Int64.self)
            }
            var start = 0
            while start < keys.count {
                let chunk = Array(keys[start..<min(keys.count, start + 2 * keysPerStatement)])
                let values = stride(from: 1, to: chunk.count, by: 2).map { "($\($0), $\($0 + 1))" }.joined(separator: ", ")
                try transaction.send(
                    "INSERT INTO person_index_blocking_keys (block_key, record_id) VALUES \(values) ON CONFLICT (block_key, record_id) DO NOTHING",
                    chunk)
                start += chunk.count
            }
            read += rows.count
            if rows.count < page { return read }
        }
    }
}
