import Contracts
import Foundation
import Kafka
import Logging
import ServiceKit
import Storage

/// The replay benchmark's baseline: what the database itself does with the same rows, through
/// the same storage layer, without the projection. Each message becomes one row — its event id
/// (a random UUID, so inserts land on random pages of the key's index, as the applied-ids table
/// and most view tables do), its topic and its bytes (~0.7 KiB, about the width of the views'
/// rows that keep an event's body) — upserted with the plainest statement, given once a row
/// (`send`), in one transaction per batch of the same size as the replay's: SQLite runs a
/// statement a row, PostgreSQL's storage writes up to 512 rows a statement (`HeldInserts`),
/// the batched upsert a loader would use there. The table lives in a
/// ``ServiceDatabase`` opened like a service's (SQLite: WAL, `synchronous = NORMAL`, the 16 MiB
/// page cache, background checkpoints, but SQLite's default page size, ``pageSize``;
/// PostgreSQL: one connection, a schema of its own), so the ratio to it shows what the
/// projection costs, not what the driver or the settings cost.
struct RawUpsertBaseline {
    static let table = "bench_raw_events"

    /// SQLite's own default page size, not the services' smaller one: their pages are sized
    /// for commits of a few events (``ServiceDatabase/defaultPageSize``), and a yardstick that
    /// smaller pages slowed (rows of ~0.7 KiB: 146k → 113k rows/s at 1 KiB) would flatter the
    /// ratio.
    static let pageSize = 4_096

    static let migrations: [StorageMigration] = [
        .script("bench-raw-1", """
            CREATE TABLE \(table) (
                event_id TEXT PRIMARY KEY NOT NULL,
                topic TEXT NOT NULL,
                body BYTEA NOT NULL
            )
            """),
    ]

    static let upsert = """
        INSERT INTO \(table) (event_id, topic, body) VALUES ($1, $2, $3)
        ON CONFLICT (event_id) DO UPDATE SET topic = excluded.topic, body = excluded.body
        """

    let database: ServiceDatabase
    let batchSize: Int

    /// The baseline's table in a fresh SQLite file at `path`, opened like a service's but with
    /// SQLite's own page size (``pageSize``).
    static func onSQLite(path: String) throws -> ServiceDatabase {
        try ServiceDatabase(path: path, migrations: migrations, pageSize: pageSize)
    }

    /// Runs `body` on the baseline's table in the schema `bench_raw` of `configuration`, then
    /// closes the connection, also when `body` fails (the cluster may be stopped next).
    static func onPostgres<T>(
        _ configuration: PostgresStorage.Configuration, logger: Logger, _ body: (ServiceDatabase) async throws -> T
    ) async throws -> T {
        let storage = PostgresStorage(configuration: try configuration.inSchema("bench_raw"), logger: logger)
        do {
            let result = try await body(try await ServiceDatabase.open(postgres: storage, migrations: migrations))
            try await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    }

    /// What a run did.
    struct Outcome {
        var rows = 0
        /// Time spent in the batches' transactions (building the rows is not counted).
        var seconds = 0.0
        var rate: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    /// Upserts one row per message, `batchSize` rows per transaction; `progress` is called
    /// after each batch with the rows written so far.
    func run(_ messages: [KafkaConsumerMessage], progress: (Int, Double) -> Void = { _, _ in }) async throws -> Outcome {
        var outcome = Outcome()
        var start = messages.startIndex
        while start < messages.endIndex {
            let end = min(start + batchSize, messages.endIndex)
            let rows: [[SQLValue]] = messages[start..<end].map { message in
                [.text(message.header(EventHeaders.eventId)?.stringValue ?? "\(message.topicPartition)@\(message.offset)"),
                 .text(message.topic), .bytes(message.value)]
            }
            try Task.checkCancellation()
            let began = ContinuousClock.now
            try await database.write { transaction in
                for row in rows { try transaction.send(Self.upsert, row) }
            }
            outcome.seconds += (ContinuousClock.now - began).seconds
            outcome.rows += rows.count
            progress(outcome.rows, outcome.seconds)
            start = end
        }
        return outcome
    }
}
