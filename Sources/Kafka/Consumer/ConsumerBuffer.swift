import Foundation

/// The hand-over between a consumer's poll thread and the task iterating its messages.
///
/// Bounded: the poll thread stops taking messages from librdkafka while `capacity` batches wait
/// (librdkafka then stops fetching once its own prefetch queue is full), so a slow service
/// slows the fetches instead of growing memory. It also knows whether the application is still
/// processing the batch it was last given ("in flight") — a batch counts as finished when the
/// application asks for the next one — which lets a revoke wait for that work to end before
/// the partitions are given away.
///
/// An `NSCondition` (lock + condition variable) because the poll thread must *block* while the
/// buffer is full or a batch is in flight; async callers only take the lock briefly.
final class ConsumerBuffer: @unchecked Sendable {
    typealias Batch = [KafkaConsumerMessage]

    private let condition = NSCondition()
    private let capacity: Int
    // Everything below is guarded by `condition`.
    private var batches: [Batch] = []
    private var waiting: CheckedContinuation<Result<Batch?, KafkaError>, Never>?
    private var inFlight = false
    private var finished: KafkaError?? = nil  // .some(nil): closed; .some(error): failed
    private var wakeRequested = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Poll thread

    /// Blocks until there is room for another batch, `wake()` was called, or `timeout` passed.
    /// Returns true when there is room.
    func waitForRoom(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while batches.count >= capacity && !wakeRequested {
            if !condition.wait(until: deadline) { break }
        }
        wakeRequested = false
        return batches.count < capacity
    }

    func push(_ batch: Batch) {
        condition.lock()
        if let waiting {
            self.waiting = nil
            inFlight = true
            condition.unlock()
            waiting.resume(returning: .success(batch))
        } else {
            batches.append(batch)
            condition.unlock()
        }
    }

    /// Removes messages of revoked partitions that the application has not been given yet.
    func dropPending(of partitions: Set<TopicPartition>) {
        condition.lock()
        defer { condition.unlock() }
        batches = batches.map { $0.filter { !partitions.contains($0.topicPartition) } }.filter { !$0.isEmpty }
    }

    /// Blocks until the application has finished the batch it holds, or `timeout` passed.
    /// Returns false on timeout.
    func waitUntilIdle(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while inFlight {
            if !condition.wait(until: deadline) { return !inFlight }
        }
        return true
    }

    /// Ends the sequence: a waiting iterator gets nil (or the error), buffered batches are
    /// discarded (they were never processed, so their offsets were never stored).
    func finish(_ error: KafkaError?) {
        condition.lock()
        finished = .some(error)
        batches = []
        let waiting = self.waiting
        self.waiting = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    /// Interrupts `waitForRoom`, so the poll thread can run a command or close.
    func wake() {
        condition.lock()
        wakeRequested = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: Application

    /// Marks the batch in flight as finished (for `close()`, which ends processing).
    func acknowledge() {
        condition.lock()
        inFlight = false
        condition.broadcast()
        condition.unlock()
    }

    /// Finishes the previous batch and returns the next, suspending until there is one.
    func next() async throws(KafkaError) -> Batch? {
        let result: Result<Batch?, KafkaError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                condition.lock()
                inFlight = false
                condition.broadcast()
                if !batches.isEmpty {
                    let batch = batches.removeFirst()
                    inFlight = true
                    condition.unlock()
                    continuation.resume(returning: .success(batch))
                } else if let finished {
                    condition.unlock()
                    continuation.resume(returning: finished.map { .failure($0) } ?? .success(nil))
                } else if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: .success(nil))
                } else {
                    precondition(waiting == nil, "a consumer's messages are iterated by one task at a time")
                    waiting = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiting = self.waiting
            self.waiting = nil
            condition.unlock()
            waiting?.resume(returning: .success(nil))
        }
        return try result.get()
    }
}
