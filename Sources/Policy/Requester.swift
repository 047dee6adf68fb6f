import Contracts

/// Who asks to see data, as the gateway's token (or the CLI's options) states it: the person or
/// system (`subject`), their agency and its kind, their roles there, and why they ask.
///
/// The policy grants by role × agency kind × purpose; the agency id is recorded in the audit
/// ledger and used by the caller for cross-agency checks, not by the redaction itself.
public struct Requester: Sendable, Hashable, Codable {
    /// The token's subject or the operating-system user: who, within the agency.
    public var subject: String
    /// The agency, e.g. `MO-KCPD`; nil for an operator of the bus acting for no agency.
    public var agencyId: String?
    /// The agency's kind, a glossary `agencyKind` code (`police`); nil grants nothing.
    public var agencyKind: String?
    public var roles: [AccessRole]
    public var purpose: AccessPurpose

    public init(subject: String, agencyId: String?, agencyKind: String?, roles: [AccessRole], purpose: AccessPurpose) {
        self.subject = subject
        self.agencyId = agencyId
        self.agencyKind = agencyKind
        self.roles = Array(Set(roles)).sorted()
        self.purpose = purpose
    }
}

/// What the caller knows about the one disclosure at hand, beyond who asks: the legal
/// conditions that health information and criminal intelligence need on top of a grant.
///
/// Both default to `false`, so a caller that does not know withholds both.
public struct DisclosureContext: Sendable, Hashable {
    /// The person the data is about has a consent in force that covers this requester (a
    /// bulletin's consent, within its scope and before its end date): needed for `health` fields.
    public var consentInForce: Bool
    /// The requester holds an active subscription whose legal basis is 28 CFR Part 23
    /// (`criminal_intelligence` in `bus.subscriptions`): needed for `criminal_intelligence` fields.
    public var holdsPart23Subscription: Bool

    public init(consentInForce: Bool = false, holdsPart23Subscription: Bool = false) {
        self.consentInForce = consentInForce
        self.holdsPart23Subscription = holdsPart23Subscription
    }
}
