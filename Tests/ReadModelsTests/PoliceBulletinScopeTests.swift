import Contracts
import Directory
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// The police view shows a mental-health bulletin to the asking police agency only when the
/// consent's scope includes that agency (`BulletinConsentScope`, the rule the router delivers
/// by): the agencies it names, else police in general, never under a negation.
@Suite struct PoliceBulletinScopeTests {
    typealias E = ReleaseTestEvents

    static let kcpd = AgencyDescribed(
        agencyId: "MO-KCPD", kind: .police, name: "Kansas City Missouri Police Department",
        jurisdiction: AgencyJurisdiction(state: "MO", places: ["Kansas City"]))
    static let independencePD = AgencyDescribed(
        agencyId: "MO-IPD", kind: .police, name: "Independence Police Department",
        jurisdiction: AgencyJurisdiction(state: "MO", places: ["Independence"]))
    static let stLouisPD = AgencyDescribed(
        agencyId: "MO-SLMPD", kind: .police, name: "St. Louis Metropolitan Police Department",
        jurisdiction: AgencyJurisdiction(state: "MO", places: ["St. Louis"]))
    static let independence = JurisdictionPlace(state: "MO", city: "Independence")

    /// A police view with the agency directory beside it, as the views service keeps them.
    func view() async throws -> ReleaseViewHarness<PoliceViewStore> {
        let store = PoliceViewStore()
        let view = try await ReleaseViewHarness(store, tables: store.tables, on: try SQLiteStorage.inMemory())
        _ = try await view.database.write { transaction in
            try StorageMigrator.migrate(ViewMigrations.of(store) + DirectoryStore.migrations, in: transaction)
            for entry in [Self.kcpd, Self.independencePD] { try DirectoryStore(transaction).describe(entry) }
        }
        return view
    }

    func bulletins(_ view: ReleaseViewHarness<PoliceViewStore>, for agencyId: String, in place: JurisdictionPlace) async throws -> [String] {
        try await view.read { try $0.bulletins(for: agencyId, in: [place], asOf: E.asOf, in: $1) }.map(\.bulletinId)
    }

    /// The contract's scope names the Kansas City police: after the person moves to
    /// Independence, the Independence police do not see the bulletin; the Kansas City police
    /// see it while the person lived there.
    @Test func aBulletinWhoseScopeNamesAnotherAgencyIsNotShownToThePoliceOfTheNewAddress() async throws {
        let view = try await view()
        let a = E.person("MO1000001")
        try await view.apply(
            try E.caseStarted("C-A", a), try E.bulletinPublished("MHB-A", a),
            try E.addressChanged("C-A", a, to: E.address(city: "Independence"), effective: "2026-02-01"))
        #expect(try await bulletins(view, for: "MO-IPD", in: Self.independence) == [])
        let before = try await view.read {
            try $0.bulletins(for: "MO-KCPD", in: [E.kansasCity], asOf: E.instant("2026-01-15T12:00:00Z"), in: $1)
        }
        #expect(before.map(\.bulletinId) == ["MHB-A"])
    }

    /// Police in general: whichever police agency serves the address; an agency the directory
    /// does not know sees nothing.
    @Test func aScopeForPoliceInGeneralIsShownToThePoliceOfTheAddress() async throws {
        let view = try await view()
        let a = E.person("MO1000001")
        try await view.apply(
            try E.caseStarted("C-A", a, at: E.address(city: "Independence")),
            try E.bulletinPublished("MHB-A", a, scope: "Local law enforcement crisis teams"))
        #expect(try await bulletins(view, for: "MO-IPD", in: Self.independence) == ["MHB-A"])
        #expect(try await bulletins(view, for: "MO-UNKNOWN", in: Self.independence) == [])
    }

    /// A scope with a negation is refused on arrival: it cannot be read safely.
    @Test(arguments: ["Clinicians only, not police", "Any police except the Kansas City Police Department"])
    func aScopeWithANegationIsRefused(_ scope: String) async throws {
        let view = try await view()
        let a = E.person("MO1000001")
        try await view.apply(try E.caseStarted("C-A", a))
        let poison = try await view.applyExpectingPoison(try E.bulletinPublished("MHB-A", a, scope: scope))
        #expect(poison?.reason.contains("payload.consent.scope") == true)
        #expect(try await bulletins(view, for: "MO-KCPD", in: E.kansasCity) == [])
    }
}
