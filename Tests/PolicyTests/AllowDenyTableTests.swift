import Contracts
import Policy
import Testing

/// Every combination of role × agency kind × purpose × classification, against what the policy
/// must and must never allow.
@Suite("The allow/deny table")
struct AllowDenyTableTests {
    static let kinds: [String] = {
        (contracts.glossary.enumerations["agencyKind"]?.codes ?? []).sorted()
    }()

    /// Expectations a reader of the brief and the regulations would state, one per line:
    /// role, agency kind, purpose, classification, allowed.
    static let expectations: [(AccessRole, String, AccessPurpose, FieldClassification, Bool)] = [
        // A supervising officer sees the supervisee's record for supervision…
        (.officer, "community_supervision", .supervision, .cji, true),
        (.officer, "community_supervision", .supervision, .pii, true),
        (.officer, "community_supervision", .supervision, .health, true),
        (.supervisor, "community_supervision", .officerSafety, .criminalIntelligence, true),
        // …but not for a purpose that is not theirs.
        (.officer, "community_supervision", .prosecution, .cji, false),
        (.officer, "community_supervision", .investigation, .pii, false),
        // A police officer: safety and investigations, health only when answering a crisis call.
        (.officer, "police", .officerSafety, .criminalIntelligence, true),
        (.officer, "police", .investigation, .health, false),
        (.officer, "police", .crisisResponse, .health, true),
        (.officer, "police", .crisisResponse, .cji, true),
        (.officer, "police", .crisisResponse, .criminalIntelligence, false),
        (.officer, "police", .supervision, .cji, false),
        (.officer, "sheriff", .officerSafety, .cji, true),
        // The same role at the wrong kind of agency.
        (.officer, "reentry_services", .supervision, .pii, false),
        (.officer, "court", .officerSafety, .public, false),
        (.analyst, "fusion_center", .investigation, .criminalIntelligence, true),
        (.analyst, "community_supervision", .investigation, .cji, false),
        (.analyst, "police", .investigation, .health, false),
        (.releaseCoordinator, "jail", .releasePlanning, .cji, true),
        (.releaseCoordinator, "jail", .releasePlanning, .health, false),
        (.releaseCoordinator, "prison", .releasePlanning, .criminalIntelligence, false),
        (.courtClerk, "court", .courtProceedings, .cji, true),
        (.courtClerk, "court", .courtProceedings, .health, false),
        (.prosecutor, "prosecutor", .prosecution, .cji, true),
        (.prosecutor, "prosecutor", .releasePlanning, .pii, true),
        (.prosecutor, "prosecutor", .prosecution, .criminalIntelligence, false),
        // Reentry service providers are not criminal justice agencies: no CJI.
        (.reentryServices, "reentry_services", .serviceReferral, .cji, false),
        (.reentryServices, "reentry_services", .serviceReferral, .health, true),
        (.reentryServices, "reentry_services", .serviceReferral, .pii, true),
        // System accounts, auditors and administrators: public only, for their own purpose only.
        (.integrator, "police", .dataIntegration, .public, true),
        (.integrator, "police", .dataIntegration, .pii, false),
        (.integrator, "police", .investigation, .public, false),
        (.auditor, "court", .audit, .public, true),
        (.auditor, "court", .audit, .cji, false),
        (.admin, "prison", .administration, .pii, false),
        (.admin, "prison", .administration, .public, true),
    ]

    @Test("the stated expectations hold")
    func statedExpectations() throws {
        let policy = try repositoryAccessPolicy()
        for (role, kind, purpose, classification, allowed) in Self.expectations {
            #expect(policy.grants(role, agencyKind: kind, purpose: purpose, classification: classification) == allowed,
                    "\(role.rawValue) at \(kind) for \(purpose.rawValue): \(classification.rawValue) should be \(allowed ? "allowed" : "denied")")
        }
    }

    @Test("over every combination: deny by default, and what must never be allowed is not")
    func everyCombination() throws {
        let policy = try repositoryAccessPolicy()
        var allowed = 0
        var denied = 0
        var allowedByClassification: [FieldClassification: Int] = [:]
        for role in AccessRole.allCases {
            for kind in Self.kinds {
                for purpose in AccessPurpose.allCases {
                    for classification in FieldClassification.allCases {
                        let granted = policy.grants(role, agencyKind: kind, purpose: purpose, classification: classification)
                        // Deny by default: allowed only where a grant of the file names all four.
                        let named = policy.grants.contains {
                            $0.roles.contains(role) && $0.agencyKinds.contains(kind) && $0.purposes.contains(purpose)
                                && $0.classifications.contains(classification)
                        }
                        #expect(granted == named)
                        if granted {
                            allowed += 1
                            allowedByClassification[classification, default: 0] += 1
                        } else {
                            denied += 1
                        }
                        guard granted else { continue }
                        // Accounts that read no one's data get public fields only.
                        if [.integrator, .auditor, .admin].contains(role) { #expect(classification == .public, "\(role) \(classification)") }
                        // No CJI outside criminal justice agencies.
                        if kind == "reentry_services" { #expect(classification != .cji) }
                        // Criminal intelligence only to law enforcement and supervision.
                        if classification == .criminalIntelligence {
                            #expect(["police", "sheriff", "fusion_center", "community_supervision"].contains(kind))
                        }
                    }
                }
            }
        }
        let total = AccessRole.allCases.count * Self.kinds.count * AccessPurpose.allCases.count * FieldClassification.allCases.count
        #expect(allowed + denied == total)
        #expect(allowed > 0 && denied > allowed)
        let detail = FieldClassification.allCases.map { "\($0.rawValue) \(allowedByClassification[$0, default: 0])" }.joined(separator: ", ")
        print("allow/deny table: \(total) cases (\(AccessRole.allCases.count) roles × \(Self.kinds.count) agency kinds × \(AccessPurpose.allCases.count) purposes × \(FieldClassification.allCases.count) classifications): \(allowed) allowed, \(denied) denied; allowed by classification: \(detail)")
    }

    @Test("a requester without an agency kind, or with an unknown one, or without roles, is granted nothing")
    func incompleteRequesterIsDenied() throws {
        let policy = try repositoryAccessPolicy()
        for classification in FieldClassification.allCases {
            #expect(!policy.grants(requester([.officer], nil, .supervision), classification: classification))
            #expect(!policy.grants(requester([.officer], "community-supervision", .supervision), classification: classification))
            #expect(!policy.grants(requester([], "community_supervision", .supervision), classification: classification))
        }
        // Several roles: what any of them is granted.
        let both = requester([.integrator, .officer], "police", .officerSafety)
        #expect(policy.grants(both, classification: .cji))
    }
}
