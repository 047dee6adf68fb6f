import Foundation
import Synchronization

/// A value that changes on other threads (consumer tasks, rebalance callbacks, committed
/// batches, a token's sign-out, shutdown), with a way to await a condition on it without
/// polling. A wait ends when an update makes its condition hold, at once when it already
/// holds, or, returning all the same, when the waiting task is cancelled.
///
/// A lock rather than an actor: updates come from non-async code (callbacks on a client's
/// thread). The value and the waits share the one lock, so a wait cannot slip in between an
/// update and the waking (it would then wait for ever); continuations are resumed after it is
/// released. A wait cancelled before it registered is remembered by its id so that it does not
/// register, and forgotten when the wait returns (its cancellation handler can run no more
/// then), so a cancellation that came just after the wait was woken leaves nothing behind.
public final class AwaitableState<State: Sendable>: Sendable {
    private struct Guarded {
        var state: State
        var waiters: [UUID: (ready: @Sendable (State) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
        var cancelled: Set<UUID> = []
    }

    private let guarded: Mutex<Guarded>

    public init(_ state: State) { guarded = Mutex(Guarded(state: state)) }

    public var value: State { guarded.withLock { $0.state } }

    /// Changes the value, then ends the waits whose condition now holds.
    @discardableResult
    public func update<Result>(_ change: (inout State) -> Result) -> Result {
        let (result, ready) = guarded.withLock { guarded -> (Result, [CheckedContinuation<Void, Never>]) in
            let result = change(&guarded.state)
            let current = guarded.state
            let ids = guarded.waiters.filter { $0.value.ready(current) }.map(\.key)
            return (result, ids.compactMap { guarded.waiters.removeValue(forKey: $0)?.continuation })
        }
        for continuation in ready { continuation.resume() }
        return result
    }

    /// Returns once `ready(value)` holds (at once if it holds now), or when the task is cancelled.
    public func wait(until ready: @escaping @Sendable (State) -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = guarded.withLock { guarded -> Bool in
                    if ready(guarded.state) || guarded.cancelled.remove(id) != nil { return true }
                    guarded.waiters[id] = (ready, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = guarded.withLock { guarded in
                let waiter = guarded.waiters.removeValue(forKey: id)
                if waiter == nil { guarded.cancelled.insert(id) }
                return waiter
            }
            waiter?.continuation.resume()
        }
        _ = guarded.withLock { $0.cancelled.remove(id) }
    }
}
