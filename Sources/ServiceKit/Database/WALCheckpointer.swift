import Dispatch
import Foundation
import GRDB
import Metrics
import Synchronization

/// Copies a service database's write-ahead log into the database file on its own connection
/// and queue, so that no batch commit waits for it.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages:
/// that batch waits for the copy and an fsync (measured in the pipeline benchmark: a 12–20 ms
/// transaction every second or so, against ~4 ms for the others, one of the causes of the
/// arrest → inbox p99). Here the writer never checkpoints (`wal_autocheckpoint = 0`, set by
/// `ServiceDatabase`); after a commit, when none is running and the last one is at least
/// `interval` old, a *passive* checkpoint starts in the background. Passive: it never blocks the
/// writer or a reader and copies only pages no reader still needs; what it leaves, the next one
/// copies. SQLite checkpoints once more when the last connection closes.
///
/// Every 200 ms by default: a background checkpoint still costs the writers (the copy and its
/// fsync compete for the two cores and the disk), in proportion to the pages it copies.
/// `bench pipeline` at 1,000 arrests/s, six runs each on a quiet machine: every 1 s gave an
/// arrest → inbox p99 of 17.7–24.5 ms (p99.9 25–41), every 200 ms 17.0–18.0 ms (p99.9 20–22),
/// every 10 s (one large copy per run) 23–33 ms; the ~15 fsyncs a second it adds across the
/// services cost ~0.15 ms each on this disk.
///
/// A passive checkpoint alone lets the log grow without end under a steady stream of
/// commits: it copies the frames that were there when it began, the writer appends more
/// meanwhile, so the log is never wholly copied and SQLite never starts it over. A 60,000-event
/// `bench pipeline` replay left the router a 2 GB log beside a 430 MB database, every read
/// looking pages up in it (with a 64 MiB limit: 112 MB at the same point). So when a passive checkpoint leaves the log longer than
/// `restartAbovePages`, a `RESTART` checkpoint follows at once, on the writer's own queue
/// (`writer`): it runs between two of the writer's transactions, holds the next one while it
/// copies the few frames committed during the passive copy, and lets the next commit write the
/// log from its start. On the writer's queue because a writer without pauses (a replay: long
/// transactions back to back) leaves another connection no moment to take the write lock: a
/// restart taken on the checkpointer's connection waited with SQLite's busy handler (sleeping
/// up to 100 ms a try), rarely found the lock free, failed after its 10 s timeout, and held
/// back the passive checkpoints meanwhile; a 200,000-event `bench replay` left the views a
/// 1.4 GB log (344 MB with the restart on the writer's queue; its rate did not change, nor
/// with a 16 MiB limit: the log's length bounds the disk it takes, not the replay's pace).
///
/// A `Mutex` guards two small fields touched once per commit; the checkpoint itself runs on a
/// serial dispatch queue because it blocks (file writes, fsync, waiting for the writer).
final class WALCheckpointer: Sendable {
    private struct State {
        var running = false
        var last: ContinuousClock.Instant
    }

    private let connection: DatabaseQueue
    private let writer: any DatabaseWriter
    private let interval: Duration
    private let restartAbovePages: Int
    private let queue = DispatchQueue(label: "reentrybus.servicekit.checkpoint")
    private let state: Mutex<State>
    /// A failed checkpoint, or a restart that could not start the log over (a reader still
    /// on it), only leaves the log longer (the next one retries), but a log that never shrinks
    /// is worth an alert: counted, per database file.
    private let failures: Counter

    /// - Parameter restartAbovePages: the log length, in pages, past which the log is started
    ///   over (default 65,536: 128 MiB of 2 KiB pages, 256 MiB in a file made with 4 KiB).
    ///   High, because a restart holds commits: with 64 MiB, `bench pipeline`'s arrest → inbox
    ///   p99 ratio went from 1.41/1.55 to 1.63/1.59 (restarting the next checkpoint 200 ms later:
    ///   2.12/1.80). A log that long only comes of writes without a pause (a replay, a backlog);
    ///   with pauses a passive checkpoint copies all of it and SQLite starts it over by itself.
    ///   - writer: the service's writer, whose queue runs the restart.
    init(path: String, writer: any DatabaseWriter, interval: Duration = .milliseconds(200), restartAbovePages: Int = defaultRestartAbovePages) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.writer = writer
        self.interval = interval
        self.restartAbovePages = restartAbovePages
        state = Mutex(State(last: .now))
        failures = Counter(label: "reentrybus_wal_checkpoint_failures_total", dimensions: [("database", (path as NSString).lastPathComponent)])
    }

    /// Called after each commit: starts a checkpoint when one is due.
    func committed() {
        let start = state.withLock { state -> Bool in
            guard !state.running, ContinuousClock.now - state.last >= interval else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        queue.async { [self] in
            do {
                // Rows: busy, frames in the log, frames copied.
                let passive = try connection.writeWithoutTransaction { db in
                    try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
                let logPages: Int = passive?[1] ?? 0
                if logPages > restartAbovePages {
                    // Right after the passive copy: only the frames committed meanwhile are
                    // left to copy while the writer's next transaction waits.
                    let restart = try writer.writeWithoutTransaction { db in
                        try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(RESTART)")
                    }
                    let busy: Int = restart?[0] ?? 1
                    if busy != 0 { failures.increment() }
                }
            } catch {
                failures.increment()
            }
            state.withLock { state in
                state.running = false
                state.last = .now
            }
        }
    }

    /// The log length, in pages, past which a checkpoint starts the log over (128 MiB of
    /// 2 KiB pages, ``ServiceDatabase/defaultPageSize``).
    static let defaultRestartAbovePages = 65_536

    /// Waits for the checkpoint in flight, if any, and closes the connection (``ServiceDatabase/close()``).
    func close() throws {
        try queue.sync { try connection.close() }
    }

    /// Returns once the checkpoint started last, if any, has ended (tests).
    func waitForCheckpoint() {
        queue.sync {}
    }
}
