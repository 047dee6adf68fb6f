import Synchronization

/// Lets senders wait, without blocking a thread, for room in librdkafka's bounded local queue.
///
/// A sender reads `generation`, tries to enqueue, and on "queue full" waits for a generation
/// newer than the one it read; the poll thread advances the generation each time it has served
/// delivery reports (each frees room). Comparing generations rules out the lost wake-up of a
/// report served between the failed attempt and the wait.
final class QueueSpace: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var waits = 0
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called by the poll thread after it served events, and on shutdown.
    func advance() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// How many times a sender had to wait for room (for tests and diagnostics).
    var waits: Int { state.withLock { $0.waits } }

    /// Returns once the generation has moved past `seen`.
    func wait(after seen: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let moved = state.withLock { state in
                if state.generation != seen { return true }
                state.waits += 1
                state.waiters.append(continuation)
                return false
            }
            if moved { continuation.resume() }
        }
    }
}
