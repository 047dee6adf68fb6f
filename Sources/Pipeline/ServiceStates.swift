import Synchronization

/// Where each service of an application is in its lifetime, as its `SupervisedService` reports
/// it: what `Application.run()` reads to say which services did not stop by the shutdown
/// deadline, and what `reentrybus` names when it has to exit without them.
final class ServiceStates: Sendable {
    enum Phase: Sendable, Equatable {
        case notStarted
        case running
        /// Asked to stop gracefully, not yet stopped.
        case stopping
        case stopped
        case failed
        /// Cancelled while running, before being asked to stop.
        case cancelledUnasked
        /// Cancelled after being asked to stop and before stopping: it missed the deadline.
        case cancelledWhileStopping
    }

    private struct State {
        var names: [String] = []
        var phases: [String: Phase] = [:]
        /// Services whose `run()` returned or threw.
        var ended: Set<String> = []
        var shutdownBegan: ContinuousClock.Instant?
        var shutdownBeganActions: [@Sendable () -> Void] = []
        var allStarted = false
        var allStartedActions: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    func register(_ name: String) {
        state.withLock { state in
            state.names.append(name)
            state.phases[name] = .notStarted
        }
    }

    /// When the last registered service starts, the `onAllStarted` actions run.
    func started(_ name: String) {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            state.phases[name] = .running
            guard !state.allStarted, state.phases.values.allSatisfy({ $0 != .notStarted }) else { return [] }
            state.allStarted = true
            defer { state.allStartedActions = [] }
            return state.allStartedActions
        }
        for action in actions { action() }
    }

    /// Runs `action` once every registered service has started (at once if they have).
    func onAllStarted(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.allStarted { return true }
            state.allStartedActions.append(action)
            return false
        }
        if now { action() }
    }

    /// The first request to stop is the start of graceful shutdown: the deadline runs from it.
    func stopRequested(_ name: String) {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            if state.phases[name] == .running { state.phases[name] = .stopping }
            guard state.shutdownBegan == nil else { return [] }
            state.shutdownBegan = .now
            defer { state.shutdownBeganActions = [] }
            return state.shutdownBeganActions
        }
        for action in actions { action() }
    }

    /// Called by the cancellation handler, at the moment of cancellation: what the service was
    /// doing then is what counts.
    func cancelled(_ name: String) {
        state.withLock { state in
            switch state.phases[name] {
            case .running, .notStarted: state.phases[name] = .cancelledUnasked
            case .stopping: state.phases[name] = .cancelledWhileStopping
            default: break
            }
        }
    }

    /// The service's `run()` returned (`failed` false) or threw. A service that was cancelled
    /// keeps that phase: it ended because of the cancellation.
    func ended(_ name: String, failed: Bool) {
        state.withLock { state in
            state.ended.insert(name)
            switch state.phases[name] {
            case .cancelledUnasked, .cancelledWhileStopping: break
            default: state.phases[name] = failed ? .failed : .stopped
            }
        }
    }

    /// Runs `action` once graceful shutdown begins (at once if it has begun).
    func onShutdownBegan(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.shutdownBegan != nil { return true }
            state.shutdownBeganActions.append(action)
            return false
        }
        if now { action() }
    }

    var shutdownBegan: ContinuousClock.Instant? { state.withLock { $0.shutdownBegan } }

    /// Names in registration order with their phase.
    var phases: [(name: String, phase: Phase)] {
        state.withLock { state in state.names.map { ($0, state.phases[$0] ?? .notStarted) } }
    }

    /// Services whose `run()` has not returned: running, stopping, or cancelled and still busy.
    var unfinished: [String] {
        state.withLock { state in state.names.filter { !state.ended.contains($0) } }
    }

}
