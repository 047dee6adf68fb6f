/// A statement over many rows at once (`VALUES (…), (…)` or `IN (…)`), run a chunk of rows at a
/// time: what a batch writes or asks about each of its events in one statement instead of one
/// each. On PostgreSQL every statement is a round trip.
///
/// Chunks are powers of two of at most ``largestChunk`` rows (a batch of 5,000 is nine of 512
/// and three more), so a database's statement cache holds ten forms of a statement, not one
/// per batch size; 512 rows of five values bind 2,560, well within SQLite's and PostgreSQL's
/// limits.
public struct MultiRowStatement: Sendable {
    public static let largestChunk = 512

    /// The statement for 1, 2, 4, … ``largestChunk`` rows.
    private let forms: [String]

    /// `head` + the rows, each `row(n)` for its first parameter's number `n`, separated by
    /// `separator` (", " for `VALUES` and `IN` lists; " UNION ALL " for a query a row) + `tail`.
    public init(_ head: String, row: (Int) -> String, parametersPerRow: Int, _ tail: String = "", separator: String = ", ") {
        forms = (0...Self.largestChunk.trailingZeroBitCount).map { power in
            head + (0..<(1 << power)).map { row(parametersPerRow * $0 + 1) }.joined(separator: separator) + tail
        }
    }

    /// The statement for a chunk of `rows` rows (a chunk's size: see ``chunks(of:)``).
    public func sql(rows: Int) -> String {
        precondition(rows > 0 && rows.nonzeroBitCount == 1 && rows <= Self.largestChunk, "not a chunk's size: \(rows)")
        return forms[rows.trailingZeroBitCount]
    }

    /// `rows` in chunks of ``largestChunk``, the last one filled up to the next power of two by
    /// repeating its last row: fewer statements than ``chunks(of:)`` (one for up to 512 rows)
    /// for a statement that a repeated row does not change (an `IN` list, reads joined by
    /// `UNION ALL` whose rows are gathered into a set, an insert `ON CONFLICT DO NOTHING`).
    public static func paddedChunks<T>(of rows: [T]) -> [[T]] {
        stride(from: 0, to: rows.count, by: largestChunk).map { start in
            var chunk = Array(rows[start..<min(rows.count, start + largestChunk)])
            let size = chunk.count.nonzeroBitCount == 1 ? chunk.count : 1 << (Int.bitWidth - chunk.count.leadingZeroBitCount)
            if let last = chunk.last { chunk += repeatElement(last, count: size - chunk.count) }
            return chunk
        }
    }

    /// `rows` in chunks, in order: the largest first, then the remainder by its binary digits.
    /// `largest` (a power of two, at most ``largestChunk``) bounds them for rows wider than a
    /// statement's parameters allow 512 of.
    public static func chunks<T>(of rows: [T], largest: Int = largestChunk) -> [ArraySlice<T>] {
        precondition(largest > 0 && largest.nonzeroBitCount == 1 && largest <= largestChunk, "not a chunk's size: \(largest)")
        var chunks: [ArraySlice<T>] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let left = rows.endIndex - start
            let size = left >= largest ? largest : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
            chunks.append(rows[start..<(start + size)])
            start += size
        }
        return chunks
    }
}
