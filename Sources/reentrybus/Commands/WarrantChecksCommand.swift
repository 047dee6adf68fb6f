import ArgumentParser
import Foundation
import Logging
import Pipeline
import ServiceKit
import Settings
import Storage
import Warrants

/// `reentrybus warrant-checks`: the open warrant checks, from the warrant resolver's database.
struct WarrantChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warrant-checks",
        abstract: "List the open warrant checks: status, release, deadlines, what is unresolved and who has been told.",
        discussion: """
            Reads the database the warrant resolver keeps (serve warrant-resolver, or dev): \
            <data-dir>/warrant-resolver.sqlite, or the schema warrant-resolver of --database postgres://…. \
            A check is open until its release happens or is cancelled. Deadlines are the escalations 30, 7 \
            and 1 day(s) before the release (* once escalated). --json prints the rows for machines. Read-only.
            """)

    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var state: ServiceStateOptions

    @Option(help: "Only the checks of this releasing facility (its facility id, e.g. MO-DOC-WERDCC).")
    var facility: String?

    @Option(help: "Only the checks with this status: pending, hold or unconfirmed (a release known by neither state ID nor FBI number).")
    var status: CheckStatus?

    @Flag(help: "Print the checks as JSON (one document) instead of a table.")
    var json = false

    enum CheckStatus: String, ExpressibleByArgument, CaseIterable {
        case pending, hold, unconfirmed
    }

    func run() throws {
        let rows = try open().readBlocking { storage in
            try WarrantResolverProjection.openChecks(facilityId: facility, status: status?.rawValue, storage).map(OpenWarrantCheck.init)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Document(checks: rows)), as: UTF8.self))
            return
        }
        var table = TextTable("RELEASE", "STATUS", "FACILITY", "RELEASE AT", "DEADLINES", "UNRESOLVED", "TOLD")
        for row in rows {
            table.add(
                row.releaseId, row.status, row.facilityId, row.releaseAt,
                row.deadlines.map { "\($0.daysBefore)d \($0.at.prefix(10))\($0.escalated ? "*" : "")" }.joined(separator: ", "),
                row.unresolved.joined(separator: ", ").ifEmpty("-"),
                row.told.map { "\($0.recipient) (\($0.rule))" }.joined(separator: ", ").ifEmpty("-"))
        }
        print(table.render(empty: "No open warrant checks\(facility.map { " at \($0)" } ?? "")\(status.map { " with status \($0.rawValue)" } ?? "")."),
              terminator: "")
    }

    struct Document: Encodable {
        var checks: [OpenWarrantCheck]
    }

    /// Opens the resolver's database for reading; it must exist (the service made it).
    func open() throws -> any StorageDatabase {
        let settings = try config.resolve(logging: logging, keys: [.dataDirectory, .database, .databasePasswordFile]) { flags in
            // `dev` writes to .reentrybus/dev: the list reads there unless told otherwise.
            state.apply(to: &flags, defaultDataDirectory: config.file == nil ? ".reentrybus/dev" : nil)
        }
        let (directory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        if let postgres {
            var logger = Logger(label: "reentrybus.warrant-checks")
            logger.logLevel = .error
            return PostgresStorage(configuration: try postgres.inSchema(ServiceName.warrantResolver.rawValue), logger: logger)
        }
        let path = URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent("\(ServiceName.warrantResolver.rawValue).sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("There is no warrant resolver database at \(path): run `reentrybus dev` or `serve warrant-resolver`, or pass --data-dir.")
        }
        return try ServiceDatabase.openReadOnly(path: path)
    }
}

private extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
