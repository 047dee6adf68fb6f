import CRdKafka
import Foundation

/// Messages as librdkafka returned them, not yet converted. Owned by whoever holds them: each
/// is destroyed exactly once, after conversion or when dropped.
struct RawMessages: @unchecked Sendable {
    var messages: [UnsafeMutablePointer<rd_kafka_message_t>]

    init(_ messages: [UnsafeMutablePointer<rd_kafka_message_t>]) {
        self.messages = messages
    }

    func destroyAll() {
        for message in messages { rd_kafka_message_destroy(message) }
    }
}

extension TopicPartition {
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.init(topic: String(cString: rd_kafka_topic_name(message.pointee.rkt)), partition: message.pointee.partition)
    }
}

/// The hand-over between a consumer's poll thread and the task iterating its messages.
///
/// The poll thread pushes librdkafka's messages as they are; the iterating task converts them
/// to `KafkaConsumerMessage` when it takes a batch, copying all keys and values of the batch
/// into one buffer (`KafkaBytes`). The copy is thus made on the thread that uses and later frees
/// it, which the allocator handles much faster than memory freed on another thread (measured:
/// 1 KiB messages at ~0.5 of the C baseline's consume rate when the poll thread converted them).
///
/// Bounded: the poll thread stops taking messages from librdkafka while `capacity` batches wait
/// (librdkafka then stops fetching once its own prefetch queue is full), so a slow service
/// slows the fetches instead of growing memory. It also knows whether the application is still
/// processing the batch it was last given ("in flight") — a batch counts as finished when the
/// application asks for the next one — which lets a revoke wait for that work to end before
/// the partitions are given away.
///
/// An `NSCondition` (lock + condition variable) because the poll thread must *block* while the
/// buffer is full or a batch is in flight. Conversion happens outside the lock, so the poll thread
/// keeps fetching meanwhile; `finish` (before the client is destroyed) waits for a conversion in
/// progress, so librdkafka's messages are never used after the client is gone.
final class ConsumerBuffer: @unchecked Sendable {
    typealias Batch = KafkaConsumerBatch

    private let condition = NSCondition()
    private let capacity: Int
    private let maxBatchSize: Int
    // Everything below is guarded by `condition`.
    private var batches: [RawMessages] = []
    private var waiting: CheckedContinuation<Void, Never>?
    private var inFlight = false
    private var finished: KafkaError?? = nil  // .some(nil): closed; .some(error): failed
    private var wakeRequested = false
    private var converting = false
    /// Used only by the one iterating task, outside the lock.
    private var converter: MessageConverter

    /// - Parameters:
    ///   - capacity: batches the poll thread may push ahead of the application.
    ///   - maxBatchSize: the most messages handed over at once (the poll thread's batches are
    ///     never larger, and several waiting ones are merged up to it).
    ///   - readsHeaders: whether messages are given their headers.
    init(capacity: Int, maxBatchSize: Int, readsHeaders: Bool = true) {
        self.capacity = max(1, capacity)
        self.maxBatchSize = max(1, maxBatchSize)
        // Batches in the buffer, the one converting and the one the application holds.
        converter = MessageConverter(buffers: BatchBufferPool(keeping: self.capacity + 2), readsHeaders: readsHeaders)
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

    func push(_ batch: RawMessages) {
        condition.lock()
        guard finished == nil else {
            condition.unlock()
            return batch.destroyAll()
        }
        batches.append(batch)
        let waiting = self.waiting
        self.waiting = nil
        condition.unlock()
        waiting?.resume()
    }

    /// Removes messages of revoked partitions that the application has not been given yet.
    func dropPending(of partitions: Set<TopicPartition>) {
        condition.lock()
        defer { condition.unlock() }
        batches = batches.compactMap { batch in
            var kept: [UnsafeMutablePointer<rd_kafka_message_t>] = []
            for message in batch.messages {
                if partitions.contains(TopicPartition(message)) {
                    rd_kafka_message_destroy(message)
                } else {
                    kept.append(message)
                }
            }
            return kept.isEmpty ? nil : RawMessages(kept)
        }
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
    /// destroyed (they were never processed, so their offsets were never stored). Call before
    /// the client is destroyed: librdkafka's messages must go first.
    func finish(_ error: KafkaError?) {
        condition.lock()
        while converting { condition.wait() }
        finished = .some(error)
        for batch in batches { batch.destroyAll() }
        batches = []
        let waiting = self.waiting
        self.waiting = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume()
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
        while true {
            switch take() {
            case .batch(let batch): return batch
            case .finished(let error?): throw error
            case .finished(nil): return nil
            case .empty:
                if Task.isCancelled { return nil }
                await waitForPush()
            }
        }
    }

    private enum Taken {
        case batch(Batch)
        case finished(KafkaError?)
        case empty
    }

    /// Marks the previous batch finished and takes (converting) the next, if any.
    ///
    /// Takes every waiting batch that fits in `maxBatchSize`, not just the oldest: an
    /// application that fell behind then catches up with one larger batch, paying its per-batch
    /// cost (a transaction, a flush) once, instead of working through small batches while new
    /// ones queue behind them (measured: arrest → inbox p50 ~55 ms with one fetch per batch).
    private func take() -> Taken {
        condition.lock()
        inFlight = false
        condition.broadcast()
        guard !batches.isEmpty, finished == nil else {
            defer { condition.unlock() }
            return finished.map { .finished($0) } ?? .empty
        }
        var raw = batches.removeFirst()
        while let next = batches.first, raw.messages.count + next.messages.count <= maxBatchSize {
            raw.messages.append(contentsOf: next.messages)
            batches.removeFirst()
        }
        inFlight = true
        converting = true
        condition.unlock()

        let batch = converter.convert(raw.messages)
        raw.destroyAll()

        condition.lock()
        converting = false
        condition.broadcast()
        condition.unlock()
        return .batch(batch)
    }

    /// Suspends until the poll thread pushes, the buffer finishes, or the task is cancelled.
    private func waitForPush() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                condition.lock()
                if !batches.isEmpty || finished != nil || Task.isCancelled {
                    condition.unlock()
                    continuation.resume()
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
            waiting?.resume()
        }
    }
}
