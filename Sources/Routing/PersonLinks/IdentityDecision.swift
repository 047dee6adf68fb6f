import Contracts

/// A `bus.identity` event as the router reads it (`Topics/bus.identity.yaml`): only the members
/// that move a record between persons and say how sure the index was. Decoded from the message
/// the contract already checked; review requests and human decisions without a link are ignored.
struct IdentityDecision: Decodable, Sendable {
    struct SplitPerson: Decodable, Sendable {
        var personId: String
        var recordIds: [String]
    }

    var personId: String
    var recordId: String?
    var linkedTo: String?
    var decisionSource: String?
    var score: Double?
    var agreed: [String]?
    var newPersonId: String?
    var mergedPersonId: String?
    var persons: [SplitPerson]?
    /// When the index decided (RFC 3339): orders decisions read from different partitions.
    var at: String

    static let linked = "bus.identity.linked"
    static let merged = "bus.identity.merged"
    static let unlinked = "bus.identity.unlinked"
    static let split = "bus.identity.split"
    static let eventTypes: Set<String> = [linked, merged, unlinked, split]
}
