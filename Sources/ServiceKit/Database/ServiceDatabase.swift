import Foundation
import GRDB
import Kafka
import Logging
import Storage

/// A service's own database: its reference state, the offsets it has consumed, the event ids it
/// has applied, and its outbox. Opened with every migration applied. SQLite (one file per
/// service, WAL) or PostgreSQL (one schema per service), behind the storage seam: the runtime
/// and the projections write the same SQL to both.
///
/// Offsets live here, not (only) in Kafka: a batch's effects and its next offsets commit in one
/// transaction, and on assignment the service resumes from them. A fresh database (deleted data
/// directory, new schema) therefore replays every partition from the beginning.
///
/// Opening a SQLite file checks it (`PRAGMA quick_check`) before the service consumes anything,
/// so a damaged file stops the service at start with an error naming it, not at some later
/// write. Every error from opening or writing is a ``ServiceDatabaseError`` naming the file or
/// the database URL (without its password).
public final class ServiceDatabase: Sendable {
    /// The database, for stores and tests. Write through ``write(_:)``: on SQLite it starts the
    /// background checkpoint a write that bypasses it would not.
    public let storage: any StorageDatabase
    /// The file path, or the URL without password and the schema.
    public var location: String { storage.location }
    private let checkpointer: WALCheckpointer?

    /// The log file SQLite keeps when it starts the log over: 512 MiB, twice the length at which
    /// ``WALCheckpointer`` restarts the log in a file of 4 KiB pages (databases made before
    /// ``defaultPageSize``; four times in one of 2 KiB), so that steady traffic never has it cut.
    ///
    /// Without a limit the file keeps its largest size for good (a runaway log after an outage
    /// would stay on disk). With 64 MiB (2026-12-03 to 12-04) the file was cut at nearly every
    /// restart under steady traffic, because at 1,000 events a second the log passes 200 MB
    /// between two moments a passive checkpoint catches up; each cut and the file's regrowth
    /// stalled both services' commits for 50–130 ms (ext4, `discard`): `bench pipeline`'s
    /// arrest → inbox p99 was 47–75 ms against 22–29 ms without a limit, alternated runs on one
    /// quiet host. A log that long only comes of writes without a pause (a replay, a backlog),
    /// and the checkpointer's restart bounds it near 256 MiB.
    static let defaultJournalSizeLimit = 2 * WALCheckpointer.defaultRestartAbovePages * 4_096

    /// The page size of a service database SQLite creates: 2 KiB, half SQLite's default.
    ///
    /// A service's tables and indexes are mostly keyed by random ids (event ids, notification
    /// and arrest ids), so each event dirties a page of each such index that no other event of
    /// its batch shares, and a commit appends every dirty page whole to the log: with 4 KiB
    /// pages ~40 pages (160 KB) a commit of ~6 arrests in the router, ~28 KB of log an arrest
    /// and service, 80 MB/s of writes at 1,000 arrests/s (`bench pipeline`, log frames counted
    /// per table, 2026-12-04). On this host's disk such writes came with stalls of 1–2 s that
    /// queued every arrest behind them (arrest → inbox p99 50–100 ms). Smaller pages cut the
    /// bytes and the stalls went with them: `ratio pipeline.latency.p99` 2.9–8.9 with 4 KiB
    /// against 1.4–1.9 with 1 KiB, alternated runs; 2 KiB against 1 KiB about the same (1.6–2.4
    /// against 1.4–1.9). 2 KiB, so that a notification (~1.4 KB) or an outbox row still fits on
    /// one page. It applies to a file SQLite creates; an existing database keeps its page size.
    public static let defaultPageSize = 2_048

    /// The settings of each connection to a service's SQLite file (the writer, the readers,
    /// the checkpointer's).
    ///
    /// - Parameters:
    ///   - journalSizeLimit: the bytes of log kept when SQLite starts the log over
    ///     (default ``defaultJournalSizeLimit``).
    ///   - pageSize: the page size if SQLite creates the file (default ``defaultPageSize``).
    ///   - cacheKibibytes: each connection's page cache (default ``defaultCacheKibibytes``).
    static func configure(
        _ db: Database, journalSizeLimit: Int = defaultJournalSizeLimit, pageSize: Int = defaultPageSize,
        cacheKibibytes: Int = defaultCacheKibibytes
    ) throws {
        // Before anything else: the size of a new file's pages is fixed by its first table.
        try db.execute(sql: "PRAGMA page_size = \(pageSize)")
        // WAL + NORMAL: a commit is durable against process crashes (the failure the
        // offsets-with-effects rule protects against) without an fsync per batch.
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        // Checkpoints run in the background (WALCheckpointer), never inside a commit.
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        // 16 MiB of pages per connection by default (SQLite's is 2 MiB): the event-id and
        // notification tables are keyed by random ids, so each insert lands on a random
        // leaf page; with the default cache most of them were read back from the file.
        try db.execute(sql: "PRAGMA cache_size = -\(max(cacheKibibytes, 64))")
        // Each event is applied in a savepoint, whose journal SQLite otherwise writes to a
        // temporary file opened and deleted per savepoint (Debian's build: TEMP_STORE=1):
        // in `bench pipeline` that was ~6× the router's WAL traffic, an open, writes and
        // an unlink per event. In memory it holds only the pages one event changes.
        try db.execute(sql: "PRAGMA temp_store = MEMORY")
        try db.execute(sql: "PRAGMA journal_size_limit = \(journalSizeLimit)")
    }

    /// Each connection's page cache unless told otherwise: 16 MiB (see ``configure(_:journalSizeLimit:pageSize:cacheKibibytes:)``).
    public static let defaultCacheKibibytes = 16_384

    /// Opens (creating if needed) the SQLite database at `path`, checks it and migrates it.
    ///
    /// - Parameters:
    ///   - pageSize: the page size if the file is created (default ``defaultPageSize``; a
    ///     benchmark's yardstick keeps SQLite's 4,096).
    ///   - cacheKibibytes: each connection's page cache (default ``defaultCacheKibibytes``; a
    ///     replay, which writes a whole history into a fresh file, takes more).
    /// - Throws: ``ServiceDatabaseError`` naming the file or directory at fault.
    public init(
        path: String, migrations: [StorageMigration], pageSize: Int = defaultPageSize, cacheKibibytes: Int = defaultCacheKibibytes
    ) throws {
        try Self.prepareDirectory(of: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try Self.configure(db, pageSize: pageSize, cacheKibibytes: cacheKibibytes) }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Self.check(pool, path: path)
            let storage = SQLiteStorage(writer: pool, location: path)
            let all = Self.runtimeMigrations + migrations
            try storage.migrate(all)
            self.storage = storage
            checkpointer = try WALCheckpointer(path: path, writer: pool)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: path)
        }
    }

    /// Opens the PostgreSQL database `storage` (its schema created if missing) and migrates it,
    /// blocking the calling thread as opening a SQLite file does: it runs once, at start. From
    /// async code use ``open(postgres:migrations:)``: this initializer holds the calling thread
    /// for every migration's round trips, and a cooperative thread held so starves every other
    /// task of the process (the pool has one thread a core).
    ///
    /// - Throws: ``ServiceDatabaseError`` naming the URL (never the password).
    public convenience init(postgres storage: PostgresStorage, migrations: [StorageMigration]) throws {
        do {
            _ = try storage.writeBlocking { try StorageMigrator.migrate(Self.runtimeMigrations + migrations, in: $0) }
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: storage.location)
        }
        self.init(migrated: storage)
    }

    private init(migrated storage: PostgresStorage) {
        self.storage = storage
        checkpointer = nil
    }

    /// Opens and migrates the PostgreSQL database `storage` as ``init(postgres:migrations:)``
    /// does, the migrations running on the storage's own queue while the caller awaits: many
    /// databases opened at once (a test process's suites) leave the cooperative threads free.
    ///
    /// - Throws: ``ServiceDatabaseError`` naming the URL (never the password).
    public static func open(postgres storage: PostgresStorage, migrations: [StorageMigration]) async throws -> ServiceDatabase {
        let all = runtimeMigrations + migrations
        do {
            _ = try await storage.write { try StorageMigrator.migrate(all, in: $0) }
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: storage.location)
        }
        return ServiceDatabase(migrated: storage)
    }

    /// Runs `body` in one write transaction; on SQLite starts a background checkpoint when one is due.
    ///
    /// - Throws: what `body` throws; the database's errors as ``ServiceDatabaseError`` naming it.
    public func write<T: Sendable>(_ body: @Sendable @escaping (any StorageTransaction) throws -> T) async throws -> T {
        let result: T
        do {
            result = try await storage.write(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: location)
        }
        checkpointer?.committed()
        return result
    }

    /// ``write(_:)`` blocking the calling thread, which on SQLite runs the transaction
    /// itself: only for a service's own thread (``ServiceThread``), never a cooperative one.
    public func writeBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        let result: T
        do {
            result = try storage.writeBlocking(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: location)
        }
        checkpointer?.committed()
        return result
    }

    /// Returns once the background checkpoint started last, if any, has ended (tests: a
    /// checkpoint of their own beside it would find the log busy).
    func waitForCheckpoint() {
        checkpointer?.waitForCheckpoint()
    }

    /// Closes the database's connections, so that its files may be removed (a benchmark's
    /// temporary directory) or the database file copied on its own: on SQLite after the
    /// background checkpoint in flight, the last connection copying the log into the file and
    /// removing the log files as it closes. Nothing may use the database afterwards.
    public func close() async throws {
        do {
            try checkpointer?.close()
            if let sqlite = storage as? SQLiteStorage {
                try sqlite.writer.close()
                // GRDB closes the pool's writer before its readers, which are read-only: the
                // last connection to close could neither copy the log into the file nor remove
                // it, so the log stayed beside the closed file with the latest commits (a copy
                // of the file alone missed them). A connection opened and closed last does
                // both; one that cannot (another process still reading) leaves the log for the
                // next opening, which reads it as before. (A service stopping does not call
                // this: its process ends and the next start reads the log.)
                try DatabaseQueue(path: sqlite.location).close()
            }
            if let postgres = storage as? PostgresStorage { try await postgres.close() }
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: location)
        }
    }

    /// Runs `body` in a transaction that only reads (on SQLite beside the writer).
    public func read<T: Sendable>(_ body: @Sendable @escaping (any StorageTransaction) throws -> T) async throws -> T {
        do {
            return try await storage.read(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: location)
        }
    }

    /// ``read(_:)`` blocking the calling thread: only for threads that may block (the
    /// consumer's rebalance callback runs on the client's own thread).
    func readBlocking<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        do {
            return try storage.readBlocking(body)
        } catch {
            throw ServiceDatabaseError.wrapping(error, path: location)
        }
    }

    /// Opens an existing SQLite database read-only, without migrating (for `inbox` and checks).
    public static func openReadOnly(path: String) throws -> SQLiteStorage {
        var configuration = Configuration()
        configuration.readonly = true
        // A service checkpointing or closing holds a lock for a moment: wait, do not fail.
        configuration.busyMode = .timeout(10)
        do {
            return SQLiteStorage(writer: try DatabaseQueue(path: path, configuration: configuration), location: path)
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
}
