import ArgumentParser
import Foundation
import ReadModels

/// `reentrybus view high-needs`: reentry services' list of people releasing soon who need most.
struct HighNeedsView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "high-needs",
        abstract: "People releasing within the window with a high risk or needs assessment, or a violent incident (victim or suspect) in the last 12 months.")

    @Option(help: ArgumentHelp("Releases within this many days of --as-of, e.g. 30d.", valueName: "days"))
    var within: DayWindow = DayWindow(days: 60)

    @OptionGroup var options: ViewOptions

    func run() async throws {
        let asOf = try options.moment()
        let days = within.days
        let rows = try options.read { try HighNeedsStore().highNeeds(asOf: asOf, withinDays: days, in: $0) }
        try await options.disclose(rows, resource: "view.high-needs") {
            var table = TextTable("RELEASE DATE", "PERSON", "FACILITY", "TO", "WHY")
            for row in rows {
                table.add(
                    ViewFormat.day(row.expectedAt), ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber),
                    row.facility.name, row.destination.map { "\($0.city), \($0.state)" } ?? "-", ViewFormat.list(row.reasons.map(\.rawValue)))
            }
            return table.render(empty: "Nobody releasing within \(days) days of \(ViewFormat.minute(asOf)) is on the high-needs list.")
        }
    }
}
