import Foundation
import PersonIndex
import ServiceKit
import Storage

/// How common each name (and each address: `NameKey.Field.address`) is among the index's
/// records (``NameCounts``), counted at each learning from the records it learns from
/// (``ModelLearning``: the latest 20,000 when it holds 2,000, and at each doubling) and kept
/// until the next, as the model is. The matcher weighs an exact agreement on a name (or an
/// address) by them, as a batch weighs by the values of its own records.
///
/// Why at the learnings and not as each record arrives: counts that moved with every record
/// made each score depend on the order in which records of different agencies arrived, and a
/// replay reads the agencies' partitions in another order than the live service did, so it
/// rebuilt other scores (the replay test caught it). Fixed between learnings, the counts are
/// what the model is: the same for every record decided with them.
///
/// Names and addresses are counted under a digest (`person_index_name_counts.name_digest`), not
/// as text. A record a sealing order removes is uncounted when it was among those counted, and a
/// value no counted record carries any more leaves the table. (A digest of a name or an address
/// can be guessed from a list of them; the records' own table holds those of the people it still
/// holds anyway.)
extension PersonIndexStore {
    /// The counts table and three counters: the records counted (`named_records`, 0 before the
    /// first learning: no counts) and the `added_seq` range they were taken from.
    static let nameCountsMigration = StorageMigration.script("person-index-v5", """
        CREATE TABLE person_index_name_counts (
            name_digest TEXT NOT NULL PRIMARY KEY,
            records BIGINT NOT NULL
        );
        INSERT INTO person_index_counters (name, value) VALUES ('named_records', 0);
        INSERT INTO person_index_counters (name, value) VALUES ('named_from_seq', 0);
        INSERT INTO person_index_counters (name, value) VALUES ('named_to_seq', 0)
        """)

    /// Replaces the counts with those of `sample`, the records a learning reads (with their
    /// `added_seq`, oldest first). Nothing is counted when exact name agreement is not weighed
    /// by frequency (`ResolverConfiguration.termFrequencyAdjustment` off), and no address when
    /// addresses are not (`addressFrequencyAdjustment` off).
    func countNames(of sample: [(record: PersonRecord, added: Int64)], _ session: Session) throws {
        guard matcher.configuration.termFrequencyAdjustment, let first = sample.first?.added, let last = sample.last?.added else { return }
        var counts: [String: Int64] = [:]
        for (record, _) in sample {
            for name in PreparedRecord(record).nameKeys(weighAddresses: matcher.configuration.addressFrequencyAdjustment) {
                counts[Self.digest(name), default: 0] += 1
            }
        }
        _ = try session.transaction.execute("DELETE FROM person_index_name_counts", [])
        for (digest, records) in counts.sorted(by: { $0.key < $1.key }) {
            _ = try session.transaction.execute(
                "INSERT INTO person_index_name_counts (name_digest, records) VALUES ($1, $2)", [.text(digest), .integer(records)])
        }
        for (counter, value) in [("named_records", Int64(sample.count)), ("named_from_seq", first), ("named_to_seq", last)] {
            _ = try session.transaction.execute("UPDATE person_index_counters SET value = $1 WHERE name = $2", [.integer(value), .text(counter)])
        }
        session.nameCountCache.forget()
    }

    /// The name's key in the counts table.
    static func digest(_ name: NameKey) -> String {
        SHA256.hex("reentrybus.person-index.name\u{0}\(name.field.rawValue)\u{0}" + String(decoding: name.folded, as: UTF8.self))
    }
}

extension Session {
    /// The index's name counts as the matcher asks for them (nil before a learning counted
    /// any), read through this session: each name read once.
    var nameCounts: NameCounts? {
        get throws {
            let cache = nameCountCache
            let counted: Int
            if let known = cache.counted {
                counted = known
            } else {
                counted = Int(try counter("named_records"))
                cache.counted = counted
            }
            guard counted > 0 else { return nil }
            let transaction = transaction
            return NameCounts(records: counted) { name in
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

    /// Uncounts a record a sealing order removes (`added`: its `added_seq`), when it was among
    /// the records counted; a name (or address) no counted record carries any more leaves the
    /// table. Returns how many left it.
    func uncount(_ record: PreparedRecord, added: Int64) throws -> Int {
        let first = try counter("named_from_seq"), last = try counter("named_to_seq")
        guard try counter("named_records") > 0, first <= added, added <= last else { return 0 }
        _ = try transaction.execute("UPDATE person_index_counters SET value = value - 1 WHERE name = 'named_records'", [])
        var removed = 0
        // Addresses too, whether or not they were counted (one that was not changes no row).
        for name in record.nameKeys(weighAddresses: true) {
            let digest = PersonIndexStore.digest(name)
            _ = try transaction.execute("UPDATE person_index_name_counts SET records = records - 1 WHERE name_digest = $1", [.text(digest)])
            removed += try transaction.execute("DELETE FROM person_index_name_counts WHERE name_digest = $1 AND records <= 0", [.text(digest)])
        }
        nameCountCache.forget()
        return removed
    }

    private func counter(_ name: String) throws -> Int64 {
        try transaction.fetchOne("SELECT value FROM person_index_counters WHERE name = $1", [.text(name)])?.get("value", as: Int64.self) ?? 0
    }
}

/// The name counts one session has read (one operation's, on one thread: no lock).
final class NameCountCache {
    var counted: Int?
    var byDigest: [String: Int] = [:]

    func forget() {
        counted = nil
        byDigest = [:]
    }
}
