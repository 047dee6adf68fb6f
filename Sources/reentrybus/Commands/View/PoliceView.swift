import ArgumentParser
import Directory
import Foundation
import ReadModels

/// `reentrybus view releases --agency MO-KCPD --within 60d`: a police agency's view of its
/// jurisdiction (the places the agency directory lists for it).
struct PoliceView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases",
        abstract: "A police agency's jurisdiction: releases into it, active warrants, supervisees living there, mental-health bulletins.",
        discussion: "The jurisdiction is the places the agency directory (reference.agencies) lists for the agency.")

    @Option(help: "The police agency's id, e.g. MO-KCPD.")
    var agency: String

    @Option(help: ArgumentHelp("Releases within this many days of --as-of, e.g. 30d.", valueName: "days"))
    var within: DayWindow = DayWindow(days: 60)

    @OptionGroup var options: ViewOptions

    func run() async throws {
        let asOf = try options.moment()
        let agencyId = agency
        let days = within.days
        let (places, view) = try options.read { transaction -> ([JurisdictionPlace], ReadModels.PoliceView) in
            guard let entry = try DirectoryStore(transaction).all().agency(agencyId) else {
                throw ValidationError("The agency directory has no active agency \(agencyId) (reference.agencies).")
            }
            let places = (entry.jurisdiction.places ?? []).map { JurisdictionPlace(state: entry.jurisdiction.state, city: $0) }
            return (places, try PoliceViewStore().view(of: places, for: agencyId, asOf: asOf, withinDays: days, in: transaction))
        }
        try await options.disclose(view, resource: "view.releases") {
            var text = "Jurisdiction of \(agencyId): \(ViewFormat.list(places.map(\.description)))\n\n"
            var releases = TextTable("RELEASE DATE", "PERSON", "FACILITY", "TO", "SUPERVISION", "RISK")
            for row in view.releases {
                releases.add(
                    ViewFormat.day(row.expectedAt), ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber),
                    row.facility.name, ViewFormat.address(row.destination),
                    row.activeCase.map { "\($0.supervisionType.rawValue) (\($0.supervisingAgencyId))" } ?? row.supervisionType?.rawValue ?? "none",
                    row.latestAssessment?.riskLevel.rawValue ?? "-")
            }
            text += "Releases within \(days) days\n" + releases.render(empty: "None.") + "\n"
            var warrants = TextTable("PERSON", "WARRANT", "KIND", "ISSUED", "BY", "LIVES AT")
            for row in view.warrants {
                warrants.add(
                    ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber),
                    row.warrant.warrantId, row.warrant.kind.rawValue, row.warrant.issuedOn.description, row.warrant.issuingAgencyId,
                    ViewFormat.address(row.registeredAddress))
            }
            text += "Active warrants of people living there\n" + warrants.render(empty: "None.") + "\n"
            var supervisees = TextTable("PERSON", "CASE", "OFFICER", "LIVES AT", "CONDITIONS")
            for row in view.supervisees {
                supervisees.add(
                    ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber), row.caseId,
                    row.officer.map { "\($0.name) (\($0.officerId))" } ?? "-", ViewFormat.address(row.registeredAddress),
                    ViewFormat.list(row.conditions.map(\.kind.rawValue)))
            }
            text += "People under supervision living there\n" + supervisees.render(empty: "None.") + "\n"
            var bulletins = TextTable("PERSON", "BULLETIN", "CONSENT UNTIL", "LIVES AT")
            for row in view.bulletins {
                bulletins.add(
                    ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber), row.bulletinId,
                    row.consent.expiresOn.description, ViewFormat.address(row.registeredAddress))
            }
            text += "Mental-health bulletins (consent in force)\n" + bulletins.render(empty: "None.")
            return text
        }
    }
}
