import Audit
import Contracts
import Foundation
import Policy
import Testing

@testable import Gateway

/// What an auditor may read of the ledger: an entry says what an agency learnt of a person, so
/// a reentry provider's auditor (not a criminal justice agency) reads its own agency's entries
/// only, and no auditor reads another agency's crisis-call or health disclosures (that the
/// person has a mental-health bulletin) or its criminal-intelligence ones (that the person is
/// in its intelligence). Before, any auditor read every entry.
@Suite struct AuditSearchScopeTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    static func disclosure(
        _ n: Int, agency: String, kind: String, role: AccessRole, purpose: AccessPurpose, resource: String,
        fields: [DisclosedField] = [DisclosedField(field: "subject", classifications: [.pii, .cji])]
    ) -> Disclosure {
        Disclosure(
            requester: Requester(subject: "S-\(n)", agencyId: agency, agencyKind: kind, roles: [role], purpose: purpose),
            requestId: "req-\(n)", channel: .api, resource: resource, persons: [PersonIdentifier(identifier: "stateId", value: "MO1234567")],
            disclosed: fields, withheld: [], at: start.addingTimeInterval(Double(n)))
    }

    @Test("a criminal justice auditor reads every agency's entries but another's health ones; a reentry auditor its own only")
    func scope() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([("MO-DOC-PP", .communitySupervision), ("MO-KCPD", .police), ("MO-REENTRY-KC", .reentryServices)])
        let entries = [
            Self.disclosure(1, agency: "MO-KCPD", kind: "police", role: .officer, purpose: .officerSafety, resource: "view.police.releases"),
            Self.disclosure(2, agency: "MO-KCPD", kind: "police", role: .officer, purpose: .crisisResponse, resource: "view.police.bulletins"),
            Self.disclosure(3, agency: "MO-KCPD", kind: "police", role: .officer, purpose: .crisisResponse, resource: "health.bulletin.published",
                            fields: [DisclosedField(field: "payload.baseline", classifications: [.health])]),
            // An officer-safety reader of a bulletin notice: its health fields withheld, listed so.
            Disclosure(
                requester: Requester(subject: "S-6", agencyId: "MO-KCPD", agencyKind: "police", roles: [.officer], purpose: .officerSafety),
                requestId: "req-6", channel: .api, resource: "bus.notification", persons: [PersonIdentifier(identifier: "stateId", value: "MO1234567")],
                disclosed: [DisclosedField(field: "summary", classifications: [.cji])],
                withheld: [WithheldField(field: "facts", classifications: [.health], reason: .notGranted)], at: Self.start.addingTimeInterval(6)),
            Self.disclosure(4, agency: "MO-DOC-PP", kind: "community_supervision", role: .officer, purpose: .supervision, resource: "police.arrest.made"),
            Self.disclosure(5, agency: "MO-REENTRY-KC", kind: "reentry_services", role: .reentryServices, purpose: .serviceReferral, resource: "view.high-needs"),
            // An analyst's read of an investigation notice, and a safety check whose
            // investigations were withheld for want of a Part 23 basis: each says the person is
            // in KCPD's intelligence.
            Self.disclosure(7, agency: "MO-KCPD", kind: "police", role: .analyst, purpose: .investigation, resource: "bus.notification",
                            fields: [DisclosedField(field: "summary", classifications: [.criminalIntelligence])]),
            Disclosure(
                requester: Requester(subject: "S-8", agencyId: "MO-KCPD", agencyKind: "police", roles: [.officer], purpose: .officerSafety),
                requestId: "req-8", channel: .api, resource: "view.safety-check", persons: [PersonIdentifier(identifier: "stateId", value: "MO1234567")],
                disclosed: [DisclosedField(field: "residents", classifications: [.pii, .cji])],
                withheld: [WithheldField(field: "investigations", classifications: [.criminalIntelligence], reason: .noPart23Basis)],
                at: Self.start.addingTimeInterval(8)),
        ]
        for disclosure in entries { _ = try await harness.ledger.append(disclosure) }
        func search(_ agency: String, _ kind: AgencyKind) async throws -> [String] {
            let auditor = Caller(subject: "AUD-\(agency)", agencyId: agency, roles: [.auditor], purpose: .audit, agencyKind: kind)
            return try await harness.gateway.auditSearch(stateId: "MO1234567", for: auditor, requestId: "search-\(agency)")
                .filter { $0.resource != Gateway.auditSearchResource }.map(\.requestId)
        }
        #expect(try await search("MO-DOC-PP", .communitySupervision) == ["req-1", "req-4", "req-5"])
        #expect(try await search("MO-KCPD", .police) == ["req-1", "req-2", "req-3", "req-6", "req-4", "req-5", "req-7", "req-8"], "its own crisis calls and intelligence included")
        #expect(try await search("MO-REENTRY-KC", .reentryServices) == ["req-5"])
        // A value that says there is no number names nobody: 400, nothing read or recorded.
        let before = try await harness.ledger.entries().count
        let auditor = Caller(subject: "AUD-X", agencyId: "MO-DOC-PP", roles: [.auditor], purpose: .audit, agencyKind: .communitySupervision)
        await #expect(throws: Problem.self) { try await harness.gateway.auditSearch(stateId: "UNKNOWN", for: auditor, requestId: "unknown") }
        #expect(try await harness.ledger.entries().count == before)
    }
}
