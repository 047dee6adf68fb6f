import PersonIndex

/// A pair of records the model scored between the thresholds, waiting for a human: both
/// records whole (an operator compares them side by side), their persons, the score and its
/// reasons. Personal data: for an operator's terminal, never for logs above debug.
public struct PendingReview: Sendable, Hashable {
    public var a: PersonRecord
    public var b: PersonRecord
    public var aPersonId: String
    public var bPersonId: String
    /// Match probability.
    public var score: Double
    /// Field by field: the agreement level and its weight in bits.
    public var reasons: [IdentityEvent.Reason]
}

/// A human's decision about a pair, as kept in the history (every one, oldest first).
public struct HumanDecision: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// The same person.
        case link
        /// Different people.
        case distinct
    }

    public var a: String
    public var b: String
    public var kind: Kind
    public var decidedBy: String
    /// Milliseconds since 1970.
    public var atMilliseconds: Int64
}
