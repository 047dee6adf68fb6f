import Foundation
import PersonIndex
import ServiceKit
import Storage

/// How common each name is among the records the index holds (``NameCounts``), kept as the
/// records arrive and leave: a record added counts its given and family name, a record removed
/// (a sealing order) uncounts them. The matcher weighs an exact agreement on a name by it, as a
/// batch weighs by the names of its own records.
///
/// Names are counted under a digest (`person_index_name_counts.name_digest`), not as text, and
/// a name no record carries any more leaves the table: what a sealing order removes from the
/// records is not left behind in clear here. (A digest of a name can be guessed from a list of
/// names; the records' own table holds the names of the people it still holds in any case.)
extension PersonIndexStore {
    /// The counts table, the `held` counter (records held now; `records` counts the records
    /// ever added), and both filled from the records already held.
    static let nameCountsMigration = StorageMigration("person-index-v5") { transaction in
        try transaction.executeScript(
            """
            CREATE TABLE person_index_name_counts (
                name_digest TEXT NOT NULL PRIMARY KEY,
                records BIGINT NOT NULL
            )
            """)
        var held: Int64 = 0
        var counts: [String: Int64] = [:]
        for row in try transaction.fetchAll("SELECT record_id, record_json FROM person_index_records ORDER BY record_id", []) {
            let record = try Session.parse(try row.get("record_json", as: String.self), recordId: try row.get("record_id", as: String.self))
            held += 1
            for key in PreparedRecord(record).nameKeys { counts[digest(key), default: 0] += 1 }
        }
        for (digest, records) in counts.sorted(by: { $0.key < $1.key }) {
            _ = try transaction.execute(
                "INSERT INTO person_index_name_counts (name_digest, records) VALUES ($1, $2)", [.text(digest), .integer(records)])
        }
        _ = try transaction.execute("INSERT INTO person_index_counters (name, value) VALUES ('held', $1)", [.integer(held)])
    }

    /// The name's key in the counts table.
    static func digest(_ name: NameKey) -> String {
        SHA256.hex("reentrybus.person-index.name\u{0}\(name.field.rawValue)\u{0}" + String(decoding: name.folded, as: UTF8.self))
    }
}

extension Session {
    /// The index's name counts as the matcher asks for them, read through this session (each
    /// name read once a session; the session's own changes kept in step).
    var nameCounts: NameCounts {
        get throws {
            let cache = nameCountCache
            let held: Int
            if let known = cache.held {
                held = known
            } else {
                held = Int(try transaction.fetchOne("SELECT value FROM person_index_counters WHERE name = 'held'", [])?.get("value", as: Int64.self) ?? 0)
                cache.held = held
            }
            let transaction = transaction
            return NameCounts(records: held) { name in
                let digest = PersonIndexStore.digest(name)
                if let known = cache.byDigest[digest] { return known }
                let count = Int(
                    try transaction.fetchOne("SELECT records FROM person_index_name_counts WHERE name_digest = $1", [.text(digest)])?
                        .get("records", as: Int64.self) ?? 0)
                cache.byDigest[digest] = count
                return count
            }
        }
    }

    /// Counts `record`'s names and the record itself as held (`by: 1`) or no longer held
    /// (`by: -1`); a name no record carries any more leaves the table. Returns how many names
    /// left it.
    @discardableResult
    func count(_ record: PreparedRecord, by change: Int64) throws -> Int {
        _ = try transaction.execute("UPDATE person_index_counters SET value = value + $1 WHERE name = 'held'", [.integer(change)])
        let cache = nameCountCache
        cache.held = cache.held.map { $0 + Int(change) }
        var removed = 0
        for name in record.nameKeys {
            let digest = PersonIndexStore.digest(name)
            _ = try transaction.execute(
                """
                INSERT INTO person_index_name_counts (name_digest, records) VALUES ($1, $2)
                ON CONFLICT (name_digest) DO UPDATE SET records = person_index_name_counts.records + excluded.records
                """, [.text(digest), .integer(change)])
            if change < 0 {
                removed += try transaction.execute("DELETE FROM person_index_name_counts WHERE name_digest = $1 AND records <= 0", [.text(digest)])
            }
            cache.byDigest[digest] = nil
        }
        return removed
    }
}

/// The name counts one session has read (one operation's, on one thread: no lock).
final class NameCountCache {
    var held: Int?
    var byDigest: [String: Int] = [:]
}
