import Foundation
import Synchronization

/// Graceful shutdown as the push channels see it: triggered once, it ends open streams and
/// stops the webhook dispatcher between deliveries, so the server does not wait on them.
public final class ShutdownSignal: Sendable {
    private struct State {
        var triggered = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<UUID> = []
    }

    private let state = Mutex(State())

    public init() {}

    public var isTriggered: Bool { state.withLock { $0.triggered } }

    /// Ends every wait, now and later.
    public func trigger() {
        let waiters = state.withLock { state in
            state.triggered = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once triggered, or when the task is cancelled.
    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.triggered || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.cancelled.insert(id) }
                return waiter
            }
            waiter?.resume()
        }
        // A cancellation that came after the wait was resumed (and found no waiter) left its id
        // behind for a wait that will never come: forget it (the handler runs no more now).
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    /// Waits `duration` or until triggered, whichever comes first; true when triggered.
    func wait(upTo duration: Duration) async -> Bool {
        if isTriggered { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                do { try await Task.sleep(for: duration) } catch { return }
            }
            await group.next()
            group.cancelAll()
        }
        return isTriggered
    }
}
