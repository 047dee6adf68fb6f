import Contracts
import Foundation
import GRDB
import Logging
import Pipeline
import ServiceKit
import Storage
import Testing

/// Every table a service forgets rows of by time (`forget_after_ms`) has an index that starts
/// with that column. The forgetting runs after every batch and takes the oldest due rows
/// (`forgetDue`): without the index each pass read the whole table, so a service kept busier
/// the more it remembered. Checked on each consumer's database as `serve` migrates it.
@Suite struct RetentionIndexTests {
    @Test func everyTableForgottenByTimeHasAnIndexOnTheTime() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-retention-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Nothing connects: the services' clients start only with `Application.run()`.
        let configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: ["127.0.0.1:9"]), dataDirectory: directory, services: Set(ServiceName.consumers),
            catalog: try TopicCatalog.embedded(), topics: .init(createContractTopics: false))
        var logger = Logger(label: "retention-index-tests")
        logger.logLevel = .error
        let application = try buildApplication(configuration, logger: logger)
        var forgotten: [String] = []
        for name in ServiceName.consumers {
            let service = try #require(application.services[name], "no \(name) service")
            let writer = try #require((service.database.storage as? SQLiteStorage)?.writer)
            let (tables, unindexed) = try await writer.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .filter { try db.columns(in: $0).contains { $0.name == "forget_after_ms" } }
                return (tables, try tables.filter { table in try !db.indexes(on: table).contains { $0.columns.first == "forget_after_ms" } })
            }
            forgotten += tables
            #expect(unindexed.isEmpty, "\(name): no index starts with forget_after_ms in \(unindexed)")
            try await service.database.close()
        }
        // The services' own ledgers of applied events and sent notifications among them.
        #expect(forgotten.contains("kit_applied_events") && forgotten.contains("notifications_sent"), "\(forgotten)")
    }
}
