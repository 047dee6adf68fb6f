import Foundation
import Synchronization

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
/// The state is one value, `ConsumerBufferState`, whose transitions say what to do (resume the
/// iterating task, destroy messages); this class performs that outside the lock. The lock is an
/// `NSCondition` (lock + condition variable) because the poll thread must *block* while the
/// buffer is full or a batch is in flight. Conversion happens outside the lock, so the poll thread
/// keeps fetching meanwhile; `finish` (before the client is destroyed) waits for a conversion in
/// progress, so librdkafka's messages are never used after the client is gone.
final class ConsumerBuffer: @unchecked Sendable {
    typealias Batch = KafkaConsumerBatch

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var state: ConsumerBufferState<RawMessages, CheckedContinuation<Void, Never>>
    /// Used only by the one iterating task, outside the lock.
    private var converter: MessageConverter
    /// A topic reader's: told what the application is handed and when it has finished it.
    private let progress: ReaderProgress?

    /// - Parameters:
    ///   - capacity: batches the poll thread may push ahead of the application.
    ///   - maxBatchSize: the most messages handed over at once (the poll thread's batches are
    ///     never larger, and several waiting ones are merged up to it).
    ///   - readsHeaders: whether messages are given their headers.
    ///   - progress: a topic reader's progress, kept as batches are handed out and finished.
    init(capacity: Int, maxBatchSize: Int, readsHeaders: Bool = true, progress: ReaderProgress? = nil) {
        state = ConsumerBufferState(capacity: capacity, maxBatchSize: maxBatchSize)
        // Batches in the buffer, the one converting and the one the application holds.
        converter = MessageConverter(buffers: BatchBufferPool(keeping: state.capacity + 2), readsHeaders: readsHeaders)
        self.progress = progress
    }

    private func withLock<Result>(_ body: (inout ConsumerBufferState<RawMessages, CheckedContinuation<Void, Never>>) -> Result) -> Result {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }

    // MARK: Poll thread

    /// Blocks until there is room for another batch, `wake()` was called, or `timeout` passed.
    /// Returns true when there is room.
    func waitForRoom(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while !state.mayStopWaitingForRoom {
            if !condition.wait(until: deadline) { break }
        }
        return state.endWaitForRoom()
    }

    func push(_ batch: RawMessages) {
        switch withLock({ $0.push(batch) }) {
        case .resume(let waiter): waiter?.resume()
        case .discard(let batch): batch.destroyAll()
        }
    }

    /// Removes messages of revoked partitions that the application has not been given yet.
    func dropPending(of partitions: Set<TopicPartition>) {
        withLock { $0.dropPending { $0.removing(partitions) } }
    }

    /// Blocks until the application has finished the batch it holds, or `timeout` passed.
    /// Returns false on timeout.
    func waitUntilIdle(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        while state.inFlight {
            if !condition.wait(until: deadline) { return !state.inFlight }
        }
        return true
    }

    /// Ends the sequence: a waiting iterator gets nil (or the error), buffered batches are
    /// destroyed (they were never processed, so their offsets were never stored). Call before
    /// the client is destroyed: librdkafka's messages must go first. Later calls do nothing.
    func finish(_ error: KafkaError?) {
        condition.lock()
        while state.converting { condition.wait() }
        let (discarded, waiter) = state.finish(error)
        condition.broadcast()
        condition.unlock()
        for batch in discarded { batch.destroyAll() }
        waiter?.resume()
    }

    /// Interrupts `waitForRoom`, so the poll thread can run a command or close.
    func wake() {
        condition.lock()
        state.wake()
        condition.broadcast()
        condition.unlock()
    }

    // MARK: Application

    /// Marks the batch in flight as finished (for `close()`, which ends processing).
    func acknowledge() {
        condition.lock()
        state.acknowledge()
        condition.broadcast()
        condition.unlock()
    }

    /// Finishes the previous batch and returns the next, suspending until there is one.
    /// Fails with `.invalidUse` when another task is already waiting on this consumer.
    func next() async throws(KafkaError) -> Batch? {
        while true {
            let action = take()
            progress?.finishBatch()
            switch action {
            case .convert(let raw):
                // Nothing to hand over when only ends of partitions were taken.
                if let batch = convert(raw) { return batch }
            case .finished(let error?): throw error
            case .finished(nil): return nil
            case .empty:
                if Task.isCancelled { return nil }
                if let misuse = await waitForPush() { throw misuse }
            }
        }
    }

    /// Converts taken messages outside the lock (the poll thread keeps fetching meanwhile),
    /// then lets a waiting `finish` go on. Returns nil when there were no messages (only ends
    /// of partitions, which a reader's progress takes as finished at once).
    private func convert(_ raw: RawMessages) -> Batch? {
        let batch = raw.messages.isEmpty ? nil : converter.convert(raw.messages)
        raw.destroyAll()
        condition.lock()
        state.converted()
        condition.broadcast()
        condition.unlock()
        if let progress {
            var reached = batch?.nextOffsets ?? [:]
            reached.merge(raw.ends) { max($0, $1) }
            if batch == nil { progress.reach(reached) } else { progress.handOut(reached) }
        }
        return batch
    }

    /// Marks the previous batch finished and takes the next (merged up to `maxBatchSize`) to
    /// convert outside the lock.
    private func take() -> ConsumerBufferState<RawMessages, CheckedContinuation<Void, Never>>.TakeAction {
        condition.lock()
        defer { condition.unlock() }
        let action = state.take()
        condition.broadcast()  // the previous batch is finished: a revoke may go on
        return action
    }

    /// Suspends until the poll thread pushes, the buffer finishes, or the task is cancelled.
    /// Returns an error, at once, when another task is already waiting.
    private func waitForPush() async -> KafkaError? {
        let misuse = Mutex<KafkaError?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let action = withLock { $0.waitForPush(continuation, isCancelled: Task.isCancelled) }
                switch action {
                case .suspend: break
                case .resume: continuation.resume()
                case .reject(let error):
                    misuse.withLock { $0 = error }
                    continuation.resume()
                }
            }
        } onCancel: {
            withLock { $0.cancelWait() }?.resume()
        }
        return misuse.withLock { $0 }
    }
}

/// What a `ConsumerBufferState` holds: a batch of messages not yet handed over.
protocol PendingMessages {
    var count: Int { get }
    mutating func append(contentsOf other: Self)
}

extension RawMessages: PendingMessages {}

/// The state of a `ConsumerBuffer`: pending batches, the iterating task's waiter, whether the
/// application holds a batch (in flight) or one is being converted, and whether the sequence
/// has finished. Each transition returns what the caller must do outside the lock. Generic over
/// the messages and the waiter so that tests drive it with plain values.
struct ConsumerBufferState<Pending: PendingMessages, Waiter> {
    enum Phase {
        case open
        /// Ended: by `close()` (nil) or by a fatal error.
        case finished(KafkaError?)
    }

    let capacity: Int
    let maxBatchSize: Int
    private(set) var phase = Phase.open
    private(set) var pending: [Pending] = []
    /// The task waiting for a batch (one at a time).
    private var waiter: Waiter?
    /// The application holds a batch it has not finished (it has not asked for the next).
    private(set) var inFlight = false
    /// The iterating task is converting a batch outside the lock (librdkafka's messages in use).
    private(set) var converting = false
    private var wakeRequested = false

    init(capacity: Int, maxBatchSize: Int) {
        self.capacity = max(1, capacity)
        self.maxBatchSize = max(1, maxBatchSize)
    }

    var isFinished: Bool {
        if case .finished = phase { true } else { false }
    }

    // Poll thread

    var hasRoom: Bool { pending.count < capacity }
    var mayStopWaitingForRoom: Bool { hasRoom || wakeRequested }

    /// Ends a wait for room; returns whether there is room.
    mutating func endWaitForRoom() -> Bool {
        wakeRequested = false
        return hasRoom
    }

    mutating func wake() {
        wakeRequested = true
    }

    enum PushAction {
        /// Resume this waiter, if any: a batch is ready.
        case resume(Waiter?)
        /// The sequence has ended: destroy the batch.
        case discard(Pending)
    }

    mutating func push(_ batch: Pending) -> PushAction {
        guard !isFinished else { return .discard(batch) }
        pending.append(batch)
        defer { waiter = nil }
        return .resume(waiter)
    }

    /// Replaces every pending batch by what `keep` leaves of it (nil: nothing).
    mutating func dropPending(_ keep: (Pending) -> Pending?) {
        pending = pending.compactMap(keep)
    }

    /// Ends the sequence (call only while not `converting`). Returns the batches to destroy and
    /// the waiter to resume. A second call changes nothing.
    mutating func finish(_ error: KafkaError?) -> (discard: [Pending], resume: Waiter?) {
        guard !isFinished else { return ([], nil) }
        phase = .finished(error)
        defer {
            pending = []
            waiter = nil
        }
        return (pending, waiter)
    }

    // Application

    /// The application is done with the batch it holds (`close()`).
    mutating func acknowledge() {
        inFlight = false
    }

    enum TakeAction {
        /// Convert these messages outside the lock, then call `converted()`.
        case convert(Pending)
        /// The sequence ended: nil, or this error.
        case finished(KafkaError?)
        /// Nothing yet: wait for a push.
        case empty
    }

    /// Finishes the previous batch and takes every pending batch that fits in `maxBatchSize`
    /// (not just the oldest): an application that fell behind then catches up with one larger
    /// batch, paying its per-batch cost (a transaction, a flush) once (measured: arrest → inbox
    /// p50 ~55 ms with one fetch per batch).
    mutating func take() -> TakeAction {
        inFlight = false
        if case .finished(let error) = phase { return .finished(error) }
        guard !pending.isEmpty else { return .empty }
        var taken = pending.removeFirst()
        while let next = pending.first, taken.count + next.count <= maxBatchSize {
            taken.append(contentsOf: next)
            pending.removeFirst()
        }
        inFlight = true
        converting = true
        return .convert(taken)
    }

    mutating func converted() {
        converting = false
    }

    enum WaitAction {
        case suspend
        case resume
        /// Another task is already waiting: fail this one.
        case reject(KafkaError)
    }

    mutating func waitForPush(_ newWaiter: Waiter, isCancelled: Bool) -> WaitAction {
        if !pending.isEmpty || isFinished || isCancelled { return .resume }
        guard waiter == nil else {
            return .reject(KafkaError(
                code: .invalidUse, operation: "read messages",
                reason: "a consumer's messages are iterated by one task at a time; another task is already waiting"))
        }
        waiter = newWaiter
        return .suspend
    }

    /// The waiting task was cancelled: the waiter to resume, if any.
    mutating func cancelWait() -> Waiter? {
        defer { waiter = nil }
        return waiter
    }
}
