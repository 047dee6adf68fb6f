import Foundation
import Synchronization
import Timers

/// A clock a test moves by hand (the scheduler's, `SchedulerClock`): `sleep(until:)` returns once the test has advanced the time
/// to the deadline (or the task is cancelled).
public final class ManualSchedulerClock: SchedulerClock {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var nextId = 0
    }
    private let state: Mutex<State>

    public init(_ now: Date) { state = Mutex(State(now: now)) }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(until instant: Date) async throws {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled before this ran, the handler below found no sleeper to wake: seen
                // here under the same lock (the task is marked cancelled before its handler
                // runs), so a sleep that begins as graceful shutdown cancels it does not wait
                // forever. (A scheduler test hung so once, under load, in the full suite.)
                let outcome = state.withLock { state -> Result<Bool, CancellationError> in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.now >= instant { return .success(true) }
                    state.sleepers.append(Sleeper(id: id, deadline: instant, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(true): continuation.resume()
                case .success(false): break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the time to `instant` and wakes whoever waited for it.
    public func advance(to instant: Date) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = instant
            let due = state.sleepers.filter { $0.deadline <= instant }
            state.sleepers.removeAll { $0.deadline <= instant }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}

