import Synchronization

/// Who receives a message's delivery report, encoded into the message's opaque pointer, which
/// librdkafka hands back exactly once per accepted message (delivered, failed or purged) to the
/// delivery-report callback on the poll thread.
///
/// - A `send` passes its `DeliveryWaiter`, retained into the pointer and released by the
///   callback.
/// - A `sendBatch` passes its `DeliveryBatch` unretained, with the low bit set as a tag (object
///   addresses are 16-byte aligned, so the bit is free): no allocation or reference counting
///   per message on the high-throughput path. The batch stays alive because `sendBatch` holds
///   it until the last report has arrived.
enum DeliveryRecipient {
    case waiter(DeliveryWaiter)
    case batch(DeliveryBatch)

    /// The pointer to enqueue with the message; if librdkafka refuses the message, pass it to
    /// `abandon` so a retained waiter is released.
    func opaque() -> UnsafeMutableRawPointer {
        switch self {
        case .waiter(let waiter):
            return Unmanaged.passRetained(waiter).toOpaque()
        case .batch(let batch):
            let address = UInt(bitPattern: Unmanaged.passUnretained(batch).toOpaque()) | 1
            return UnsafeMutableRawPointer(bitPattern: address)!
        }
    }

    static func abandon(_ opaque: UnsafeMutableRawPointer) {
        if UInt(bitPattern: opaque) & 1 == 0 {
            Unmanaged<DeliveryWaiter>.fromOpaque(opaque).release()
        }
    }

    /// Called by the delivery-report callback.
    static func deliver(_ report: RDKafkaDeliveryReport, to opaque: UnsafeMutableRawPointer) {
        let address = UInt(bitPattern: opaque)
        if address & 1 == 1 {
            let batch = UnsafeRawPointer(bitPattern: address & ~1)!
            Unmanaged<DeliveryBatch>.fromOpaque(batch).takeUnretainedValue().complete(report)
        } else {
            Unmanaged<DeliveryWaiter>.fromOpaque(opaque).takeRetainedValue().complete(report)
        }
    }
}

/// One `send` waiting for its report. The report may arrive before the sender has suspended,
/// so the outcome is kept until the continuation is installed (`DeliveryWaitState`).
final class DeliveryWaiter: Sendable {
    typealias Outcome = Result<KafkaDeliveryReceipt, KafkaError>
    private let state = Mutex(DeliveryWaitState<CheckedContinuation<Outcome, Never>>())
    private let fatalError: @Sendable () -> KafkaError

    init(fatalError: @escaping @Sendable () -> KafkaError) {
        self.fatalError = fatalError
    }

    func complete(_ report: RDKafkaDeliveryReport) {
        resolve(report.result(fatal: fatalError))
    }

    /// Completes the wait without a report: the message was never accepted.
    func resolve(_ result: Outcome) {
        state.withLock { $0.resolve(result) }?.resume(returning: result)
    }

    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            switch state.withLock({ $0.wait(continuation) }) {
            case .suspend: break
            case .resume(let outcome): continuation.resume(returning: outcome)
            }
        }
    }
}

/// The state of one `DeliveryWaiter`: a report and a waiter, in either order, each once.
/// Generic over the waiter so tests drive it with plain values.
struct DeliveryWaitState<Waiter> {
    typealias Outcome = Result<KafkaDeliveryReceipt, KafkaError>
    private enum State {
        case pending
        case waiting(Waiter)
        case done(Outcome)
    }
    private var state = State.pending

    enum WaitAction {
        /// Keep the waiter suspended: `resolve` will hand it back.
        case suspend
        /// Resume the waiter at once with this outcome.
        case resume(Outcome)
    }

    /// The report arrived; returns the waiter to resume with it, if one is waiting. A second
    /// report (librdkafka sends one per message) is ignored.
    mutating func resolve(_ outcome: Outcome) -> Waiter? {
        switch state {
        case .pending:
            state = .done(outcome)
            return nil
        case .waiting(let waiter):
            state = .done(outcome)
            return waiter
        case .done:
            return nil
        }
    }

    /// A task waits for the report. A second waiter while one is suspended is refused with
    /// `.invalidUse` rather than trapping: only `send` waits, once.
    mutating func wait(_ waiter: Waiter) -> WaitAction {
        switch state {
        case .pending:
            state = .waiting(waiter)
            return .suspend
        case .done(let outcome):
            return .resume(outcome)
        case .waiting:
            return .resume(.failure(KafkaError(
                code: .invalidUse, operation: "await a delivery report", reason: "the report is already awaited")))
        }
    }
}

/// Counts the reports of one `sendBatch`; only failures are kept (with the failed message,
/// rebuilt from librdkafka's copy), so memory stays bounded by them, not by the batch size.
///
/// A delivered report, the common case, costs one atomic increment and no lock: the poll
/// thread serves up to a million of them per second. Completion is found Dekker-style: a
/// report increments `completed` then reads `expected`, `wait` stores `expected` then reads
/// `completed` (both sequentially consistent), so at least one of them sees the last report;
/// `resumed` lets only one of them resume the continuation.
final class DeliveryBatch: Sendable {
    private let completed = Atomic<Int>(0)
    /// `Int.max` until `wait` says how many messages were enqueued.
    private let expected = Atomic<Int>(.max)
    private let resumed = Atomic<Bool>(false)
    private let failures = Mutex<[KafkaBatchReport.Failure]>([])
    private let continuation = Mutex<CheckedContinuation<KafkaBatchReport, Never>?>(nil)
    private let fatalError: @Sendable () -> KafkaError

    init(fatalError: @escaping @Sendable () -> KafkaError) {
        self.fatalError = fatalError
    }

    func complete(_ report: RDKafkaDeliveryReport) {
        if !report.isDelivered {
            let failure = report.failure(fatal: fatalError)
            failures.withLock { $0.append(failure) }  // before the count, so `finish` sees it
        }
        let done = completed.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        if done == expected.load(ordering: .sequentiallyConsistent) { finish() }
    }

    /// Waits for the reports of the `count` messages that were enqueued.
    func wait(expecting count: Int) async -> KafkaBatchReport {
        await withCheckedContinuation { continuation in
            self.continuation.withLock { $0 = continuation }
            expected.store(count, ordering: .sequentiallyConsistent)
            if completed.load(ordering: .sequentiallyConsistent) == count { finish() }
        }
    }

    /// Resumes the waiter once, with the report; called when the last report is counted.
    private func finish() {
        guard resumed.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        else { return }
        let failures = failures.withLock { $0 }
        let report = KafkaBatchReport(delivered: expected.load(ordering: .relaxed) - failures.count, failures: failures)
        continuation.withLock { $0.take() }?.resume(returning: report)
    }
}
