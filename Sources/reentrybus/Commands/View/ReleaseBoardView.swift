import ArgumentParser
import Foundation
import ReadModels

/// `reentrybus view board --facility ID`: a facility's releases, warrant checks and who was told.
struct ReleaseBoardView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "A facility's releases with their warrant-check status (clear, pending, hold) and who was told.")

    @Option(help: "The facility's id, e.g. MO-DOC-WERDCC.")
    var facility: String

    @Option(help: ArgumentHelp("Releases within this many days of --as-of, e.g. 30d.", valueName: "days"))
    var within: DayWindow = DayWindow(days: 60)

    @OptionGroup var options: ViewOptions

    func run() async throws {
        let asOf = try options.moment()
        let facilityId = facility
        let days = within.days
        let rows = try options.read { try ReleaseBoardStore().board(facilityId: facilityId, asOf: asOf, withinDays: days, in: $0) }
        try await options.disclose(rows, resource: "view.board") {
            var table = TextTable("RELEASE", "PERSON", "STATUS", "DATE", "CHECK", "WARRANTS/DETAINERS", "TOLD")
            for row in rows {
                table.add(
                    row.releaseId, ViewFormat.person(row.person.name, stateId: row.person.stateId, fbiNumber: row.person.fbiNumber),
                    row.status.rawValue, (row.releasedAt ?? row.expectedAt).map(ViewFormat.day) ?? "-", row.warrantCheck.rawValue,
                    ViewFormat.list(row.activeWarrants.map(\.warrantId) + row.activeDetainers.map(\.detainerId)),
                    ViewFormat.list(row.told.map { "\($0.recipient) (\($0.rule))" }))
            }
            return table.render(empty: "No releases of facility \(facilityId) within \(days) days of \(ViewFormat.minute(asOf)).")
        }
    }
}
