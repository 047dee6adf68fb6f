import Foundation
import Synchronization

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
    /// Batch senders in their enqueue loop, serving reports themselves every few hundred
    /// messages (`KafkaProducer.serveReportsWithoutWaiting`).
    private let serving = Atomic<Int>(0)

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

    /// Whether a batch sender serves reports now: the poll thread then leaves non-urgent ones to
    /// it, since a message copy freed on a thread other than the one that allocated it costs the
    /// allocator more (perf: about half of the poll thread's time went to `_int_free`).
    var sendersServe: Bool { serving.load(ordering: .relaxed) > 0 }

    func beginServing() { serving.wrappingAdd(1, ordering: .relaxed) }
    func endServing() { serving.wrappingSubtract(1, ordering: .relaxed) }

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
