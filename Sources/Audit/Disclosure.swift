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

/// Whether data left the bus, or a request for it was refused: the `outcome` of the `bus.audit`
/// contract. A refusal is recorded too, so that the ledger answers who tried to read what.
public enum DisclosureOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case disclosed
    /// The request was refused (403, or a 404 that hides another agency's record): no data left.
    case denied
}

/// Why a request was refused: the `denialReason` codes of the `bus.audit` contract.
public enum DenialReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// No rule lets any of the caller's roles at their agency's kind read the resource.
    case roleNotAllowed = "role_not_allowed"
    /// The request named another agency's resource.
    case otherAgency = "other_agency"
    /// The request named another officer's rows and the caller may read only their own.
    case otherOfficer = "other_officer"
    /// Nobody knows the kind of the caller's agency, so no rule can allow it.
    case unknownAgencyKind = "unknown_agency_kind"
    /// The notification exists and is not addressed to the caller (another agency's).
    case notAddressedToCaller = "not_addressed_to_caller"
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
    /// Disclosed, or denied (then nothing was disclosed and `denialReason` says why).
    public var outcome: DisclosureOutcome
    public var denialReason: DenialReason?

    public init(
        requester: Requester, requestId: String, channel: DisclosureChannel, resource: String,
        persons: [PersonIdentifier], disclosed: [DisclosedField], withheld: [WithheldField] = [], at: Date = Date()
    ) {
        self.outcome = .disclosed
        self.denialReason = nil
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

    /// A refused request: who asked for `resource` (about `persons`, when the request named
    /// someone) and why it was refused. Nothing was disclosed.
    public static func denial(
        requester: Requester, requestId: String, channel: DisclosureChannel = .api, resource: String, reason: DenialReason,
        persons: [PersonIdentifier] = [], at: Date = Date()
    ) -> Disclosure {
        var disclosure = Disclosure(
            requester: requester, requestId: requestId, channel: channel, resource: resource, persons: persons, disclosed: [], at: at)
        disclosure.outcome = .denied
        disclosure.denialReason = reason
        return disclosure
    }
}
