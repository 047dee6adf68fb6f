import Storage

/// The statements that record a batch's applied event ids, a chunk at a time.
///
/// Chunks are powers of two of at most ``largestChunk`` rows (a batch of 5,000 is nine of 512
/// and three more), so a database's statement cache holds ten statements of each kind, not one
/// per batch size; 512 rows bind 1,536 values, well within SQLite's and PostgreSQL's limits.
enum AppliedEventStatements {
    static let largestChunk = 512

    /// `rows` split into chunks: the largest first, then the remainder by its binary digits.
    static func chunks<T>(of rows: [T]) -> [ArraySlice<T>] {
        var chunks: [ArraySlice<T>] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let left = rows.endIndex - start
            let size = left >= largestChunk ? largestChunk : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
            chunks.append(rows[start..<(start + size)])
            start += size
        }
        return chunks
    }

    private static let inserts: [String] = (0...largestChunk.trailingZeroBitCount).map { power in
        let rows = (0..<(1 << power)).map { "($\(3 * $0 + 1), $\(3 * $0 + 2), $\(3 * $0 + 3))" }.joined(separator: ", ")
        return "INSERT INTO kit_applied_events (event_id, content_hash, forget_after_ms) VALUES \(rows) ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    }

    private static let selects: [String] = (0...largestChunk.trailingZeroBitCount).map { power in
        let ids = (1...(1 << power)).map { "$\($0)" }.joined(separator: ", ")
        return "SELECT event_id, content_hash FROM kit_applied_events WHERE event_id IN (\(ids))"
    }

    /// Inserts `rows` ids (a chunk's size), returning those it inserted.
    static func insert(rows: Int) -> String { inserts[rows.trailingZeroBitCount] }

    /// The stored hashes of `ids` ids (a chunk's size).
    static func select(ids: Int) -> String { selects[ids.trailingZeroBitCount] }
}
