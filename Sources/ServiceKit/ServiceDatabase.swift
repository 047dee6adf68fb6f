import Foundation
import GRDB
import Kafka

/// A service's own SQLite database (WAL): its reference state, the offsets it has consumed,
/// the event ids it has applied, and its outbox. Opened with every migration applied.
///
/// Offsets live here, not (only) in Kafka: a batch's effects and its next offsets commit in one
/// transaction, and on assignment the service resumes from them. A fresh database (deleted data
/// directory) therefore replays every partition from the beginning.
public final class ServiceDatabase: Sendable {
    /// For reads. Write through `write(_:)`: the writer never checkpoints its log itself, so a
    /// write that bypasses it lets the log grow until the next one.
    public let writer: DatabasePool
    public let path: String
    private let checkpointer: WALCheckpointer

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String, registerMigrations: (inout DatabaseMigrator) -> Void) throws {
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit is durable against process crashes (the failure the
            // offsets-with-effects rule protects against) without an fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoints run in the background (WALCheckpointer), never inside a commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        var migrator = DatabaseMigrator()
        migrator.registerMigration("servicekit-v1") { db in
            try db.execute(sql: """
                CREATE TABLE kit_offsets (
                    topic TEXT NOT NULL,
                    partition_id INTEGER NOT NULL,
                    next_offset INTEGER NOT NULL CHECK (next_offset >= 0),
                    PRIMARY KEY (topic, partition_id)
                ) WITHOUT ROWID;
                CREATE TABLE kit_applied_events (event_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                CREATE TABLE kit_outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value BLOB NOT NULL,
                    headers TEXT NOT NULL
                );
                CREATE TABLE kit_counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        registerMigrations(&migrator)
        try migrator.migrate(writer)
        checkpointer = try WALCheckpointer(path: path)
    }

    /// Runs `body` in one write transaction; starts a background checkpoint when one is due.
    public func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        let result = try await writer.write(body)
        checkpointer.committed()
        return result
    }

    /// Opens an existing database read-only, without migrating (for `inbox` and checks).
    public static func openReadOnly(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    // MARK: Offsets

    /// The next offset to read per partition, as stored with the effects.
    public func storedOffsets() throws -> [TopicPartition: KafkaOffset] {
        try writer.read { db in try Self.storedOffsets(db) }
    }

    static func storedOffsets(_ db: Database) throws -> [TopicPartition: KafkaOffset] {
        var result: [TopicPartition: KafkaOffset] = [:]
        for row in try Row.fetchAll(db, cached: "SELECT topic, partition_id, next_offset FROM kit_offsets") {
            result[TopicPartition(topic: row["topic"], partition: row["partition_id"])] = KafkaOffset(row["next_offset"])
        }
        return result
    }

    /// Raises stored offsets (never lowers them: compare-and-set against the stored value).
    static func advance(_ offsets: [TopicPartition: KafkaOffset], _ db: Database) throws {
        for (partition, offset) in offsets {
            try db.cachedExecute(
                sql: """
                    INSERT INTO kit_offsets (topic, partition_id, next_offset) VALUES (?, ?, ?)
                    ON CONFLICT (topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset
                    WHERE excluded.next_offset > kit_offsets.next_offset
                    """,
                arguments: [partition.topic, partition.partition, offset.rawValue])
        }
    }

    // MARK: Applied events

    /// Records `eventId` as applied; false when it already was (a redelivered duplicate).
    static func markApplied(_ eventId: String, _ db: Database) throws -> Bool {
        try db.cachedExecute(sql: "INSERT OR IGNORE INTO kit_applied_events (event_id) VALUES (?)", arguments: [eventId])
        return db.changesCount > 0
    }

    // MARK: Counters

    static func increment(_ name: String, by amount: Int, _ db: Database) throws {
        guard amount != 0 else { return }
        try db.cachedExecute(
            sql: "INSERT INTO kit_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            arguments: [name, amount])
    }

    /// Durable counters (e.g. `dead_lettered`, `duplicates`).
    public func counters() throws -> [String: Int] {
        try writer.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, cached: "SELECT name, value FROM kit_counters").map {
                ($0["name"] as String, $0["value"] as Int)
            })
        }
    }

    // MARK: Outbox

    struct OutboxEntry: Sendable {
        var seq: Int64
        var message: OutgoingMessage
    }

    static func appendToOutbox(_ message: OutgoingMessage, _ db: Database) throws {
        let headers = try JSONEncoder().encode(message.headers.map { [$0.key, $0.stringValue ?? ""] })
        try db.cachedExecute(
            sql: "INSERT INTO kit_outbox (topic, key, value, headers) VALUES (?, ?, ?, ?)",
            arguments: [message.topic, message.key, Data(message.value), String(decoding: headers, as: UTF8.self)])
    }

    /// Outbox entries after sequence number `seq`, oldest first.
    static func outbox(after seq: Int64 = 0, _ db: Database) throws -> [OutboxEntry] {
        try Row.fetchAll(db, cached: "SELECT seq, topic, key, value, headers FROM kit_outbox WHERE seq > ? ORDER BY seq", arguments: [seq]).map { row in
            let headerText: String = row["headers"]
            let pairs = (try? JSONDecoder().decode([[String]].self, from: Data(headerText.utf8))) ?? []
            let value: Data = row["value"]
            return OutboxEntry(seq: row["seq"], message: OutgoingMessage(
                topic: row["topic"], key: row["key"], value: Array(value),
                headers: pairs.filter { $0.count == 2 }.map { KafkaHeader(key: $0[0], value: $0[1]) }))
        }
    }

    func pendingOutbox() throws -> [OutboxEntry] {
        try writer.read { db in try Self.outbox(db) }
    }

    /// Removes outbox entries up to `seq` once the broker acknowledged them.
    func removeFromOutbox(through seq: Int64) async throws {
        try await write { db in try Self.removeFromOutbox(through: seq, db) }
    }

    static func removeFromOutbox(through seq: Int64, _ db: Database) throws {
        try db.cachedExecute(sql: "DELETE FROM kit_outbox WHERE seq <= ?", arguments: [seq])
    }
}
