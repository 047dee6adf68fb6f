import ArgumentParser
import Foundation
import ReadModels

/// `reentrybus view court --court ID`: the warrants a court issued and the releases they block.
struct CourtView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "court",
        abstract: "A court's active warrants and the scheduled releases they block (for the clerk and the prosecutor).")

    @Option(help: "The court's id, e.g. MO-CIRCUIT16.")
    var court: String

    @OptionGroup var options: ViewOptions

    struct Rows: Encodable {
        var warrants: [CourtWarrant]
        var blockedReleases: [BlockedRelease]
    }

    func run() async throws {
        let asOf = try options.moment()
        let courtId = court
        let store = CourtStore()
        let rows = try options.read { transaction in
            Rows(warrants: try store.warrants(courtId: courtId, asOf: asOf, in: transaction),
                 blockedReleases: try store.blockedReleases(courtId: courtId, asOf: asOf, in: transaction))
        }
        try await options.disclose(rows, resource: "view.court") {
            var warrants = TextTable("WARRANT", "PERSON", "KIND", "ISSUED", "CASE")
            for warrant in rows.warrants {
                warrants.add(
                    warrant.warrantId, ViewFormat.person(warrant.name, stateId: warrant.stateId, fbiNumber: warrant.fbiNumber),
                    warrant.warrantKind.rawValue, warrant.issuedOn.description, warrant.caseNumber ?? "-")
            }
            var blocked = TextTable("RELEASE", "PERSON", "FACILITY", "DATE", "BLOCKED BY")
            for release in rows.blockedReleases {
                blocked.add(
                    release.releaseId, ViewFormat.person(release.name, stateId: release.stateId, fbiNumber: release.fbiNumber),
                    release.facility?.name ?? "-", ViewFormat.day(release.expectedAt), ViewFormat.list(release.warrantIds))
            }
            return "Active warrants of \(courtId)\n" + warrants.render(empty: "None.") + "\nReleases they block\n"
                + blocked.render(empty: "None.")
        }
    }
}
