import Foundation
import GRDB
import Kafka

/// A service's own SQLite database (WAL): its reference state, the offsets it has consumed,
/// the event ids it has applied, and its outbox. Opened with every migration applied.
///
/// Offsets live here, not (only) in Kafka: a batch's effects and its next offsets commit in one
/// transaction, and on assignment the service resumes from them. A fresh database (deleted data
/// directory) therefore replays every partition from the beginning.
///
/// Opening checks the file (`PRAGMA quick_check`) before the service consumes anything, so a
/// damaged file stops the service at start with an error naming it, not at some later write.
/// Every error from opening or writing is a ``ServiceDatabaseError`` naming the file.
public final class ServiceDatabase: Sendable {
    /// For reads. Write through `write(_:)`: the writer never checkpoints its log itself, so a
    /// write that bypasses it lets the log grow until the next one.
    public let writer: DatabasePool
    public let path: String
    private let checkpointer: WALCheckpointer

    /// Opens (creating if needed) the database at `path`, checks it and migrates it.
    ///
    /// - Throws: ``ServiceDatabaseError`` naming the file or directory at fault.
    public init(path: String, registerMigrations: (inout DatabaseMigrator) -> Void) throws {
        try Self.prepareDirectory(of: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit is durable against process crashes (the failure the
            // offsets-with-effects rule protects against) without an fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoints run in the background (WALCheckpointer), never inside a commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // 16 MiB of pages per connection (SQLite's default is 2 MiB): the event-id and
            // notification tables are keyed by random ids, so each insert lands on a random
            // leaf page; with the default cache most of them were read back from the file.
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.check(writer, path: path)
            var migrator = DatabaseMigrator()
            Self.registerRuntimeMigrations(&migrator)
            registerMigrations(&migrator)
            try migrator.migrate(writer)
            checkpointer = try WALCheckpointer(path: path)
        } catch let error as ServiceDatabaseError {
            throw error
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
        self.path = path
    }

    /// Runs `body` in one write transaction; starts a background checkpoint when one is due.
    ///
    /// - Throws: what `body` throws; errors from SQLite as ``ServiceDatabaseError`` naming the file.
    public func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        let result: T
        do {
            result = try await writer.write(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
        checkpointer.committed()
        return result
    }

    /// Runs `body` on a reader connection, off the caller's thread (GRDB's async read).
    public func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
    }

    /// Opens an existing database read-only, without migrating (for `inbox` and checks).
    public static func openReadOnly(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
    }

    /// The data directory must be a directory (created if missing).
    private static func prepareDirectory(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ServiceDatabaseError(.dataDirectoryIsAFile, path: directory) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            // A parent that is a file fails here too.
            throw ServiceDatabaseError(.cannotCreateDataDirectory, path: directory, detail: "\(error)")
        }
    }

    /// `PRAGMA quick_check`: O(size), but finds damaged pages before anything is consumed.
    private static func check(_ pool: DatabasePool, path: String) throws {
        let problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        guard problems == ["ok"] else {
            throw ServiceDatabaseError(.damaged, path: path, detail: problems.joined(separator: "; "))
        }
    }

    /// The runtime's own tables. Never edit a shipped migration: add one.
    static func registerRuntimeMigrations(_ migrator: inout DatabaseMigrator) {
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
        // v2: applied event ids remember their content (to tell a redelivery from a different
        // event reusing an id) and when they may be forgotten (the source topic's retention
        // after the event's time: the broker cannot redeliver it after that); the stream's
        // clock (newest event time seen) decides, never the wall clock, so a replay prunes
        // alike. Ids applied before v2 have neither and are kept. Outbox rows that can never
        // be delivered move to kit_outbox_failed with the reason.
        migrator.registerMigration("servicekit-v2") { db in
            try db.execute(sql: """
                ALTER TABLE kit_applied_events ADD COLUMN content_hash BLOB;
                ALTER TABLE kit_applied_events ADD COLUMN forget_after_ms INTEGER;
                CREATE INDEX kit_applied_events_by_expiry ON kit_applied_events (forget_after_ms)
                    WHERE forget_after_ms IS NOT NULL;
                CREATE TABLE kit_event_clock (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    newest_ms INTEGER NOT NULL
                );
                CREATE TABLE kit_outbox_failed (
                    seq INTEGER PRIMARY KEY,
                    topic TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value BLOB NOT NULL,
                    headers TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    failed_at TEXT NOT NULL
                );
                """)
        }
        // v3: outbox headers as bytes (`OutboxHeaders`), not JSON text: binary header values
        // survive (a dead letter copies its source's headers), and writing them costs a loop
        // instead of a JSONEncoder per message. Rows written before keep their text.
        migrator.registerMigration("servicekit-v3") { db in
            try db.execute(sql: """
                ALTER TABLE kit_outbox ADD COLUMN header_bytes BLOB;
                ALTER TABLE kit_outbox_failed ADD COLUMN header_bytes BLOB;
                """)
        }
    }
}
