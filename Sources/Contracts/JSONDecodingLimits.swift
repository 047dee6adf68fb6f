/// Bounds on what ``JSONValue/init(parsing:limits:)`` accepts.
///
/// Events arrive from partners' systems, HTTP and files: the limits stop one oversized or
/// maliciously deep document from exhausting memory or the stack before validation even starts.
/// Checked before any parsing work, so rejecting a too-large event costs nothing.
public struct JSONDecodingLimits: Sendable, Hashable {
    /// The largest document accepted, in bytes of UTF-8. Default: 262 144 (256 KiB), well above
    /// any event we define and below Kafka's default 1 MiB message limit.
    public var maxDocumentBytes: Int

    /// The deepest nesting of arrays and objects accepted. Default: 64, far more than any
    /// contract's events nest; it bounds the recursion of both parser and validator.
    public var maxNestingDepth: Int

    /// The defaults for events: 256 KiB and 64 levels.
    public static let events = JSONDecodingLimits()

    public init(maxDocumentBytes: Int = 256 * 1024, maxNestingDepth: Int = 64) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxNestingDepth = maxNestingDepth
    }
}
