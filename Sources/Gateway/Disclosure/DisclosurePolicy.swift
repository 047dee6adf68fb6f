import Contracts
import Policy

/// What of each value a caller may see: the access policy (`Policy/access-policy.yaml`, the
/// built-in copy unless told otherwise) applied field by field. Every response body of the
/// gateway that carries event or notification data goes through it, so one engine decides for
/// every output path.
///
/// The caller is placed once per request (`requester(for:agencyKind:)`); an agency whose kind
/// nobody knows (neither the token nor the agency directory) sees `public` fields only.
public struct DisclosurePolicy: Sendable {
    public let policy: AccessPolicy

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    /// The caller as the policy and the audit ledger know them: subject, agency, its kind (the
    /// token's, else `directoryKind`), roles and purpose.
    public func requester(for caller: Caller, directoryKind: AgencyKind?) -> Requester {
        Requester(
            subject: caller.subject, agencyId: caller.agencyId, agencyKind: (caller.agencyKind ?? directoryKind)?.rawValue,
            roles: caller.accessRoles, purpose: caller.purpose)
    }

    /// `value` (of `eventType`, `schemaVersion`) as `requester` may see it: withheld fields
    /// absent and listed with why, the persons it is about, and the notices that travel with it.
    /// What the gateway does not know of the disclosure (a consent in force, a Part 23
    /// subscription) `context` leaves false: deny.
    public func redact(
        _ value: JSONValue, eventType: String, schemaVersion: Int, for requester: Requester, context: DisclosureContext
    ) -> Redaction {
        guard requester.agencyKind != nil else { return policy.redactToPublic(value, eventType: eventType, version: schemaVersion) }
        return policy.redact(value, eventType: eventType, version: schemaVersion, for: requester, context: context)
    }
}
