import PersonIndex
import ServiceKit
import Synchronization

/// Stored records parsed and prepared for comparison, kept from one operation to the next
/// (shared by copies of a store). The service adds one record a call, and each is compared with
/// the stored records its blocking keys reach, which earlier calls have mostly prepared already:
/// without this, every call parsed and folded its candidates again (at 100,000 records, 3.3×
/// the time of adding them in one call; the README has the figures).
///
/// Keyed by the SHA-256 of the record's stored JSON text, not its id: a record removed by a
/// sealing order and later stored again with other contents is never mistaken for the old one,
/// and a call rolled back leaves nothing wrong behind (the text alone decides what is prepared).
/// The digest (32 bytes in the map's own storage) rather than the text (a few hundred bytes
/// on the heap) keeps more records in the same memory.
///
/// Bounded by two generations of `limit / 2` records: when the newer fills, it becomes the
/// older and the older is dropped; a record found in the older moves to the newer. So the
/// records used lately stay (about least-recently-used) without a list to keep in order, and
/// memory stays under `limit` records.
///
/// A record a sealing order removes leaves the cache with it (``forget(storedAs:)``): a
/// prepared record holds the person's names, date of birth and numbers, which the order
/// removes from the store, so they must not stay in the service's memory until evicted.
final class PreparedRecordCache: Sendable {
    /// Records kept at most (up to ~240 MB, measured: ~2.4 KB a record): an index of up to about
    /// this many records keeps all of them; a larger one keeps the latest used.
    static let defaultLimit = 100_000
    private let generation: Int
    private let kept = Mutex<(newer: [TextDigest: PreparedRecord], older: [TextDigest: PreparedRecord])>(([:], [:]))

    init(limit: Int = defaultLimit) {
        generation = max(limit / 2, 1)
    }

    func prepared(storedAs json: String) -> PreparedRecord? {
        let json = TextDigest(json)
        return kept.withLock { kept in
            if let record = kept.newer[json] { return record }
            guard let record = kept.older.removeValue(forKey: json) else { return nil }
            Self.insert(record, json, into: &kept, generation: generation)
            return record
        }
    }

    func keep(_ record: PreparedRecord, storedAs json: String) {
        let json = TextDigest(json)
        kept.withLock { Self.insert(record, json, into: &$0, generation: generation) }
    }

    /// Drops the record stored as `json`, if kept (a record removed from the store). A removal
    /// rolled back afterwards costs only its preparing again.
    func forget(storedAs json: String) {
        let json = TextDigest(json)
        kept.withLock { kept in
            kept.newer[json] = nil
            kept.older[json] = nil
        }
    }

    private static func insert(
        _ record: PreparedRecord, _ json: TextDigest, into kept: inout (newer: [TextDigest: PreparedRecord], older: [TextDigest: PreparedRecord]),
        generation: Int
    ) {
        if kept.newer.count >= generation {
            kept.older = kept.newer
            kept.newer = [:]
            kept.newer.reserveCapacity(generation)
        }
        kept.newer[json] = record
    }
}

/// The SHA-256 of a text, as four words.
struct TextDigest: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ text: String) {
        var hash = SHA256()
        hash.update(text)
        let bytes = hash.finalize()
        func word(_ index: Int) -> UInt64 { bytes[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        words = (word(0), word(1), word(2), word(3))
    }

    static func == (a: TextDigest, b: TextDigest) -> Bool { a.words == b.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
