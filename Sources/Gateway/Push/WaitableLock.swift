import Foundation
import Synchronization

/// A value behind a lock, and the tasks waiting for it to change: each wait ends when an update
/// wakes it, at once when the value says it is already over, or when its task is cancelled.
/// What `TokenRevocations` (a stream waits for its token's sign-out) and `ShutdownSignal` (the
/// push channels wait for shutdown) are built on.
///
/// The value and the waits share one lock, so a wait cannot slip in between an update and the
/// waking (it would then wait for ever). Continuations are resumed outside the lock. A wait
/// cancelled before it registered is remembered by its id so it does not register; that id is
/// forgotten when the wait returns (the cancellation handler can run no more then), so a
/// cancellation that came just after the wait was woken leaves nothing behind.
final class WaitableLock<Value: Sendable, Tag: Sendable>: Sendable {
    private struct State {
        var value: Value
        var waiting: [UUID: (tag: Tag, continuation: CheckedContinuation<Void, Never>)] = [:]
        var cancelled: Set<UUID> = []
    }

    private let state: Mutex<State>

    init(_ value: Value) {
        state = Mutex(State(value: value))
    }

    /// Reads or changes the value, waking no one.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        state.withLock { body(&$0.value) }
    }

    /// Changes the value, then ends the waits whose tag `wake` accepts (under the same lock).
    func update<Result>(_ body: (inout Value) -> Result, waking wake: (Tag) -> Bool) -> Result {
        let (result, woken) = state.withLock { state -> (Result, [CheckedContinuation<Void, Never>]) in
            let result = body(&state.value)
            let ids = state.waiting.filter { wake($0.value.tag) }.map(\.key)
            return (result, ids.compactMap { state.waiting.removeValue(forKey: $0)?.continuation })
        }
        for continuation in woken { continuation.resume() }
        return result
    }

    /// Returns once an update wakes `tag` (at once if `isOver` holds for the value now), or
    /// when the task is cancelled.
    func wait(_ tag: Tag, unlessAlready isOver: (Value) -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if isOver(state.value) || state.cancelled.remove(id) != nil { return true }
                    state.waiting[id] = (tag, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiting.removeValue(forKey: id)
                if waiter == nil { state.cancelled.insert(id) }
                return waiter
            }
            waiter?.continuation.resume()
        }
        // A cancellation that came after the wait was resumed (and found no waiter) left its id
        // behind for a wait that will never come: forget it (the handler runs no more now).
        _ = state.withLock { $0.cancelled.remove(id) }
    }
}
