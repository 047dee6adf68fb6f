import Contracts
import Foundation

/// Who is calling, as the gateway knows them from a verified bearer token: a plain value that
/// every decision (may this agency ingest this event, whose inbox is this, what may they see)
/// reads, and that the disclosure seams (`DisclosurePolicy`, `DisclosureRecorder`) receive.
public struct Caller: Sendable, Hashable {
    /// The token's `sub`: the person or system, e.g. an officer id (`PP-KC-118`) or a system's
    /// client id.
    public var subject: String
    /// The agency the caller acts for (`agency` claim), e.g. `MO-DOC-PP`.
    public var agencyId: String
    /// What the caller may do (`roles` claim); never empty.
    public var roles: Set<Role>
    /// Why the caller asks (`purpose` claim): a glossary `accessPurpose` code (`supervision`,
    /// `investigation`, `audit`; dashes allowed). The access policy grants by it and the audit
    /// ledger records it with every disclosure.
    public var purpose: AccessPurpose
    /// The kind of the caller's agency (`agencyKind` claim, a glossary `agencyKind` code), when
    /// the token states it; else the gateway asks the agency directory. Default: nil.
    public var agencyKind: AgencyKind?
    /// Units (squads, desks) of the caller's agency they belong to (`units` claim), each
    /// `<agency>-…`, e.g. `MO-KCPD-VCU`. Default: none.
    public var units: [String]
    /// When the token stops being valid (its `exp`, plus the leeway), for responses that outlive
    /// the request (the live stream ends then). Nil: not from a token (a webhook's registrant).
    public var expiresAt: Date?
    /// The digest of the token the caller was verified from, by which a sign-out revokes it
    /// (`BearerAuthenticator.revoke(token:)`) and a response that outlives the request (the live
    /// stream) notices. Nil: not from a token.
    public var tokenDigest: TokenDigest?

    public init(
        subject: String, agencyId: String, roles: Set<Role>, purpose: AccessPurpose, agencyKind: AgencyKind? = nil, units: [String] = []
    ) {
        self.subject = subject
        self.agencyId = agencyId
        self.roles = roles
        self.purpose = purpose
        self.agencyKind = agencyKind
        self.units = units
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// The caller's roles as the access policy names them (`release-coordinator` →
    /// `release_coordinator`).
    public var accessRoles: [AccessRole] { roles.compactMap { AccessRole(code: $0.rawValue) }.sorted() }
}

/// The roles a token may carry (`roles` claim). Unknown role names make the token invalid:
/// a typo must not silently grant less, or more, than the issuer meant.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case officer
    case supervisor
    case analyst
    case releaseCoordinator = "release-coordinator"
    case courtClerk = "court-clerk"
    case prosecutor
    case reentryServices = "reentry-services"
    /// An agency's system that sends events through the gateway (`POST /v1/events`).
    case integrator
    case auditor
    case admin
}
