import Foundation

/// Where the scheduler reads the time and how it waits for the next minute. The wall clock
/// (`WallClock`) in production; tests inject a clock they move by hand, so a test of an hour of
/// ticks takes no hour.
public protocol SchedulerClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Returns at `instant` or later. Throws `CancellationError` when the task is cancelled
    /// first (graceful shutdown cancels the wait, never a send).
    func sleep(until instant: Date) async throws
}

/// The system's wall clock: `Date()`, and `Task.sleep` until the instant.
public struct WallClock: SchedulerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until instant: Date) async throws {
        let seconds = instant.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
