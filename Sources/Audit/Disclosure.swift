import Foundation
import Policy

/// Through what data left the bus: the `channel` of the `bus.audit` contract.
public enum DisclosureChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// An HTTP API response.
    case api
    /// A webhook delivery.
    case webhook
    /// A push on the live stream.
    case stream
    /// A command-line view (`reentrybus view …`).
    case cli
}

/// One disclosure to record: who received data, why, through what request, about whom, and which
/// fields (never their values). Made from the ``Redaction``s the policy returned for what was sent.
public struct Disclosure: Sendable, Hashable {
    public var requester: Requester
    public var requestId: String
    public var channel: DisclosureChannel
    /// What was read: an event type (`police.arrest.made`), `bus.notification.routed`,
    /// `view.caseload`; lower-case words, dots and dashes.
    public var resource: String
    public var persons: [PersonIdentifier]
    public var disclosed: [DisclosedField]
    public var withheld: [WithheldField]
    public var at: Date

    public init(
        requester: Requester, requestId: String, channel: DisclosureChannel, resource: String,
        persons: [PersonIdentifier], disclosed: [DisclosedField], withheld: [WithheldField] = [], at: Date = Date()
    ) {
        self.requester = requester
        self.requestId = requestId
        self.channel = channel
        self.resource = resource
        self.persons = Array(Set(persons)).sorted()
        self.disclosed = disclosed
        self.withheld = withheld
        self.at = at
    }

    /// The disclosure of everything in `redactions` (one response, one delivery: a page of the
    /// inbox is one disclosure): their persons, and each field once, with its classifications.
    public init(
        redactions: [Redaction], requester: Requester, requestId: String, channel: DisclosureChannel, resource: String, at: Date = Date()
    ) {
        var disclosed: [String: DisclosedField] = [:]
        var withheld: [String: WithheldField] = [:]
        for redaction in redactions {
            for field in redaction.disclosed { disclosed[field.field] = field }
            for field in redaction.withheld { withheld[field.field] = field }
        }
        self.init(
            requester: requester, requestId: requestId, channel: channel, resource: resource,
            persons: redactions.flatMap(\.persons), disclosed: disclosed.values.sorted(), withheld: withheld.values.sorted(), at: at)
    }
}
