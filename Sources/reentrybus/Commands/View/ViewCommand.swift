import ArgumentParser

/// `reentrybus view …`: each agency's read models, from the `views` service's database.
struct View: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an agency's view: a caseload, a police jurisdiction, a facility's releases, the high-needs list, a court's warrants.",
        discussion: """
            Reads the database the `views` service keeps (serve views, or dev): <data-dir>/views.sqlite, \
            or the schema views of --database postgres://…. Each view is what the events read so far \
            say at --as-of (default: now). --json prints the rows for machines; the columns of the \
            table are a summary of them.
            """,
        subcommands: [CaseloadView.self, PoliceView.self, ReleaseBoardView.self, HighNeedsView.self, CourtView.self, SafetyCheckView.self])
}
