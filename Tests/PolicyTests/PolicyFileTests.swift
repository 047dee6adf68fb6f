import Contracts
import Foundation
import Policy
import Testing

@Suite("The policy file")
struct PolicyFileTests {
    @Test("the repository's policy loads, and the built-in copy is the same file")
    func repositoryPolicyLoadsAndIsBuiltIn() throws {
        let policy = try repositoryAccessPolicy()
        #expect(!policy.grants.isEmpty)
        let bundled = try AccessPolicy.bundled(catalog: contracts)
        #expect(bundled.grants == policy.grants, "rebuild after editing Policy/access-policy.yaml")
    }

    @Test("roles and purposes are the glossary's accessRole and accessPurpose, code for code")
    func vocabularyIsTheGlossarys() throws {
        let roles = try #require(contracts.glossary.enumerations["accessRole"])
        let purposes = try #require(contracts.glossary.enumerations["accessPurpose"])
        #expect(Set(roles.codes) == Set(AccessRole.allCases.map(\.rawValue)))
        #expect(Set(purposes.codes) == Set(AccessPurpose.allCases.map(\.rawValue)))
        #expect(AccessRole(code: "release-coordinator") == .releaseCoordinator)
        #expect(AccessRole(code: "release_coordinator") == .releaseCoordinator)
        #expect(AccessRole(code: "superuser") == nil)
        #expect(AccessPurpose(code: "officer-safety") == .officerSafety)
    }

    /// Each malformed file: the error names the line, the key and why.
    @Test("a malformed policy is refused, naming the line, the key and why", arguments: [
        ("version: 1\ngrants:\n  - roles: [officer]\n    agencyKinds: [police]\n    purposes: [investigation]\n    classifications: [public]\n    expires: never\n",
         7, "grants[0].expires", "unknown key"),
        ("version: 1\ngrants:\n  - roles: [officer]\n    agencyKinds: [sherif]\n    purposes: [investigation]\n    classifications: [public]\n",
         4, "grants[0].agencyKinds[0]", "'sherif' is not a code of the glossary's agencyKind"),
        ("version: 1\ngrants:\n  - roles: [officer, chief]\n    agencyKinds: [police]\n    purposes: [investigation]\n    classifications: [public]\n",
         3, "grants[0].roles[1]", "'chief' is not a code of the glossary's accessRole"),
        ("version: 1\ngrants:\n  - roles: [officer]\n    agencyKinds: [police]\n    purposes: [curiosity]\n    classifications: [public]\n",
         5, "grants[0].purposes[0]", "'curiosity' is not a code of the glossary's accessPurpose"),
        ("version: 1\ngrants:\n  - roles: [officer]\n    agencyKinds: [police]\n    purposes: [investigation]\n    classifications: [secret]\n",
         6, "grants[0].classifications[0]", "'secret' is not a field classification"),
        ("version: 1\ngrants:\n  - roles: []\n    agencyKinds: [police]\n    purposes: [investigation]\n    classifications: [public]\n",
         3, "grants[0].roles", "must be a non-empty list"),
        ("version: 2\ngrants: []\n", 1, "version", "must be 1"),
        ("version: 1\n", 1, "grants", "missing"),
        ("version: 1\ngrants: [\n", 3, "(file)", "not valid YAML"),
        ("version: 1\ngrant: []\n", 2, "grant", "unknown key"),
    ] as [(String, Int, String, String)])
    func malformedPolicyIsRefused(text: String, line: Int, key: String, reason: String) {
        do {
            _ = try AccessPolicy(yaml: text, file: "test-policy.yaml", catalog: contracts)
            Issue.record("accepted a malformed policy: \(key)")
        } catch {
            #expect(error.file == "test-policy.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("test-policy.yaml:\(line): \(key): "))
        }
    }

    @Test("an empty list of grants is a policy that denies everything")
    func noGrantsDeniesEverything() throws {
        let policy = try AccessPolicy(yaml: "version: 1\ngrants: []\n", file: "empty.yaml", catalog: contracts)
        let redaction = policy.redact(try example("police.arrest.made"), eventType: "police.arrest.made",
                                      for: requester([.officer], "community_supervision", .supervision))
        // The envelope's members are gone; the payload, classified member by member, is empty.
        #expect(redaction.value == .object(["payload": .object([:])]))
        #expect(redaction.disclosed.isEmpty)
        #expect(redaction.withheld.allSatisfy { $0.reason == .notGranted })
    }
}
