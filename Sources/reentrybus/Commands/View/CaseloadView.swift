import ArgumentParser
import Foundation
import ReadModels

/// `reentrybus view caseload --officer ID | --agency ID`: supervisees with their dated flags.
struct CaseloadView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload",
        abstract: "An officer's or a supervising agency's supervisees, with their flags (arrests, contacts, incidents, warrants, releases).",
        discussion: "Most recently flagged first. --since 7d --flag police_contact answers \"who on my caseload had police contact this week\".")

    @Option(help: "The officer's id, e.g. PP-KC-118.")
    var officer: String?

    @Option(help: "The supervising agency's id, e.g. MO-DOC-P&P.")
    var agency: String?

    @Option(help: ArgumentHelp("Only flags dated in the last N days before --as-of, e.g. 7d.", valueName: "days"))
    var since: DayWindow?

    @Option(name: .customLong("flag"), help: ArgumentHelp(
        "Only flags of this kind (repeatable): \(CaseloadFlag.Kind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var flags: [String] = []

    @OptionGroup var options: ViewOptions

    func validate() throws {
        guard (officer == nil) != (agency == nil) else { throw ValidationError("Give either --officer or --agency.") }
        for flag in flags where CaseloadFlag.Kind(rawValue: flag) == nil {
            throw ValidationError("--flag \(flag) is not one of \(CaseloadFlag.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let asOf = try options.moment()
        let since = self.since.map { asOf.addingTimeInterval(-Double($0.days) * 86_400) }
        let kinds = flags.isEmpty ? nil : Set(flags.compactMap(CaseloadFlag.Kind.init(rawValue:)))
        let store = CaseloadStore()
        let entries = try options.read { transaction in
            if let officer {
                return try store.caseload(officerId: officer, asOf: asOf, since: since, kinds: kinds, in: transaction)
            }
            return try store.caseload(agencyId: agency ?? "", asOf: asOf, since: since, kinds: kinds, in: transaction)
        }
        try await options.disclose(entries, resource: "view.caseload") {
            var table = TextTable("PERSON", "CASE", "TYPE", "OFFICER", "ADDRESS", "RISK", "FLAGS (NEWEST FIRST)")
            for entry in entries {
                table.add(
                    ViewFormat.person(entry.name, stateId: entry.stateId, fbiNumber: entry.fbiNumber), entry.caseId,
                    entry.supervisionType.rawValue, entry.officer?.officerId ?? "-", ViewFormat.address(entry.address),
                    entry.latestAssessment.map { "\($0.riskLevel.rawValue) (\($0.completedOn))" } ?? "-",
                    ViewFormat.list(entry.flags.map { "\($0.kind.rawValue) \(ViewFormat.day($0.date))" }))
            }
            return table.render(empty: "No supervisees of \(officer.map { "officer \($0)" } ?? "agency \(agency ?? "")") match at \(ViewFormat.minute(asOf)).")
        }
    }
}
