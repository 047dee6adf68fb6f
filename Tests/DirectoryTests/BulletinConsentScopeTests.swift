import Contracts
import Directory
import Testing

/// Which police agencies a mental-health bulletin's consent scope includes, read against the
/// directory: the reading the router delivers by and the police view shows by.
@Suite struct BulletinConsentScopeTests {
    static func agency(_ id: String, _ kind: AgencyKind, _ name: String, state: String) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: kind, name: name, jurisdiction: AgencyJurisdiction(state: state, places: ["Kansas City"]))
    }

    static let directory = AgencyDirectory(entries: [
        agency("MO-KCPD", .police, "Kansas City Missouri Police Department", state: "MO"),
        agency("KS-KCKPD", .police, "Kansas City Kansas Police Department", state: "KS"),
        agency("MO-IPD", .police, "Independence Police Department", state: "MO"),
        agency("MO-DOC", .prison, "Missouri Department of Corrections", state: "MO"),
    ])

    static func included(_ scope: String) -> [String] {
        ["MO-KCPD", "KS-KCKPD", "MO-IPD"].filter { BulletinConsentScope.includes(scope, agencyId: $0, kind: .police, directory: directory) }
    }

    @Test("a name two police agencies carry without their states names an agency but includes neither: the words do not say which")
    func aNameSeveralAgenciesCarryIncludesNone() {
        #expect(Self.included("Kansas City Police Department patrol and crisis intervention team").isEmpty)
        #expect(Self.included("Kansas City Missouri Police Department patrol") == ["MO-KCPD"])
        #expect(Self.included("MO-KCPD police crisis intervention team") == ["MO-KCPD"])
    }

    @Test("an agency that is not police named beside police in general leaves police in general")
    func anAgencyThatIsNotPoliceChangesNothing() {
        #expect(Self.included("my officer at the Missouri Department of Corrections and police") == ["MO-KCPD", "KS-KCKPD", "MO-IPD"])
        #expect(Self.included("Missouri Department of Corrections only").isEmpty, "police are not spoken of")
    }
}
