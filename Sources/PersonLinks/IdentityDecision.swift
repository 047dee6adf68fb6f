import Contracts

/// A `bus.identity` event as a service following the person index reads it
/// (`Topics/bus.identity.yaml`): only the members that move a record between persons and say how
/// sure the index was. Decoded from the message the contract already checked; review requests
/// and human decisions without a link are ignored.
public struct IdentityDecision: Decodable, Sendable {
    public struct SplitPerson: Decodable, Sendable {
        public var personId: String
        public var recordIds: [String]
    }

    public var personId: String
    public var recordId: String?
    public var linkedTo: String?
    public var decisionSource: String?
    public var score: Double?
    public var agreed: [String]?
    public var newPersonId: String?
    public var mergedPersonId: String?
    public var persons: [SplitPerson]?
    /// When the index decided (RFC 3339): orders decisions read from different partitions.
    public var at: String

    public static let linked = "bus.identity.linked"
    public static let merged = "bus.identity.merged"
    public static let unlinked = "bus.identity.unlinked"
    public static let split = "bus.identity.split"
    public static let eventTypes: Set<String> = [linked, merged, unlinked, split]
}
