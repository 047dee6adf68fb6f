import Foundation
import GRDB
import Kafka
import Logging
import ServiceKit
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A replay into `<service>.sqlite.replay` beside the service's `<service>.sqlite`, renamed
/// over it at the swap.
///
/// "Nobody else has the file open" is tested with SQLite's own locks: a connection in
/// exclusive locking mode gets the file's exclusive lock only when no other connection (a
/// running service, a `view`, `inbox`) has the file open. The swap holds that lock while it
/// checks the offsets, copies the old file's write-ahead log into it and removes its `-wal` and
/// `-shm` (no log is left whose pages could be applied to the new file), and renames; the new
/// file was first checkpointed and closed the same way, so it too stands alone. The rename is
/// the commit point: atomic on one file system, and the directory is synced after it.
final class ReplaySQLiteTarget: ReplayTarget {
    let path: String
    let replayPath: String
    /// The new file's page cache (``ReplayOptions/sqliteCacheMebibytes``).
    let cacheKibibytes: Int
    private let logger: Logger
    /// Whether this replay created the new file (and so may remove it).
    private let created = Mutex(false)

    init(path: String, cacheKibibytes: Int, logger: Logger) {
        self.path = path
        self.replayPath = path + ".replay"
        self.cacheKibibytes = cacheKibibytes
        self.logger = logger
    }

    var location: String { path }
    var replayLocation: String { replayPath }

    static let sideFileSuffixes = ["-wal", "-shm", "-journal"]

    func currentOffsets() async throws -> [TopicPartition: KafkaOffset] {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplayFailure(.noCurrentState) }
        // Read-only, waiting up to 10 s for a lock: the last connection of a service stopping
        // just now holds the file's lock while it checkpoints.
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let storage: SQLiteStorage
        do {
            storage = SQLiteStorage(writer: try DatabaseQueue(path: path, configuration: configuration), location: path)
        } catch let error as DatabaseError {
            throw error.naming(path)
        }
        return try await storage.read { try ReplayOffsets.read($0, table: "kit_offsets") }
    }

    func openFresh(migrations: [StorageMigration]) async throws -> ServiceDatabase {
        if FileManager.default.fileExists(atPath: replayPath) {
            if try Self.isOpenElsewhere(replayPath) { throw ReplayFailure(.anotherReplay) }
            logger.notice("Removing what an earlier replay left", metadata: ["database": "\(replayPath)"])
        }
        try Self.remove(replayPath)
        created.withLock { $0 = true }
        return try ServiceDatabase(path: replayPath, migrations: migrations, cacheKibibytes: cacheKibibytes)
    }

    func reopen(migrations: [StorageMigration]) async throws -> ServiceDatabase {
        try ServiceDatabase(path: replayPath, migrations: migrations, cacheKibibytes: cacheKibibytes)
    }

    func isInUse() async throws -> Bool {
        try Self.isOpenElsewhere(path)
    }

    func swap(expecting goal: [TopicPartition: KafkaOffset], topics: Set<String>, carry: @escaping ReplayCarry.Step) async throws -> ReplaySwapOutcome {
        // The new file first: checkpointed into itself and closed, with no side file left.
        // Its own connections close as their last references go; a short wait covers a
        // background checkpoint still finishing.
        let sealed: ExclusiveSQLiteConnection
        do {
            sealed = try ExclusiveSQLiteConnection(path: replayPath, waiting: 10)
        } catch let error as DatabaseError where error.isBusy {
            throw ReplayFailure(.swapRefused("\(replayPath) was still open after 10 s"))
        }
        try sealed.standAlone()
        try sealed.close()
        guard FileManager.default.fileExists(atPath: path) else { throw ReplayFailure(.noCurrentState) }
        let lock: ExclusiveSQLiteConnection
        do {
            lock = try ExclusiveSQLiteConnection(path: path, waiting: nil)
        } catch let error as DatabaseError where error.isBusy {
            return .inUse
        }
        let outcome: ReplaySwapOutcome
        do {
            let current = try lock.read { try ReplayOffsets.read($0, table: "kit_offsets", topics: topics) }
            if current != goal {
                outcome = .moved
            } else {
                // What the current state committed and never delivered goes with the swap.
                let carried = try lock.withAttached(replayPath, as: "rebuilt") { transaction in
                    let carried = try ServiceDatabase.carryOutbox(from: "main", into: "rebuilt", transaction)
                    try carry("main", "rebuilt", transaction)
                    return carried
                }
                try lock.standAlone()
                // The commit point.
                guard rename(replayPath, path) == 0 else {
                    throw ReplayFailure(.swapRefused("renaming \(replayPath) to \(path) failed: \(String(cString: strerror(errno)))"))
                }
                ReplayCarry.log(carried, into: path, logger)
                outcome = .swapped
            }
        } catch {
            lock.closeLoggingFailure(logger: logger)
            throw error
        }
        guard outcome == .swapped else {
            try lock.close()
            return outcome
        }
        created.withLock { $0 = false }
        // The swap is done: what follows makes it durable sooner and lets the old file go.
        Self.syncDirectory(of: path, logger: logger)
        lock.closeLoggingFailure(logger: logger)
        return .swapped
    }

    func discard() async -> Bool {
        guard created.withLock({ $0 }) else { return true }
        do {
            try Self.remove(replayPath)
            return true
        } catch {
            logger.error("Could not remove the partly built database", metadata: ["database": "\(replayPath)", "error": "\(error)"])
            return false
        }
    }

    func close() async {}

    /// Whether another connection has the file open: its exclusive lock is tried once,
    /// without waiting, and released at once.
    static func isOpenElsewhere(_ path: String) throws -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        do {
            try ExclusiveSQLiteConnection(path: path, waiting: nil).close()
            return false
        } catch let error as DatabaseError where error.isBusy {
            return true
        }
    }

    /// Removes the file and its side files, where they exist.
    static func remove(_ path: String) throws {
        for file in [path] + sideFileSuffixes.map({ path + $0 }) where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.removeItem(atPath: file)
        }
    }

    /// fsync of the directory holding `path`, so the rename survives a power cut. A failure
    /// leaves the rename done (only maybe not yet on disk): logged, not thrown.
    private static func syncDirectory(of path: String, logger: Logger) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else {
            logger.warning("Could not open the data directory to sync it", metadata: ["directory": "\(directory)"])
            return
        }
        if fsync(descriptor) != 0 {
            logger.warning("Could not sync the data directory", metadata: ["directory": "\(directory)"])
        }
        Glibc.close(descriptor)
    }
}

/// A connection that holds a SQLite file's exclusive lock from its start to its close
/// (locking mode EXCLUSIVE): no other connection can open the file meanwhile.
///
/// Errors name the file (`ServiceDatabaseError`), except a lock held by another connection,
/// which the initialiser throws as GRDB's `DatabaseError` (`isBusy`) for the caller to tell.
final class ExclusiveSQLiteConnection {
    private let queue: DatabaseQueue
    private let path: String

    /// - Parameter waiting: seconds to wait for the lock; nil fails at once (SQLITE_BUSY).
    init(path: String, waiting: TimeInterval?) throws {
        var configuration = GRDB.Configuration()
        configuration.busyMode = waiting.map { .timeout($0) } ?? .immediateError
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        self.path = path
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError where !error.isBusy {
            throw error.naming(path)
        }
        do {
            // The first write takes the exclusive lock, which locking mode EXCLUSIVE keeps.
            try queue.inDatabase { db in try db.inTransaction(.exclusive) { .commit } }
        } catch {
            do { try queue.close() } catch {}  // the failure to lock is what the caller needs
            if let error = error as? DatabaseError, !error.isBusy { throw error.naming(path) }
            throw error
        }
    }

    func read<T>(_ body: (any StorageTransaction) throws -> T) throws -> T {
        try named { try queue.inDatabase { db in try body(SQLiteTransaction(db, location: path)) } }
    }

    /// Runs `body` in one transaction with the file at `other` attached as `schema`, detached
    /// afterwards. The attached file's journal is kept in memory, so no side file of it is
    /// left (the swap renames it next); it is locked exclusively as this connection's own file.
    func withAttached<T>(_ other: String, as schema: String, _ body: (any StorageTransaction) throws -> T) throws -> T {
        try named {
            try queue.inDatabase { db in
                try db.execute(sql: "ATTACH DATABASE ? AS \(schema)", arguments: [other])
                let result: T
                do {
                    _ = try String.fetchOne(db, sql: "PRAGMA \(schema).journal_mode = MEMORY")
                    var value: T?
                    try db.inTransaction {
                        value = try body(SQLiteTransaction(db, location: other))
                        return .commit
                    }
                    result = value!
                } catch {
                    // The transaction's failure is what the caller needs; the connection closes next.
                    try? db.execute(sql: "DETACH DATABASE \(schema)")
                    throw error
                }
                try db.execute(sql: "DETACH DATABASE \(schema)")
                return result
            }
        }
    }

    /// Copies the write-ahead log into the file and leaves WAL mode for an in-memory rollback
    /// journal (journal mode MEMORY, on this connection; the file itself is then marked as not
    /// in WAL mode, and the service puts it back in WAL mode when it opens it). The `-wal` file
    /// is removed and the `-shm` file, of no use without it, too: the file then holds all of its
    /// state by itself. No journal file is made, so closing this connection later touches no
    /// file by name (after the swap, such a name would be the new file's). Only while holding
    /// the lock: no other connection can have the `-shm` file mapped.
    func standAlone() throws {
        let mode = try named { try queue.inDatabase { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = MEMORY") } }
        guard mode?.lowercased() == "memory" else {
            throw ReplayFailure(.swapRefused("\(path) could not leave WAL mode (journal mode \(mode ?? "unknown"))"))
        }
        for suffix in ["-wal", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            throw ReplayFailure(.swapRefused("\(path)\(suffix) is still there after leaving WAL mode"))
        }
        if FileManager.default.fileExists(atPath: path + "-shm") {
            try FileManager.default.removeItem(atPath: path + "-shm")
        }
    }

    func close() throws {
        try named { try queue.close() }
    }

    /// Closes, logging a failure: where the outcome (or the error to report) is already known.
    func closeLoggingFailure(logger: Logger) {
        do {
            try close()
        } catch {
            logger.warning("Closing a database failed", metadata: ["database": "\(path)", "error": "\(error)"])
        }
    }

    private func named<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw error.naming(path)
        }
    }
}

extension DatabaseError {
    /// Another connection holds the lock.
    var isBusy: Bool { resultCode == .SQLITE_BUSY || resultCode == .SQLITE_LOCKED }

    /// The error as an operator reads it, naming the file (SQLite's message, which may quote
    /// SQL, only in its debug description).
    func naming(_ path: String) -> ServiceDatabaseError {
        let kind: ServiceDatabaseError.Kind = switch resultCode {
        case .SQLITE_CORRUPT: .damaged
        case .SQLITE_NOTADB, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: .cannotOpen
        case .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR: .cannotWrite
        case .SQLITE_BUSY, .SQLITE_LOCKED: .unavailable
        default: .other
        }
        return ServiceDatabaseError(kind, path: path, sqliteCode: resultCode.rawValue, detail: message ?? "")
    }
}
