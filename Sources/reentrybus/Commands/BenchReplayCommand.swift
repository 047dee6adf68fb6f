import ArgumentParser
import Benchmarks
import Foundation
import Pipeline
import Settings
import Storage

struct BenchReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "The views service rebuilding its state from mixed events, on SQLite and PostgreSQL, beside each database's raw batched upsert.",
        discussion: """
            Generates --events mixed, contract-valid events (seeded: the same every run) about one person per 20 \
            events, and applies them batch by batch through the views service's own transaction (admission, \
            applied ids, offsets, outbox), timing the transactions; then compares with the same number of rows \
            upserted through the same storage layer, --batch per transaction, in the same database (SQLite: a \
            statement a row; PostgreSQL: up to 512 rows a statement): `ratio replay.<database>` \
            is replay events/s ÷ raw rows/s. SQLite runs in a temporary directory; PostgreSQL in a private cluster \
            started from Debian's PostgreSQL 15 ($PG_BIN or /usr/lib/postgresql/15/bin) and removed afterwards, \
            skipped, saying why, when those programs are missing. A million events take several minutes per database.
            """)

    @Option(help: "Events to replay (and rows the baseline upserts).")
    var events = 1_000_000

    @Option(help: ArgumentHelp("Databases to measure, comma-separated: sqlite, postgres.", valueName: "databases"))
    var databases = "sqlite,postgres"

    @Option(help: "Events per transaction, for the replay and the baseline alike (default: as `reentrybus replay` applies them).")
    var batch = ReplayOptions().eventsPerTransaction

    @Option(help: ArgumentHelp("People the events are about (default: one per 20 events).", valueName: "count"))
    var people: Int?

    @Option(help: ArgumentHelp(
        "List the N statements the views' writer spent most time in (SQLite; placeholders, never values).", valueName: "N"))
    var statements = 0

    @Option(help: ArgumentHelp(
        "Measure PostgreSQL on this server's database (postgres://USER@HOST:PORT/DATABASE; the password inside the URL) instead of a private cluster. Schemas views and bench_raw are created there and left for inspection; run it on a database made for the purpose.",
        valueName: "url"))
    var postgres: String?

    @OptionGroup var contracts: ContractsDirectoryOption

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1") }
        guard batch > 0 else { throw ValidationError("--batch must be at least 1") }
        if let people, people <= 0 { throw ValidationError("--people must be at least 1") }
        guard statements >= 0 else { throw ValidationError("--statements must not be negative") }
        _ = try parsedDatabases()
        _ = try postgresServer()
    }

    /// The server the PostgreSQL part runs on: a private cluster, or `--postgres`.
    ///
    /// - Throws: `ValidationError` naming what is wrong with the URL (never the URL, which may
    ///   hold a password).
    func postgresServer() throws -> ReplayBenchmark.PostgresServer {
        guard let postgres else { return .privateCluster }
        guard postgres.hasPrefix("postgres://") || postgres.hasPrefix("postgresql://") else {
            throw ValidationError("--postgres must be a postgres:// URL")
        }
        do {
            guard case .postgres(let url, _) = try DatabaseChoice(parsing: postgres) else {
                throw ValidationError("--postgres must be a postgres:// URL")
            }
            return .database(try PostgresStorage.Configuration(url: url.connectionString.revealed))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("--postgres: \(error)")
        }
    }

    func parsedDatabases() throws -> [ReplayBenchmark.Database] {
        let names = databases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--databases names none; give sqlite, postgres or both") }
        return try names.map { name in
            guard let database = ReplayBenchmark.Database(rawValue: name) else {
                throw ValidationError("--databases: unknown database \(name); known: sqlite, postgres")
            }
            return database
        }
    }

    func run() async throws {
        var benchmark = ReplayBenchmark(
            events: events, people: people, databases: try parsedDatabases(), batchSize: batch, catalog: try contracts.loadCatalog(),
            postgres: try postgresServer())
        benchmark.statements = statements
        // Ctrl-C or SIGTERM cancels the run, which stops and removes its private PostgreSQL
        // cluster and its temporary directory instead of leaving them behind.
        do {
            _ = try await Interruption().cancellingOnSignal { [benchmark] in try await benchmark.run() }
        } catch is CancellationError {
            throw ExitCode(130)
        }
    }
}
