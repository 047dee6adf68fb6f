import Foundation

/// A pair of records the resolver linked or sent to review, with the match probability.
public struct ResolvedPair: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable {
        /// The same person: by a strong identifier, a score at or above the link threshold, or
        /// other links joining the two records (``byOtherLinks``).
        case link
        /// Possibly the same person: for a human to decide.
        case review
    }

    /// Record ids, `a` the one read first.
    public var a: String
    public var b: String
    /// Match probability (1 for a link by a strong identifier).
    public var score: Double
    public var decision: Decision
    /// Whether a strong identifier decided (the score was not needed).
    public var byIdentifier: Bool
    /// Whether the pair is linked only because other links joined its two records into one
    /// person (its own score sent it to review): it decided nothing itself.
    public var byOtherLinks: Bool

    public init(a: String, b: String, score: Double, decision: Decision, byIdentifier: Bool, byOtherLinks: Bool = false) {
        self.a = a
        self.b = b
        self.score = score
        self.decision = decision
        self.byIdentifier = byIdentifier
        self.byOtherLinks = byOtherLinks
    }

    /// `{"a":…,"b":…,"decision":…,"score":…}`, the score rounded to six decimals.
    public func jsonLine() throws -> String {
        let object: [String: Any] = ["a": a, "b": b, "score": (score * 1e6).rounded() / 1e6, "decision": decision.rawValue]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
