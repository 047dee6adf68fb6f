import ArgumentParser
import Feeds
import Foundation
import Logging
import Pipeline
import ServiceKit
import Settings
import Storage

/// `reentrybus feeds`: the coverage map of feed liveness, from the `feeds` service's database.
struct FeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds",
        abstract: "Show the coverage map: each agency × topic, its last event, expected cadence and status.",
        discussion: """
            Reads the database the `feeds` service keeps (serve feeds, or dev): <data-dir>/feeds.sqlite, \
            or the schema feeds of --database postgres://…. Ages are measured at the latest tick of the \
            bus's clock (bus.timers) the service read, never the wall clock. Status: ok, silent since …, \
            never published, not expected (the agency's kind does not publish to the topic, or it retired), \
            no tick yet. --json prints the rows for machines. Read-only.
            """)

    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var state: ServiceStateOptions
    @OptionGroup var contracts: ContractsDirectoryOption

    @Flag(help: "Print the map as JSON (one document) instead of a table.")
    var json = false

    func run() throws {
        let topics = FeedTopics(catalog: try contracts.loadCatalog())
        let coverage = try open().readBlocking { try FeedsStore($0).coverage(topics: topics) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = CoverageDocument(latestTick: coverage.latestTickMilliseconds.map(FeedCoverage.Row.instant), feeds: coverage.rows)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
            return
        }
        print("Latest tick: \(coverage.latestTickMilliseconds.map(FeedCoverage.Row.instant) ?? "none yet (ages and silences need the bus's clock)")")
        var table = TextTable("AGENCY", "KIND", "TOPIC", "EVENTS", "LAST EVENT", "AGE", "EVERY", "STATUS")
        for row in coverage.rows {
            table.add(
                row.agencyId, row.agencyKind ?? "-", row.topic, String(row.events), row.lastEventAt ?? "-",
                row.lastEventAgeMinutes.map(Self.age) ?? "-", FeedCadences.describe(minutes: row.cadenceMinutes),
                row.statusText + (row.alarmOpen ? " [alarm sent]" : ""))
        }
        print(table.render(empty: "No feeds yet: the service has read no directory entry and no agency event."), terminator: "")
    }

    /// `45 min`, `3 h 05 min`, `2 d 4 h`.
    static func age(_ minutes: Int64) -> String {
        if minutes < 60 { return "\(minutes) min" }
        if minutes < 24 * 60 { return "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min" }
        return "\(minutes / (24 * 60)) d \((minutes % (24 * 60)) / 60) h"
    }

    struct CoverageDocument: Encodable {
        var latestTick: String?
        var feeds: [FeedCoverage.Row]
    }

    /// Opens the feeds database for reading; it must exist (the `feeds` service made it).
    func open() throws -> any StorageDatabase {
        let settings = try config.resolve(logging: logging, keys: [.dataDirectory, .database, .databasePasswordFile]) { flags in
            // `dev` writes to .reentrybus/dev: the map reads there unless told otherwise.
            state.apply(to: &flags, defaultDataDirectory: config.file == nil ? ".reentrybus/dev" : nil)
        }
        let (directory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        if let postgres {
            var logger = Logger(label: "reentrybus.feeds")
            logger.logLevel = .error
            return PostgresStorage(configuration: try postgres.inSchema(ServiceName.feeds.rawValue), logger: logger)
        }
        let path = URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent("\(ServiceName.feeds.rawValue).sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("There is no feeds database at \(path): run `reentrybus dev` or `serve feeds`, or pass --data-dir.")
        }
        return try ServiceDatabase.openReadOnly(path: path)
    }
}
