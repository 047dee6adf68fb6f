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

    /// Review 98: "Kansas City police crisis team" named no agency by name and so included every
    /// police and sheriff agency, a county sheriff's across the state line among them.
    @Test("a place names the police serving it; a place several serve includes none; a name outranks a place")
    func aPlaceNamesThePoliceServingIt() {
        let directory = AgencyDirectory(entries: [
            AgencyDescribed(agencyId: "MO-KCPD", kind: .police, name: "Kansas City Missouri Police Department",
                            jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson", "Clay"], places: ["Kansas City"])),
            AgencyDescribed(agencyId: "KS-KCKPD", kind: .police, name: "Kansas City Kansas Police Department",
                            jurisdiction: AgencyJurisdiction(state: "KS", counties: ["Wyandotte"], places: ["Kansas City"])),
            AgencyDescribed(agencyId: "MO-IPD", kind: .police, name: "Independence Police Department",
                            jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Jackson"], places: ["Independence"])),
            AgencyDescribed(agencyId: "MO-CLAY-SO", kind: .sheriff, name: "Clay County Sheriff's Office",
                            jurisdiction: AgencyJurisdiction(state: "MO", counties: ["Clay"])),
        ])
        func included(_ scope: String) -> [String] {
            ["MO-KCPD", "KS-KCKPD", "MO-IPD", "MO-CLAY-SO"].filter {
                BulletinConsentScope.includes(scope, agencyId: $0, kind: directory.entries[$0]?.kind, directory: directory)
            }
        }
        #expect(included("Kansas City police crisis team").isEmpty)
        #expect(included("Independence police crisis team") == ["MO-IPD"])
        #expect(included("police in Wyandotte County") == ["KS-KCKPD"])
        #expect(included("Jackson County police").isEmpty, "two agencies serve Jackson County")
        #expect(included("Clay County sheriff crisis team") == ["MO-CLAY-SO"], "the sheriff among those serving Clay County")
        #expect(included("Clay County police") == ["MO-KCPD"])
        #expect(included("Kansas City Kansas police") == ["KS-KCKPD"], "the state after the place says which Kansas City")
        #expect(included("Wyandotte County sheriff").isEmpty, "no sheriff serves it here: none, not every agency")
        #expect(included("Officer Jackson and the police") == ["MO-KCPD", "KS-KCKPD", "MO-IPD", "MO-CLAY-SO"], "a county's name alone is no place")
        #expect(included("Kansas City Missouri Police Department in Independence") == ["MO-KCPD"])
        #expect(included("local law enforcement crisis teams") == ["MO-KCPD", "KS-KCKPD", "MO-IPD", "MO-CLAY-SO"])
    }

    @Test("an agency that is not police named beside police in general leaves police in general")
    func anAgencyThatIsNotPoliceChangesNothing() {
        #expect(Self.included("my officer at the Missouri Department of Corrections and police") == ["MO-KCPD", "KS-KCKPD", "MO-IPD"])
        #expect(Self.included("Missouri Department of Corrections only").isEmpty, "police are not spoken of")
    }
}
