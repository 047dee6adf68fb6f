import PersonIndex
import Synchronization

/// Stored records parsed and prepared for comparison, kept from one operation to the next
/// (shared by copies of a store). The service adds one record a call, and each is compared with
/// the stored records its blocking keys reach, which earlier calls have mostly prepared already:
/// without this, every call parsed and folded its candidates again (at 100,000 records, 3.3×
/// the time of adding them in one call; the README has the figures).
///
/// Keyed by the record's stored JSON text, not its id: a record removed by a sealing order and
/// later stored again with other contents is never mistaken for the old one, and a call rolled
/// back leaves nothing wrong behind (the text alone decides what is prepared).
///
/// Bounded by two generations of `limit / 2` records: when the newer fills, it becomes the
/// older and the older is dropped; a record found in the older moves to the newer. So the
/// records used lately stay (about least-recently-used) without a list to keep in order, and
/// memory stays under `limit` records.
final class PreparedRecordCache: Sendable {
    /// Records kept at most (up to ~260 MB, measured: 2.6 KB a record): an index of up to about
    /// this many records keeps all of them; a larger one keeps the latest used.
    static let defaultLimit = 100_000
    private let generation: Int
    private let kept = Mutex<(newer: [String: PreparedRecord], older: [String: PreparedRecord])>(([:], [:]))

    init(limit: Int = defaultLimit) {
        generation = max(limit / 2, 1)
    }

    func prepared(storedAs json: String) -> PreparedRecord? {
        kept.withLock { kept in
            if let record = kept.newer[json] { return record }
            guard let record = kept.older.removeValue(forKey: json) else { return nil }
            Self.insert(record, json, into: &kept, generation: generation)
            return record
        }
    }

    func keep(_ record: PreparedRecord, storedAs json: String) {
        kept.withLock { Self.insert(record, json, into: &$0, generation: generation) }
    }

    private static func insert(
        _ record: PreparedRecord, _ json: String, into kept: inout (newer: [String: PreparedRecord], older: [String: PreparedRecord]),
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
