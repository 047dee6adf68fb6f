import Foundation
import Kafka
import LocalPostgres
import Pipeline
import ServiceKit
import Storage

/// Where each database part runs, and the `views` service assembled for it.
extension ReplayBenchmark {
    /// SQLite in a temporary directory (removed afterwards): `views.sqlite` as `serve` names it,
    /// and `raw.sqlite` for the baseline.
    func onSQLite(_ messages: [KafkaConsumerMessage], _ printer: FigurePrinter) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-bench-replay-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { remove(directory, printer) }
        var result = Result(database: .sqlite, events: messages.count)
        printer.progress("replay: sqlite raw upsert of \(messages.count) rows in \(directory.path)")
        // The yardstick keeps a service's cache: its sequential keys need no more.
        let raw = try RawUpsertBaseline.onSQLite(path: directory.appendingPathComponent("raw.sqlite").path)
        try await self.raw(messages, into: raw, as: &result, printer)
        try await raw.close()
        printer.progress("replay: sqlite replay into the views service")
        let service = try viewsService(dataDirectory: directory, postgres: nil)
        let timings = statements > 0 ? try await service.database.timeStatements() : nil
        try await replay(messages, into: service, as: &result, printer)
        printer.statements(timings, of: "views", count: statements)
        try await timeQuestions(on: service.database, as: .sqlite, printer)
        // Closed before the directory is removed: an open database's last close removes its
        // log files while the removal walks the directory.
        try await service.database.close()
        return result
    }

    /// PostgreSQL: a private cluster (nil when its binaries are missing) or the given database;
    /// the views in schema `views` as `serve` names it, the baseline in `bench_raw`.
    func onPostgres(_ messages: [KafkaConsumerMessage], _ printer: FigurePrinter) async throws -> Result? {
        switch postgres {
        case .database(let configuration):
            return try await onPostgres(configuration, messages, printer)
        case .privateCluster:
            guard PostgresBinaries.isInstalled else { return nil }
            printer.progress("replay: starting a private PostgreSQL cluster")
            return try await PostgresCluster.with { cluster in
                let name = try await cluster.createDatabase("bench_replay")
                return try await onPostgres(try PostgresStorage.Configuration(url: cluster.url(database: name)), messages, printer)
            }
        }
    }

    private func onPostgres(
        _ configuration: PostgresStorage.Configuration, _ messages: [KafkaConsumerMessage], _ printer: FigurePrinter
    ) async throws -> Result {
        var result = Result(database: .postgres, events: messages.count)
        printer.progress("replay: postgres raw upsert of \(messages.count) rows in \(configuration.location)")
        try await RawUpsertBaseline.onPostgres(configuration, logger: logger) { database in
            try await raw(messages, into: database, as: &result, printer)
        }
        printer.progress("replay: postgres replay into the views service")
        let service = try viewsService(dataDirectory: FileManager.default.temporaryDirectory, postgres: configuration)
        let storage = service.database.storage as? PostgresStorage
        do {
            try await replay(messages, into: service, as: &result, printer)
            try await timeQuestions(on: service.database, as: .postgres, printer)
            try await storage?.close()
        } catch {
            try await storage?.close()
            throw error
        }
        return result
    }

    /// The `views` service as `serve` assembles it (`buildApplication`: the same projection,
    /// every store, the admission against the contracts, the database opened and migrated
    /// the same way). Its Kafka clients are configured for an address that is never contacted:
    /// nothing connects before `Application.run()`, which the benchmark does not call.
    func viewsService(dataDirectory: URL, postgres: PostgresStorage.Configuration?) throws -> EventConsumerService {
        var configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: ["127.0.0.1:9"]), dataDirectory: dataDirectory, services: [.views], catalog: catalog,
            topics: .init(createContractTopics: false), client: .init(maxBatchSize: batchSize), postgres: postgres)
        configuration.sqliteCacheKibibytes = sqliteCacheKibibytes
        let application = try buildApplication(configuration, logger: logger)
        guard let service = application.services[.views] else {
            throw BenchmarkFailure(description: "the application has no views service")
        }
        return service
    }

    private func remove(_ directory: URL, _ printer: FigurePrinter) {
        do {
            try FileManager.default.removeItem(at: directory)
        } catch {
            printer.progress("replay: could not remove \(directory.path): \(error)")
        }
    }
}
