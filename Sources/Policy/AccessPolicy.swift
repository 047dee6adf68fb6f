import Contracts
import Foundation

/// The access policy: which classifications of field a role at an agency of a kind may see for
/// a purpose, read from `Policy/access-policy.yaml`, and the engine that redacts data by it.
///
/// Deny by default: only what a grant names is allowed, and a field is shown only when every one
/// of its classifications is allowed (see ``redact(_:eventType:version:for:context:)``). Health
/// fields need the person's consent and criminal intelligence a Part 23 subscription on top of
/// a grant, whatever the file says. An immutable value: load it once, share it between tasks.
public struct AccessPolicy: Sendable {
    /// One grant of the file: every combination of its lists is allowed.
    public struct Grant: Sendable, Hashable {
        public var roles: [AccessRole]
        public var agencyKinds: [String]
        public var purposes: [AccessPurpose]
        public var classifications: [FieldClassification]
        /// Where it starts in the file, for explanations.
        public var line: Int?
    }

    /// One combination the policy is asked about.
    struct Permission: Hashable {
        var role: AccessRole
        var agencyKind: String
        var purpose: AccessPurpose
        var classification: FieldClassification
    }

    public let grants: [Grant]
    /// The contracts whose field classifications the engine redacts by.
    public let catalog: TopicCatalog
    let permissions: Set<Permission>

    /// The name of the policy file, in the repository's `Policy/` and in the binary.
    public static let fileName = "access-policy.yaml"

    init(grants: [Grant], catalog: TopicCatalog) {
        self.grants = grants
        self.catalog = catalog
        var permissions = Set<Permission>()
        for grant in grants {
            for role in grant.roles {
                for kind in grant.agencyKinds {
                    for purpose in grant.purposes {
                        for classification in grant.classifications {
                            permissions.insert(Permission(role: role, agencyKind: kind, purpose: purpose, classification: classification))
                        }
                    }
                }
            }
        }
        self.permissions = permissions
    }

    /// Reads a policy file, checking every role, agency kind and purpose against `catalog`'s
    /// glossary.
    ///
    /// - Throws: ``AccessPolicyError`` naming the line and key of the first problem (unreadable
    ///   file, not YAML, an unknown key, a code outside the glossary, an empty list).
    public init(contentsOf url: URL, catalog: TopicCatalog) throws(AccessPolicyError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw AccessPolicyError(file: url.path, line: nil, key: "(file)", reason: "cannot be read as UTF-8 text")
        }
        try self.init(yaml: text, file: url.path, catalog: catalog)
    }

    /// Reads a policy file against the contracts built into this program.
    ///
    /// - Throws: the contracts' ``ContractLoadingError`` (their bundle is missing beside the
    ///   executable) or ``AccessPolicyError``.
    public init(contentsOf url: URL) throws {
        try self.init(contentsOf: url, catalog: TopicCatalog.embedded())
    }

    /// Reads a policy from its YAML text; `file` names it in errors.
    public init(yaml text: String, file: String, catalog: TopicCatalog) throws(AccessPolicyError) {
        let grants = try PolicyFileReader(file: file, glossary: catalog.glossary).grants(from: text)
        self.init(grants: grants, catalog: catalog)
    }

    /// The policy built into this program (a copy of the repository's `Policy/access-policy.yaml`).
    ///
    /// - Throws: ``AccessPolicyError`` if the built-in copy does not fit `catalog` (the build's
    ///   tests rule that out for the built-in contracts).
    public static func bundled(catalog: TopicCatalog) throws(AccessPolicyError) -> AccessPolicy {
        let text = String(decoding: PackageResources.access_policy_yaml, as: UTF8.self)
        return try AccessPolicy(yaml: text, file: "built-in \(fileName)", catalog: catalog)
    }

    /// The built-in policy over the built-in contracts: what the gateway and the CLI use unless
    /// told otherwise.
    ///
    /// - Throws: the contracts' ``ContractLoadingError`` (their bundle is missing beside the
    ///   executable) or ``AccessPolicyError``.
    public static func bundled() throws -> AccessPolicy {
        try bundled(catalog: TopicCatalog.embedded())
    }

    /// Whether `role` at an agency of `agencyKind` may see fields of `classification` for
    /// `purpose` by the grants alone (health and criminal intelligence need more: see
    /// ``DisclosureContext``).
    public func grants(_ role: AccessRole, agencyKind: String, purpose: AccessPurpose, classification: FieldClassification) -> Bool {
        permissions.contains(Permission(role: role, agencyKind: agencyKind, purpose: purpose, classification: classification))
    }

    /// Whether any of `requester`'s roles is granted `classification` for its agency kind and purpose.
    public func grants(_ requester: Requester, classification: FieldClassification) -> Bool {
        guard let kind = requester.agencyKind else { return false }
        return requester.roles.contains { grants($0, agencyKind: kind, purpose: requester.purpose, classification: classification) }
    }
}
