import ArgumentParser
import Foundation
import Logging
import Pipeline
import ServiceKit
import Settings
import Storage

/// What every `view` reads from: the views database (as `serve` finds it: flags, environment,
/// configuration file), the moment asked about, and the output form.
struct ViewOptions: ParsableArguments {
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    @OptionGroup var state: ServiceStateOptions

    @Option(help: ArgumentHelp("The moment asked about, YYYY-MM-DD or an RFC 3339 time (default: now).", valueName: "time"))
    var asOf: String?

    @Flag(help: "Print the rows as JSON (one document) instead of a table.")
    var json = false

    /// The moment asked about.
    func moment() throws -> Date {
        guard let asOf else { return Date() }
        if asOf.count == 10, let day = ViewFormat.dayFormatter().date(from: asOf) { return day }
        if let time = ISO8601DateFormatter().date(from: asOf) { return time }
        throw ValidationError("--as-of \(asOf) is neither YYYY-MM-DD nor an RFC 3339 time such as 2026-11-30T08:00:00Z.")
    }

    /// Opens the views database for reading; it must exist (the `views` service made it).
    func open() throws -> any StorageDatabase {
        let settings = try config.resolve(logging: logging, keys: [.dataDirectory, .database, .databasePasswordFile]) { flags in
            // `dev` writes to .reentrybus/dev: the views read there unless told otherwise.
            state.apply(to: &flags, defaultDataDirectory: config.file == nil ? ".reentrybus/dev" : nil)
        }
        let (directory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        if let postgres {
            var logger = Logger(label: "reentrybus.view")
            logger.logLevel = .error
            return PostgresStorage(configuration: try postgres.inSchema(ServiceName.views.rawValue), logger: logger)
        }
        let path = URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent("\(ServiceName.views.rawValue).sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("There is no views database at \(path): run `reentrybus dev` or `serve views`, or pass --data-dir.")
        }
        return try ServiceDatabase.openReadOnly(path: path)
    }

    /// Runs `query` in one read transaction of the views database.
    func read<T>(_ query: (any StorageTransaction) throws -> T) throws -> T {
        try open().readBlocking(query)
    }

    /// Prints `rows` as JSON, or else as `table`.
    func print<Row: Encodable>(_ rows: Row, table: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            Swift.print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            Swift.print(table(), terminator: "")
        }
    }
}

/// A `--within 60d` window: a number of days.
struct DayWindow: ExpressibleByArgument {
    let days: Int

    init?(argument: String) {
        let digits = argument.hasSuffix("d") ? String(argument.dropLast()) : argument
        guard let days = Int(digits), (0...3_650).contains(days) else { return nil }
        self.days = days
    }

    init(days: Int) { self.days = days }

    var defaultValueDescription: String { "\(days)d" }
}
