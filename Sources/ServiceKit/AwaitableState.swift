import Foundation

/// A value that changes on other threads (consumer tasks, rebalance callbacks, committed
/// batches), with a way to await a condition on it without polling. A wait ends early,
/// returning, when the waiting task is cancelled.
///
/// A lock rather than an actor: updates come from non-async code (callbacks on a client's
/// thread), and waiters are resumed after the lock is released.
public final class AwaitableState<State: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State
    private var waiters: [(id: UUID, ready: (State) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    public init(_ state: State) { self.state = state }

    public var value: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    public func update(_ change: (inout State) -> Void) {
        lock.lock()
        change(&state)
        let current = state
        var ready: [CheckedContinuation<Void, Never>] = []
        waiters.removeAll { waiter in
            guard waiter.ready(current) else { return false }
            ready.append(waiter.continuation)
            return true
        }
        lock.unlock()
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `ready(state)` holds (or the task is cancelled).
    public func wait(until ready: @escaping (State) -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                lock.lock()
                if ready(state) || Task.isCancelled {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiters.append((id, ready, continuation))
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let index = waiters.firstIndex { $0.id == id }
            let waiter = index.map { waiters.remove(at: $0) }
            lock.unlock()
            waiter?.continuation.resume()
        }
    }
}
