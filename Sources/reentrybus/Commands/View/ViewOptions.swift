import ArgumentParser
import Audit
import Contracts
import Foundation
import Logging
import Pipeline
import Policy
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

    @Option(name: .customLong("as"), help: ArgumentHelp(
        "Who reads the view, as the audit ledger records it (default: the operating-system user).", valueName: "user"))
    var reader: String?

    @Option(help: ArgumentHelp(
        "Why, as the audit ledger records it: \(AccessPurpose.allCases.map(\.rawValue).joined(separator: ", ")) (default: administration).",
        valueName: "purpose"))
    var purpose: String?

    func validate() throws {
        if let purpose, AccessPurpose(code: purpose) == nil {
            throw ValidationError("--purpose \(purpose) is not one of \(AccessPurpose.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let reader, reader.isEmpty || reader.count > 200 { throw ValidationError("--as must be 1 to 200 characters.") }
    }

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

    /// Records the disclosure of `rows` in the audit ledger (beside the views database: the
    /// same data directory or PostgreSQL database), then prints them. A view read from the
    /// database is not redacted, so its columns are recorded without classifications; the
    /// persons are the identifiers the rows hold. Nothing is printed if the entry cannot be
    /// written.
    func disclose<Row: Encodable>(_ rows: Row, resource: String, table: () -> String) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let value = try JSONValue(parsing: Array(try encoder.encode(rows)))
        let fields: Set<String> = switch value {
        case .array(let items): Set(items.flatMap { item -> [String] in
            guard case .object(let members) = item else { return [] }
            return Array(members.keys)
        })
        case .object(let members): Set(members.keys)
        default: []
        }
        let requester = Requester(
            subject: reader ?? Self.operatingSystemUser, agencyId: nil, agencyKind: nil, roles: [],
            purpose: purpose.flatMap(AccessPurpose.init(code:)) ?? .administration)
        let ledger = try await openAuditLedger(config: config, logging: logging, state: state, mustExist: false)
        try await ledger.append(Disclosure(
            requester: requester, requestId: UUID().uuidString.lowercased(), channel: .cli, resource: resource,
            persons: PersonIdentifier.all(in: value),
            disclosed: fields.sorted().map { DisclosedField(field: $0, classifications: []) }))
        try print(rows, table: table)
    }

    /// The user running the command, or their numeric id where the system knows no name (a
    /// container's user without a passwd entry).
    static var operatingSystemUser: String {
        let name = ProcessInfo.processInfo.userName
        return name.isEmpty ? "uid:\(getuid())" : String(name.prefix(200))
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
