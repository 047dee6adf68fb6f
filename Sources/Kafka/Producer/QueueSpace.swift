import Synchronization

/// Lets senders wait, without blocking a thread, for room in librdkafka's bounded local queue.
///
/// A sender reads `generation`, tries to enqueue, and on "queue full" waits for a generation
/// newer than the one it read; the poll thread advances the generation each time it has served
/// delivery reports (each frees room). Comparing generations rules out the lost wake-up of a
/// report served between the failed attempt and the wait. A wait ends early when its task is
/// cancelled. The state is `QueueSpaceState`, behind one lock.
final class QueueSpace: Sendable {
    private let state = Mutex(QueueSpaceState<CheckedContinuation<Void, Never>>())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called by the poll thread after it served events, and on shutdown.
    func advance() {
        for waiter in state.withLock({ $0.advance() }) { waiter.resume() }
    }

    var hasWaiters: Bool { state.withLock { $0.hasWaiters } }

    /// How many times a sender had to wait for room (diagnostics; tests read it).
    var waits: Int { state.withLock { $0.waits } }

    /// Returns once the generation has moved past `seen`, or the task is cancelled.
    func wait(after seen: UInt64) async {
        let id = state.withLock { $0.makeWaiterID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let action = state.withLock { $0.wait(id: id, after: seen, continuation) }
                if case .resume = action { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.cancel(id: id) }?.resume()
        }
        state.withLock { $0.forget(id: id) }
    }
}

/// The waiters for queue room and the generation they wait past. Generic over the waiter so
/// tests drive every transition with plain values.
struct QueueSpaceState<Waiter> {
    private(set) var generation: UInt64 = 0
    private var waiters: [(id: UInt64, waiter: Waiter)] = []
    /// Waits cancelled before they were registered: they end at once when they arrive.
    private var cancelledEarly: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private(set) var waits = 0

    var hasWaiters: Bool { !waiters.isEmpty }

    mutating func makeWaiterID() -> UInt64 {
        defer { nextID &+= 1 }
        return nextID
    }

    /// Room was freed: every waiter is to be resumed.
    mutating func advance() -> [Waiter] {
        generation &+= 1
        defer { waiters.removeAll(keepingCapacity: true) }
        return waiters.map(\.waiter)
    }

    enum WaitAction {
        /// Resume the waiter now (room was freed since `seen`, or the wait was cancelled).
        case resume
        /// The waiter is kept until `advance` or `cancel`.
        case suspend
    }

    mutating func wait(id: UInt64, after seen: UInt64, _ waiter: Waiter) -> WaitAction {
        if cancelledEarly.remove(id) != nil || generation != seen { return .resume }
        waits += 1
        waiters.append((id, waiter))
        return .suspend
    }

    /// The waiting task was cancelled: returns its waiter to resume, if it is waiting.
    mutating func cancel(id: UInt64) -> Waiter? {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            return waiters.remove(at: index).waiter
        }
        cancelledEarly.insert(id)
        return nil
    }

    /// The wait with this id is over: a cancellation that came after it is forgotten.
    mutating func forget(id: UInt64) {
        cancelledEarly.remove(id)
    }
}
