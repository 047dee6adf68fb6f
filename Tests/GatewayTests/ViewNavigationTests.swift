import Contracts
import Gateway
import Policy
import Testing

@Suite struct ViewNavigationTests {
    /// The navigation offers only what its user may read: the bulletins view to a police
    /// officer answering a crisis call, not to one working for officer safety (a 403 and a
    /// recorded denial behind a link).
    @Test("views offered for navigation follow the rules' purposes")
    func offeredByPurpose() async throws {
        let harness = try await ViewTests.harness()
        let safety = Caller(subject: "KCPD-77", agencyId: "MO-KCPD", roles: [.officer], purpose: .officerSafety, agencyKind: .police)
        var crisis = safety
        crisis.purpose = .crisisResponse
        #expect(!harness.gateway.viewsOffered(to: safety).contains("police-bulletins"))
        #expect(harness.gateway.viewsOffered(to: safety).contains("police-releases"))
        #expect(harness.gateway.viewsOffered(to: crisis).contains("police-bulletins"))
    }
}
