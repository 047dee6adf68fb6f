import Synchronization

/// Callers of `flush` waiting for the producer's queue to empty. The poll thread checks them
/// after every poll (at least every 100 ms), so a flush ends at most one poll after the last
/// delivery report, or at its deadline.
final class FlushWaiters: Sendable {
    private struct Waiter {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }
    private let waiters = Mutex<[Waiter]>([])

    /// True once the queue is empty; false if `deadline` came first.
    func wait(deadline: ContinuousClock.Instant, queueLength: @Sendable () -> Int) async -> Bool {
        if queueLength() == 0 { return true }
        return await withCheckedContinuation { continuation in
            waiters.withLock { $0.append(Waiter(deadline: deadline, continuation: continuation)) }
        }
    }

    func check(queueLength: @autoclosure () -> Int) {
        let ready: [(CheckedContinuation<Bool, Never>, Bool)] = waiters.withLock { waiters in
            guard !waiters.isEmpty else { return [] }
            let drained = queueLength() == 0
            let now = ContinuousClock.now
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            waiters.removeAll { waiter in
                guard drained || waiter.deadline <= now else { return false }
                ready.append((waiter.continuation, drained))
                return true
            }
            return ready
        }
        for (continuation, drained) in ready { continuation.resume(returning: drained) }
    }
}
