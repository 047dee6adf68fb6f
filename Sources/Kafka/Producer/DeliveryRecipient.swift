import CRdKafka
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
    static func deliver(_ message: UnsafePointer<rd_kafka_message_t>, to opaque: UnsafeMutableRawPointer) {
        let address = UInt(bitPattern: opaque)
        if address & 1 == 1 {
            let batch = UnsafeRawPointer(bitPattern: address & ~1)!
            Unmanaged<DeliveryBatch>.fromOpaque(batch).takeUnretainedValue().complete(message)
        } else {
            Unmanaged<DeliveryWaiter>.fromOpaque(opaque).takeRetainedValue().complete(message)
        }
    }
}

/// One `send` waiting for its report. The report may arrive before the sender has suspended,
/// so the outcome is kept until the continuation is installed.
final class DeliveryWaiter: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Result<KafkaDeliveryReceipt, KafkaError>, Never>)
        case done(Result<KafkaDeliveryReceipt, KafkaError>)
    }
    private let state = Mutex<State>(.pending)
    private let fatalError: @Sendable () -> KafkaError

    init(fatalError: @escaping @Sendable () -> KafkaError) {
        self.fatalError = fatalError
    }

    func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
        let topic = String(cString: rd_kafka_topic_name(message.pointee.rkt))
        let result: Result<KafkaDeliveryReceipt, KafkaError>
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__FATAL {
            result = .failure(fatalError())
        } else if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            result = .failure(KafkaError.rdKafka(code, operation: "send to topic \(topic)"))
        } else {
            result = .success(KafkaDeliveryReceipt(
                topicPartition: TopicPartition(topic: topic, partition: message.pointee.partition),
                offset: KafkaOffset(message.pointee.offset)))
        }
        resolve(result)
    }

    /// Completes the wait without a report: the message was never accepted.
    func resolve(_ result: Result<KafkaDeliveryReceipt, KafkaError>) {
        let continuation: CheckedContinuation<Result<KafkaDeliveryReceipt, KafkaError>, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(returning: result)
    }

    func wait() async -> Result<KafkaDeliveryReceipt, KafkaError> {
        await withCheckedContinuation { continuation in
            let ready: Result<KafkaDeliveryReceipt, KafkaError>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .done(let result):
                    return result
                case .waiting:
                    preconditionFailure("a delivery is awaited once")
                }
            }
            if let ready { continuation.resume(returning: ready) }
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

    func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            let failed = KafkaProducerMessage(reportedBy: message)
            let failure = KafkaBatchReport.Failure(
                message: failed,
                error: code == RD_KAFKA_RESP_ERR__FATAL
                    ? fatalError() : KafkaError.rdKafka(code, operation: "send to topic \(failed.topic)"))
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

extension KafkaProducerMessage {
    /// The message as librdkafka reports it back (its own copy of key, value and headers).
    init(reportedBy message: UnsafePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        var headers: [KafkaHeader] = []
        MessageConverter.appendHeaders(of: message, to: &headers)
        self.init(
            topic: String(cString: rd_kafka_topic_name(raw.rkt)),
            key: raw.key.map { MessageConverter.bytes($0, raw.key_len) },
            value: raw.payload.map { MessageConverter.bytes($0, raw.len) } ?? [],
            headers: headers, partition: raw.partition >= 0 ? raw.partition : nil)
    }
}
