import Foundation

/// Tells the producer's poll thread whether anyone is waiting for delivery reports now.
///
/// A `send`, a flush, a sender waiting for queue room or a batch waiting for its last reports
/// make reports urgent: the thread then serves each as it arrives. While messages are in flight
/// but nobody waits (a large batch still being enqueued), the thread instead serves reports in
/// bulk every few milliseconds; waking for each report's arrival costs a context switch per
/// produce response, which on a busy machine takes CPU from the enqueueing task and the
/// brokers. An `NSCondition` because the poll thread blocks on it.
final class DeliveryUrgency: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting = 0  // guarded by condition

    var isUrgent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return waiting > 0
    }

    /// Marks the duration of `body` as waiting for reports.
    func during<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        begin()
        defer { end() }
        return try await body()
    }

    func begin() {
        condition.lock()
        waiting += 1
        condition.broadcast()
        condition.unlock()
    }

    func end() {
        condition.lock()
        waiting -= 1
        condition.unlock()
    }

    /// Blocks the poll thread for up to `timeout`, returning early when reports become urgent.
    func waitWhileNotUrgent(timeout: Duration) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while waiting == 0 {
            if !condition.wait(until: deadline) { return }
        }
    }
}
