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
                let resumeNow = state.withLock { state -> Bool in
                    if state.now >= instant { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: instant, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
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

