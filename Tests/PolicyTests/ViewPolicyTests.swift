import Contracts
import Foundation
import Policy
import Testing

@Suite("The views file")
struct ViewPolicyTests {
    static let file = repositoryRoot.appendingPathComponent("Policy/\(ViewPolicy.fileName)")

    @Test("the repository's views file loads, and the built-in copy is the same file")
    func repositoryFileLoadsAndIsBuiltIn() throws {
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        let policy = try ViewPolicy(yaml: text, file: Self.file.path, catalog: contracts)
        let bundled = try ViewPolicy.bundled(catalog: contracts)
        #expect(bundled.views == policy.views, "rebuild after editing Policy/views.yaml")
        #expect(policy.views.values.allSatisfy { !$0.rules.isEmpty && !$0.fields.isEmpty })
    }

    @Test("deny by default: a rule must name the role and the agency kind; the widest scope wins")
    func access() throws {
        let policy = try ViewPolicy.bundled(catalog: contracts)
        func requester(_ roles: [AccessRole], _ kind: String?) -> Requester {
            Requester(subject: "s", agencyId: "MO-X", agencyKind: kind, roles: roles, purpose: .supervision)
        }
        #expect(policy.access(to: "caseload", for: requester([.officer], "community_supervision")) == .success(.officer))
        #expect(policy.access(to: "caseload", for: requester([.officer, .supervisor], "community_supervision")) == .success(.agency))
        #expect(policy.access(to: "caseload", for: requester([.officer], "police")) == .failure(.roleNotAllowed))
        #expect(policy.access(to: "caseload", for: requester([.officer], nil)) == .failure(.unknownAgencyKind))
        #expect(policy.access(to: "no-such-view", for: requester([.admin], "police")) == .failure(.roleNotAllowed))
        for view in policy.views.keys {
            for kind in AgencyKind.allCases {
                #expect(policy.access(to: view, for: requester([.auditor, .admin, .integrator], kind.rawValue)) == .failure(.roleNotAllowed),
                        "system accounts read no view")
            }
        }
    }

    /// A bulletin row says, by being there, that the person has a mental-health bulletin: the
    /// view is read when answering a crisis call only, not for officer safety or investigations.
    @Test("a rule that names purposes allows only those: the bulletins view for crisis response")
    func purposes() throws {
        let policy = try ViewPolicy.bundled(catalog: contracts)
        func officer(_ purpose: AccessPurpose) -> Requester {
            Requester(subject: "s", agencyId: "MO-KCPD", agencyKind: "police", roles: [.officer], purpose: purpose)
        }
        #expect(policy.access(to: "police-bulletins", for: officer(.crisisResponse)) == .success(.agency))
        for purpose in [AccessPurpose.officerSafety, .investigation] {
            #expect(policy.access(to: "police-bulletins", for: officer(purpose)) == .failure(.roleNotAllowed))
            #expect(policy.access(to: "police-releases", for: officer(purpose)) == .success(.agency), "a rule without purposes allows any")
        }
    }

    @Test("a malformed views file is refused, naming the line and key", arguments: [
        ("version: 1\nviews:\n  caseload:\n    resource: view.caseload\n    access:\n      - {roles: [superuser], agencyKinds: [police], scope: agency}\n    fields: {caseId: [cji]}\n",
         "views.caseload.access[0].roles[0]", 6),
        ("version: 1\nviews:\n  caseload:\n    resource: view.caseload\n    access:\n      - {roles: [officer], agencyKinds: [police], scope: everyone}\n    fields: {caseId: [cji]}\n",
         "views.caseload.access[0].scope", 6),
        ("version: 1\nviews:\n  caseload:\n    resource: view.caseload\n    access:\n      - {roles: [officer], agencyKinds: [police], scope: agency}\n    fields: {caseId: [secret]}\n",
         "views.caseload.fields.caseId[0]", 7),
        ("version: 1\nviews:\n  caseload:\n    resource: view.caseload\n    access:\n      - {roles: [officer], agencyKinds: [police], purposes: [curiosity], scope: agency}\n    fields: {caseId: [cji]}\n",
         "views.caseload.access[0].purposes[0]", 6),
    ])
    func malformed(_ text: String, key: String, line: Int) {
        #expect {
            _ = try ViewPolicy(yaml: text, file: "views.yaml", catalog: contracts)
        } throws: { error in
            guard let error = error as? AccessPolicyError else { return false }
            return error.key == key && error.line == line
        }
    }
}
