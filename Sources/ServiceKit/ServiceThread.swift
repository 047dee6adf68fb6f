import Foundation
import Synchronization

/// A thread of a service's own, on which its batch loop runs (as the task executor its tasks
/// prefer), so that the loop may block it: a batch's SQLite transaction runs right there
/// (``ServiceDatabase/writeBlocking(_:)``) instead of hopping to the database's thread and back.
///
/// Why a thread and not Swift's cooperative pool: the pool has one thread per core, shared by
/// every task of the process, and a write that waits for the disk would hold one of them
/// (a test process of many services once stalled for two minutes that way, 4485fde). Why not
/// the database's own queue: each hop there and back is a sleep and a wake-up of two threads,
/// which cost a service keeping up with a few events a batch more than its transaction
/// (`bench pipeline`'s trace, 2026-12-02). Here a batch wakes this thread once.
///
/// Jobs run one at a time, in the order they were enqueued. After ``finish()`` the thread
/// ends once its queue is empty, and jobs enqueued later run on Swift's global executor, so a
/// task that still prefers this executor is never stranded.
///
/// The queue is guarded by an `NSCondition` (a lock and the condition the thread sleeps on);
/// it is held only to move a job in or out, never while a job runs.
public final class ServiceThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    /// Guarded by `condition`: the index of the next job to run in `jobs`.
    private var next = 0
    /// Guarded by `condition`.
    private var finishing = false
    /// Set once by the thread itself before it runs any job.
    private let threadID = Mutex<pthread_t?>(nil)
    /// Whether the thread has ended: set and read with `condition` held (so no job is queued
    /// after it), awaitable for ``waitUntilEnded()``.
    private let ended = AwaitableState(false)

    /// Starts the thread, named `name` (seen in `top -H`, `/proc/…/task/…/comm` and profiles;
    /// Linux keeps the first 15 bytes of an ASCII name).
    public init(name: String) {
        Thread { [self] in run(named: name) }.start()
    }

    /// Whether the caller runs on this thread: the only place ``ServiceDatabase/writeBlocking(_:)``
    /// is meant for.
    public var isCurrent: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        if ended.value {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(UnownedJob(job))
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs queued so far have run; later jobs go to the global
    /// executor. Call it when the service's loop has returned.
    public func finish() {
        condition.lock()
        finishing = true
        condition.signal()
        condition.unlock()
    }

    /// Returns once the thread has ended (after ``finish()``, its queue empty).
    public func waitUntilEnded() async {
        await ended.wait { $0 }
    }

    private func run(named name: String) {
        Self.nameCallingThread(name)
        threadID.withLock { $0 = pthread_self() }
        let executor = asUnownedTaskExecutor()
        while let job = nextJob() {
            job.runSynchronously(on: executor)
        }
    }

    /// Gives the calling thread the system name `name` (first 15 bytes), for `top -H`, `perf`
    /// and `/proc`: Foundation's `Thread.name` does not reach the system on Linux, and a new
    /// thread inherits its creator's (a cooperative thread's). Writing the thread's `comm` file
    /// is the system's own way; a failure only leaves the inherited name.
    private static func nameCallingThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The next job, waiting for one; nil once finishing with nothing left (the thread ends).
    private func nextJob() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while next == jobs.count {
            if finishing {
                ended.update { $0 = true }
                return nil
            }
            // Reuse the array's storage rather than letting it grow with every job ever run.
            jobs.removeAll(keepingCapacity: true)
            next = 0
            condition.wait()
        }
        defer { next += 1 }
        return jobs[next]
    }
}
