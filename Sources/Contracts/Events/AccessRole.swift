/// What a requester does at their agency: the glossary's `accessRole` codes, which the access
/// policy (`Sources/Policy`) grants classifications to. A test keeps this list equal to the
/// glossary's, as for every enumeration.
public enum AccessRole: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case officer
    case supervisor
    case analyst
    case releaseCoordinator = "release_coordinator"
    case courtClerk = "court_clerk"
    case prosecutor
    case reentryServices = "reentry_services"
    case integrator
    case auditor
    case admin

    /// The role a token's `roles` claim or a command-line option names: the glossary's code, or
    /// the same with dashes (`release-coordinator`), as the gateway's tokens spell it. Nil for
    /// anything else, which then grants nothing.
    public init?(code: String) {
        self.init(rawValue: code.replacingOccurrences(of: "-", with: "_"))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Why a disclosure is asked for (the need to know): the glossary's `accessPurpose` codes.
/// A requester states one purpose per request; the policy grants by it and the audit ledger
/// records it. A test keeps this list equal to the glossary's.
public enum AccessPurpose: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case supervision
    case officerSafety = "officer_safety"
    case crisisResponse = "crisis_response"
    case releasePlanning = "release_planning"
    case serviceReferral = "service_referral"
    case investigation
    case prosecution
    case courtProceedings = "court_proceedings"
    case dataIntegration = "data_integration"
    case audit
    case administration

    /// The purpose a token's `purpose` claim or `--purpose` names: the glossary's code, or the
    /// same with dashes (`officer-safety`). Nil for anything else.
    public init?(code: String) {
        self.init(rawValue: code.replacingOccurrences(of: "-", with: "_"))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
