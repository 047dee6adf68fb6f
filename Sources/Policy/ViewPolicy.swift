import Contracts
import Foundation

/// Who may read which read-model view, and how each view's fields are classified, read from
/// `Policy/views.yaml`: the gateway asks it before reading a view (deny by default) and redacts
/// each row by the view's classifications with the access policy's engine
/// (``AccessPolicy/redact(_:classifications:for:context:)``). An immutable value.
public struct ViewPolicy: Sendable {
    /// How far a view reaches within the caller's agency.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// The caller's agency's rows.
        case agency
        /// Only the caller's own rows (an officer's own caseload).
        case officer
    }

    /// One rule: the roles at agencies of the kinds may read the view, within `scope`, for
    /// `purposes` when the rule names them (any purpose when nil): a view whose rows say
    /// something by being there at all (a mental-health bulletin exists) is read only for the
    /// purpose that may know it.
    public struct Rule: Sendable, Hashable {
        public var roles: [AccessRole]
        public var agencyKinds: [String]
        public var purposes: [AccessPurpose]?
        public var scope: Scope
        public var line: Int?

        /// Whether the rule lets a caller with `roles`, at an agency of `agencyKind` (any kind
        /// when nil: a token that does not state it, for navigation only), read for `purpose`.
        public func admits(roles: some Sequence<AccessRole>, agencyKind: String?, purpose: AccessPurpose) -> Bool {
            roles.contains(where: self.roles.contains) && (agencyKind.map(agencyKinds.contains) ?? true)
                && (purposes?.contains(purpose) ?? true)
        }
    }

    /// One view: its audit resource name, its rules and its fields' classifications.
    public struct View: Sendable, Hashable {
        public var name: String
        /// What the audit ledger records as read, e.g. `view.caseload`.
        public var resource: String
        public var rules: [Rule]
        /// Row paths → classifications (a contract's `fields`).
        public var fields: [String: [FieldClassification]]
    }

    /// Why a caller may not read a view: the `denialReason` codes of `bus.audit`.
    public enum Denial: String, Error, Sendable, Hashable, CaseIterable {
        /// No rule names any of the caller's roles with their agency's kind.
        case roleNotAllowed = "role_not_allowed"
        /// The request names another agency than the caller's.
        case otherAgency = "other_agency"
        /// The request names another officer's rows and the caller's rule reaches only their own.
        case otherOfficer = "other_officer"
        /// The caller's agency's kind is unknown (neither the token nor the directory says it).
        case unknownAgencyKind = "unknown_agency_kind"
    }

    public let views: [String: View]

    /// The name of the file, in the repository's `Policy/` and in the binary.
    public static let fileName = "views.yaml"

    init(views: [String: View]) {
        self.views = views
    }

    /// Reads a views file, checking every role and agency kind against `catalog`'s glossary.
    ///
    /// - Throws: ``AccessPolicyError`` naming the line and key of the first problem.
    public init(yaml text: String, file: String, catalog: TopicCatalog) throws(AccessPolicyError) {
        self.init(views: try ViewPolicyFileReader(file: file, glossary: catalog.glossary).views(from: text))
    }

    /// The views file built into this program (a copy of the repository's `Policy/views.yaml`).
    public static func bundled(catalog: TopicCatalog) throws(AccessPolicyError) -> ViewPolicy {
        try ViewPolicy(yaml: String(decoding: PackageResources.views_yaml, as: UTF8.self), file: "built-in \(fileName)", catalog: catalog)
    }

    /// The widest scope `requester` may read `view` with, or why they may not. Deny by default:
    /// an unknown view, an unknown agency kind or no matching rule (roles, agency kind, and the
    /// purpose where the rule names purposes) is a denial.
    public func access(to view: String, for requester: Requester) -> Result<Scope, Denial> {
        guard let kind = requester.agencyKind else { return .failure(.unknownAgencyKind) }
        guard let rules = views[view]?.rules else { return .failure(.roleNotAllowed) }
        let scopes = rules.filter { $0.admits(roles: requester.roles, agencyKind: kind, purpose: requester.purpose) }.map(\.scope)
        if scopes.contains(.agency) { return .success(.agency) }
        if scopes.contains(.officer) { return .success(.officer) }
        return .failure(.roleNotAllowed)
    }
}
