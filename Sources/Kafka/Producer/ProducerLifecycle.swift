/// A producer's lifecycle: running, draining (shutdown delivers what was accepted), closed.
///
/// Held behind the producer's one lock; the producer asks it before each use of the handle and
/// performs what its transitions return outside the lock. A pure value: tests drive it alone.
struct ProducerLifecycle: Equatable {
    enum State: Equatable {
        /// Accepting messages.
        case running
        /// `shutdown()` began: no new messages; what was accepted is being delivered.
        case draining
        /// Delivered or purged; the poll thread stops and destroys the handle.
        case closed
    }
    private(set) var state = State.running

    /// Whether a message may be enqueued (and the handle used by a sender).
    var acceptsMessages: Bool { state == .running }
    /// Whether `flush` has anything to wait for (the handle is still there).
    var mayFlush: Bool { state != .closed }
    /// Whether the poll thread goes on serving reports.
    var pollThreadContinues: Bool { state != .closed }

    enum ShutdownAction: Equatable {
        /// The first shutdown: wake waiting senders, flush (purging after the timeout), then
        /// call `drained()` and wait for the poll thread.
        case drain
        /// Another shutdown is, or was, under way: only wait for the poll thread to end.
        case waitForPollThread
    }

    mutating func shutdown() -> ShutdownAction {
        guard state == .running else { return .waitForPollThread }
        state = .draining
        return .drain
    }

    /// Every accepted message has its report (delivered or purged).
    mutating func drained() {
        state = .closed
    }

    /// The producer was released without `shutdown()`: returns true when that loses messages'
    /// reports (it was not closed), and closes, so the poll thread ends.
    mutating func releasedWithoutShutdown() -> Bool {
        defer { state = .closed }
        return state != .closed
    }
}
