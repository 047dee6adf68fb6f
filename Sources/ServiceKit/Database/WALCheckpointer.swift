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
/// A `Mutex` guards two small fields touched once per commit; the checkpoint itself runs on a
/// serial dispatch queue because it blocks (file writes, fsync).
final class WALCheckpointer: Sendable {
    private struct State {
        var running = false
        var last: ContinuousClock.Instant
    }

    private let connection: DatabaseQueue
    private let interval: Duration
    private let queue = DispatchQueue(label: "reentrybus.servicekit.checkpoint")
    private let state: Mutex<State>
    /// A failed passive checkpoint only leaves the log longer (the next one retries), but a
    /// log that never shrinks is worth an alert: counted, per database file.
    private let failures: Counter

    init(path: String, interval: Duration = .seconds(1)) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
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
                try connection.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
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
}
