import Synchronization

/// How far the application of a `KafkaTopicReader` has got, and the waits for it to catch up.
///
/// Fed by the reader's buffer as the application takes batches (`handOut`, `finishBatch`,
/// `reach`) and by the reader's thread (`started`, `added`, `end`). Its bookkeeping is one
/// value, `ReaderProgressState`, behind one lock; waiters are resumed, and the caught-up
/// announcement made, after the lock is released.
final class ReaderProgress: Sendable {
    /// Resumed with nil once caught up, or with why that will not happen.
    typealias Waiter = CheckedContinuation<KafkaError?, Never>

    private let state = Mutex(ReaderProgressState<Waiter>())
    private let announce: @Sendable () -> Void

    /// - Parameter caughtUp: called once, on whichever thread finds the reader caught up.
    init(caughtUp: @escaping @Sendable () -> Void) {
        announce = caughtUp
    }

    var isCaughtUp: Bool { state.withLock { $0.isCaughtUp } }

    /// The offset after the last message the application has finished, per partition read.
    var positions: [TopicPartition: Int64] { state.withLock { $0.positions } }

    func started(ends: [TopicPartition: Int64], positions: [TopicPartition: Int64]) {
        resume(state.withLock { $0.started(ends: ends, positions: positions) })
    }

    func added(_ positions: [TopicPartition: Int64]) {
        state.withLock { $0.added(positions) }
    }

    func handOut(_ reached: [TopicPartition: Int64]) {
        state.withLock { $0.handOut(reached) }
    }

    func finishBatch() {
        resume(state.withLock { $0.finishBatch() })
    }

    func reach(_ reached: [TopicPartition: Int64]) {
        resume(state.withLock { $0.reach(reached) })
    }

    /// The reader stopped (closed, or failed with `error`): fails the waits, if it had not
    /// caught up.
    func end(_ error: KafkaError) {
        for waiter in state.withLock({ $0.end(error) }) { waiter.resume(returning: error) }
    }

    /// Returns once caught up; throws why not when the reader ends first, or `.cancelled`.
    func waitUntilCaughtUp() async throws(KafkaError) {
        let id = state.withLock { $0.makeWaiterID() }
        let failure: KafkaError? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                switch state.withLock({ $0.wait(id, continuation, isCancelled: Task.isCancelled) }) {
                case .suspend: break
                case .resume: continuation.resume(returning: nil)
                case .fail(let error): continuation.resume(returning: error)
                }
            }
        } onCancel: {
            state.withLock { $0.cancelWait(id) }?.resume(returning: ReaderProgressState<Waiter>.cancelled)
        }
        if let failure { throw failure }
    }

    /// Announces catching up and resumes the waiters, when a transition just caught up.
    private func resume(_ caughtUp: [Waiter]?) {
        guard let caughtUp else { return }
        announce()
        for waiter in caughtUp { waiter.resume(returning: nil) }
    }
}

/// What a topic reader knows of its application's progress: for each partition read, the
/// offset after the last message the application has *finished* (it finishes a batch by asking
/// for the next, as everywhere in this module), what it holds now, and the waits for it to
/// catch up.
///
/// Caught up means: every partition that existed when the reader started has been finished up
/// to the end it had then (its high watermark at start, or its last stable offset for a
/// read_committed reader). Reached once, never undone: what arrives later is news, not the
/// state a service waited for. Partitions found later do not hold it back. A pure value; tests
/// drive it with plain waiters.
struct ReaderProgressState<Waiter> {
    enum Phase {
        /// The partitions and their ends are not known yet.
        case starting
        /// Reading towards the ends the partitions had at start.
        case catchingUp(ends: [TopicPartition: Int64])
        case caughtUp
        /// The reader stopped before catching up, for this reason.
        case ended(KafkaError)
    }

    static var cancelled: KafkaError {
        KafkaError(code: .cancelled, operation: "wait until caught up", reason: "the waiting task was cancelled")
    }

    private(set) var phase = Phase.starting
    private(set) var positions: [TopicPartition: Int64] = [:]
    /// Where the batch the application holds reaches, per partition.
    private(set) var inFlight: [TopicPartition: Int64] = [:]
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiterID = 0

    var isCaughtUp: Bool {
        if case .caughtUp = phase { true } else { false }
    }

    /// Where reading starts in a partition, as an absolute offset: the partition's oldest
    /// offset for `.beginning`, its end for `.end`.
    static func startPosition(_ start: KafkaOffset, low: Int64, high: Int64) -> Int64 {
        switch start {
        case .beginning: low
        case .end: high
        default: start.rawValue
        }
    }

    /// The partitions at start, with their ends then and where reading starts. Returns the
    /// waiters to resume when that already is caught up (every start at or past its end).
    mutating func started(ends: [TopicPartition: Int64], positions start: [TopicPartition: Int64]) -> [Waiter]? {
        guard case .starting = phase else { return nil }
        positions.merge(start) { _, new in new }
        phase = .catchingUp(ends: ends)
        return caughtUpIfDone()
    }

    /// Partitions found after the start, with where reading starts: followed, not waited for.
    mutating func added(_ start: [TopicPartition: Int64]) {
        positions.merge(start) { old, _ in old }
    }

    /// The application now holds a batch reaching these positions.
    mutating func handOut(_ reached: [TopicPartition: Int64]) {
        inFlight = reached
    }

    /// The application asked for the next batch: the one it held is finished.
    mutating func finishBatch() -> [Waiter]? {
        guard !inFlight.isEmpty else { return nil }
        positions.merge(inFlight) { _, new in new }
        inFlight = [:]
        return caughtUpIfDone()
    }

    /// Positions reached with nothing to hand over (the end of a partition): finished at once.
    mutating func reach(_ reached: [TopicPartition: Int64]) -> [Waiter]? {
        positions.merge(reached) { _, new in new }
        return caughtUpIfDone()
    }

    mutating func makeWaiterID() -> Int {
        defer { nextWaiterID += 1 }
        return nextWaiterID
    }

    enum WaitAction {
        case suspend
        case resume
        case fail(KafkaError)
    }

    mutating func wait(_ id: Int, _ waiter: Waiter, isCancelled: Bool) -> WaitAction {
        switch phase {
        case .caughtUp: return .resume
        case .ended(let error): return .fail(error)
        case .starting, .catchingUp:
            if isCancelled { return .fail(Self.cancelled) }
            waiters[id] = waiter
            return .suspend
        }
    }

    /// The waiting task was cancelled: its waiter, if it still waits.
    mutating func cancelWait(_ id: Int) -> Waiter? {
        waiters.removeValue(forKey: id)
    }

    /// The reader stopped: returns the waiters to fail (none once caught up, which stays so).
    mutating func end(_ error: KafkaError) -> [Waiter] {
        switch phase {
        case .caughtUp, .ended: return []
        case .starting, .catchingUp:
            phase = .ended(error)
            defer { waiters = [:] }
            return Array(waiters.values)
        }
    }

    private mutating func caughtUpIfDone() -> [Waiter]? {
        guard case .catchingUp(let ends) = phase,
            ends.allSatisfy({ partition, end in (positions[partition] ?? .min) >= end })
        else { return nil }
        phase = .caughtUp
        defer { waiters = [:] }
        return Array(waiters.values)
    }
}

extension ReaderProgressState: Sendable where Waiter: Sendable {}
