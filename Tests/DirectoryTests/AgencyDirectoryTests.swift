import Contracts
import Directory
import Testing

/// The directory's lookups: the answers the warrant resolver (and later services) rely on.
@Suite struct AgencyDirectoryTests {
    static func agency(_ id: String, _ kind: AgencyKind = .police, state: String = "MO", places: [String]? = nil, courts: [String]? = nil) -> AgencyDescribed {
        AgencyDescribed(agencyId: id, kind: kind, name: "Agency \(id)",
                        jurisdiction: AgencyJurisdiction(state: state, counties: places == nil ? ["Jackson"] : nil, places: places), courts: courts)
    }

    @Test("place names match whatever their case, punctuation or abbreviation", arguments: [
        ("St. Louis", "SAINT LOUIS"), ("St. Louis", "st louis"), ("St. Louis", "St.Louis"), ("St. Louis", "  Saint   Louis "),
        ("Lee's Summit", "LEES SUMMIT"), ("Winston-Salem", "winston salem"), ("Ste. Genevieve", "Sainte Genevieve"),
        ("Ft. Leonard Wood", "Fort Leonard Wood"), ("Mt. Vernon", "MOUNT VERNON"), ("Española", "ESPANOLA"),
    ])
    func placeNameVariants(listed: String, asked: String) {
        #expect(PlaceKey(listed) == PlaceKey(asked), "\(PlaceKey(listed)) vs \(PlaceKey(asked))")
        let directory = AgencyDirectory(entries: [Self.agency("MO-X", places: [listed])])
        #expect(directory.police(state: "mo", place: asked)?.agencyId == "MO-X")
    }

    @Test func differentPlacesAndStatesDoNotMatch() {
        #expect(PlaceKey("Kansas City") != PlaceKey("Kansas"))
        #expect(PlaceKey("Stone") != PlaceKey("Saint One"))
        let directory = AgencyDirectory(entries: [Self.agency("MO-KCPD", places: ["Kansas City"])])
        #expect(directory.police(state: "KS", place: "Kansas City") == nil)
        #expect(directory.police(state: "MO", place: "Independence") == nil)
        #expect(directory.police(serving: Address(line1: "1 Main St", city: "KANSAS CITY", state: "MO"))?.agencyId == "MO-KCPD")
    }

    @Test func aRetiredAgencyNoLongerAnswersUntilDescribedAgain() {
        var directory = AgencyDirectory(entries: [Self.agency("MO-SPD", places: ["Springfield"]), Self.agency("MO-JCPO", .prosecutor, courts: ["MO-CIRCUIT16"])])
        directory.retire("MO-SPD")
        directory.retire("MO-JCPO")
        #expect(directory.police(state: "MO", place: "Springfield") == nil)
        #expect(directory.prosecutor(servingCourt: "MO-CIRCUIT16") == nil)
        #expect(directory.agency("MO-SPD") == nil)
        directory.describe(Self.agency("MO-SPD", places: ["Springfield"]))
        #expect(directory.police(state: "MO", place: "Springfield")?.agencyId == "MO-SPD")
    }

    @Test func anUpdateMovesAPlace() {
        var directory = AgencyDirectory(entries: [Self.agency("MO-KCPD", places: ["Kansas City", "Grandview"])])
        directory.describe(Self.agency("MO-KCPD", places: ["Kansas City"]))
        directory.describe(Self.agency("MO-GPD", places: ["Grandview"]))
        #expect(directory.police(state: "MO", place: "Grandview")?.agencyId == "MO-GPD")
        #expect(directory.police(state: "MO", place: "Kansas City")?.agencyId == "MO-KCPD")
        // A new name is the entry's whole content: nothing of the old one stays.
        directory.describe(AgencyDescribed(agencyId: "MO-GPD", kind: .police, name: "Grandview PD", jurisdiction: AgencyJurisdiction(state: "MO", places: ["Belton"])))
        #expect(directory.police(state: "MO", place: "Grandview") == nil)
        #expect(directory.police(state: "MO", place: "Belton")?.name == "Grandview PD")
    }

    @Test func policeComeBeforeASheriffAndTiesGoToTheSmallestId() {
        let sheriff = Self.agency("MO-CCSO", .sheriff, places: ["Smithville"])
        var directory = AgencyDirectory(entries: [sheriff, Self.agency("MO-JAIL", .jail, places: ["Liberty"])])
        #expect(directory.police(state: "MO", place: "Smithville")?.agencyId == "MO-CCSO")
        #expect(directory.police(state: "MO", place: "Liberty") == nil)  // a jail is not the police
        directory.describe(Self.agency("MO-SVPD", places: ["Smithville"]))
        directory.describe(Self.agency("MO-SMPD", places: ["Smithville"]))
        #expect(directory.police(state: "MO", place: "Smithville")?.agencyId == "MO-SMPD")
    }

    @Test func theProsecutorServingACourt() {
        var directory = AgencyDirectory(entries: [
            Self.agency("MO-JCPO", .prosecutor, courts: ["MO-CIRCUIT16"]), Self.agency("MO-CCPO", .prosecutor, courts: ["MO-CIRCUIT7"]),
            Self.agency("MO-CIRCUIT16", .court),
        ])
        #expect(directory.prosecutor(servingCourt: "MO-CIRCUIT16")?.agencyId == "MO-JCPO")
        #expect(directory.prosecutor(servingCourt: "MO-CIRCUIT7")?.agencyId == "MO-CCPO")
        #expect(directory.prosecutor(servingCourt: "MO-CIRCUIT22") == nil)
        // The Clay County office takes over circuit 16 as well; the Jackson County office stops serving it.
        directory.describe(Self.agency("MO-JCPO", .prosecutor, courts: ["MO-CIRCUIT99"]))
        directory.describe(Self.agency("MO-CCPO", .prosecutor, courts: ["MO-CIRCUIT7", "MO-CIRCUIT16"]))
        #expect(directory.prosecutor(servingCourt: "MO-CIRCUIT16")?.agencyId == "MO-CCPO")
    }
}
