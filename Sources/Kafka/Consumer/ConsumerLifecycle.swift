import Logging
import Foundation

/// A consumer's lifecycle: running (the application's commands queue for the poll thread),
/// closing (close requested; no new commands), closed (the handle may no longer be used).
///
/// Held behind one lock shared by the consumer and its poll thread; transitions return what to
/// do (run these commands, fail those, wake the thread), done outside the lock. Generic over the
/// command so tests drive it with plain values.
struct ConsumerLifecycle<Command> {
    fileprivate enum State {
        case running(commands: [Command])
        case closing(commands: [Command])
        case closed
    }
    private var state = State.running(commands: [])

    /// Whether the handle may still be used (offsets stored, partitions paused). True while
    /// closing: offsets stored then are committed by the close.
    var mayUseHandle: Bool {
        if case .closed = state { false } else { true }
    }

    var isClosingOrClosed: Bool {
        if case .running = state { false } else { true }
    }

    /// Queues a command for the poll thread; false (fail it) once close was requested.
    mutating func submit(_ command: Command) -> Bool {
        guard case .running(var commands) = state else { return false }
        commands.append(command)
        state = .running(commands: commands)
        return true
    }

    /// Asks the poll thread to close; returns whether to wake it (false once closed). Safe to
    /// call any number of times.
    mutating func requestClose() -> Bool {
        switch state {
        case .running(let commands):
            state = .closing(commands: commands)
            return true
        case .closing:
            return true
        case .closed:
            return false
        }
    }

    /// For the poll thread, each round: the commands to run now, and whether to close after.
    mutating func nextRound() -> (commands: [Command], close: Bool) {
        switch state {
        case .running(let commands):
            state = .running(commands: [])
            return (commands, false)
        case .closing(let commands):
            state = .closing(commands: [])
            return (commands, true)
        case .closed:
            return ([], true)
        }
    }

    /// The poll thread has left the group (or given up on it): returns the commands that
    /// arrived meanwhile, to fail.
    mutating func closed() -> [Command] {
        defer { state = .closed }
        switch state {
        case .running(let commands), .closing(let commands): return commands
        case .closed: return []
        }
    }
}

/// Who destroys a consumer's handle once librdkafka's consumer close runs on a thread of its own:
/// the poll thread, if the close returned within the bound; the closing thread itself, if the
/// poll thread gave up waiting (the handle must not be destroyed while the close still runs).
struct ConsumerCloseHandoff: Equatable {
    enum State: Equatable {
        case closing
        /// The close returned in time.
        case left
        /// The poll thread stopped waiting.
        case abandoned
    }
    private(set) var state = State.closing

    enum Destroyer: Equatable {
        case pollThread
        case closingThread
    }

    /// The closing thread's close returned: returns who destroys the handle.
    mutating func closeReturned() -> Destroyer {
        guard state == .closing else { return .closingThread }
        state = .left
        return .pollThread
    }

    /// The poll thread is done waiting (in time or not): returns who destroys the handle.
    mutating func pollThreadDone() -> Destroyer {
        guard state == .closing else { return .pollThread }
        state = .abandoned
        return .closingThread
    }
}

/// A `ConsumerCloseHandoff` behind a condition the poll thread waits on with a deadline.
final class ConsumerCloseWait: @unchecked Sendable {
    private let condition = NSCondition()
    private var handoff = ConsumerCloseHandoff()  // guarded by condition

    /// Blocks until the close returned or `timeout` passed; true if it returned.
    func waitForClose(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while handoff.state == .closing {
            if !condition.wait(until: deadline) { break }
        }
        return handoff.state == .left
    }

    func closeReturned() -> ConsumerCloseHandoff.Destroyer {
        condition.lock()
        defer { condition.unlock() }
        condition.broadcast()
        return handoff.closeReturned()
    }

    func pollThreadDone() -> ConsumerCloseHandoff.Destroyer {
        condition.lock()
        defer { condition.unlock() }
        return handoff.pollThreadDone()
    }
}

extension ConsumerCloseWait {
    /// Runs `closing` (the blocking part of closing a polling client: commit and leave the
    /// group, or stop the fetchers) on a thread of its own named `threadName`, and waits for it
    /// up to `timeout`. Past it the thread is abandoned: it destroys `client` itself if its
    /// close ever returns (`lateNotice` is logged then). Returns the wait, whose
    /// ``pollThreadDone()`` the poll thread calls last, and whether the close returned in time.
    ///
    /// The consumer and the topic reader close alike through it: a close that hangs on an
    /// unreachable broker must neither block shutdown nor free a handle still in use.
    static func closeBounded(
        _ client: RDKafkaClient, threadName: String, timeout: Duration, logger: Logger, lateNotice: Logger.Message,
        closing: @escaping @Sendable () -> Void
    ) -> (wait: ConsumerCloseWait, returnedInTime: Bool) {
        let wait = ConsumerCloseWait()
        _ = DedicatedThread(name: threadName) {
            closing()
            if wait.closeReturned() == .closingThread {
                logger.notice(lateNotice)
                client.destroy()
            }
        }
        return (wait, wait.waitForClose(timeout: timeout))
    }
}

extension ConsumerLifecycle: Sendable where Command: Sendable {}
extension ConsumerLifecycle.State: Sendable where Command: Sendable {}
