import Synchronization

/// Blocking calls that use a producer's handle from a thread of their own (transactional calls,
/// the cluster id), so that `shutdown()` lets them return before the poll thread destroys the
/// handle.
///
/// A call enters while holding the lifecycle lock, in the same critical section that checked
/// the producer still runs: a shutdown that begins afterwards is then sure to see it.
final class BlockingCallsInFlight: Sendable {
    private let state = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    func enter() {
        state.withLock { $0.count += 1 }
    }

    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no call is in flight.
    func idle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.count == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
