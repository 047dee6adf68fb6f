import CRdKafka
import Synchronization

/// Receives one message's delivery report. An instance is retained into the message's opaque
/// pointer when it is enqueued and released by the delivery-report callback, which librdkafka
/// calls exactly once per accepted message (delivered, failed or purged) on the poll thread.
class DeliveryTarget: @unchecked Sendable {
    func complete(_ message: UnsafePointer<rd_kafka_message_t>) {}

    static func error(of message: UnsafePointer<rd_kafka_message_t>, operation: @autoclosure () -> String) -> KafkaError? {
        let code = message.pointee.err
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdKafka(code, operation: operation())
    }
}

/// One `send` waiting for its report. The report may arrive before the sender has suspended,
/// so the outcome is kept until the continuation is installed.
final class DeliveryWaiter: DeliveryTarget, @unchecked Sendable {
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

    override func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
        let topic = String(cString: rd_kafka_topic_name(message.pointee.rkt))
        let result: Result<KafkaDeliveryReceipt, KafkaError>
        if message.pointee.err == RD_KAFKA_RESP_ERR__FATAL {
            result = .failure(fatalError())
        } else if let error = Self.error(of: message, operation: "send to topic \(topic)") {
            result = .failure(error)
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

/// Counts the reports of one `sendBatch`; only failures are kept, so memory stays bounded by
/// them rather than by the batch size.
final class DeliveryBatch: Sendable {
    private struct State {
        var delivered = 0
        var failures: [(index: Int, error: KafkaError)] = []
        var expected: Int?
        var continuation: CheckedContinuation<KafkaBatchReport, Never>?
        var completed: Int { delivered + failures.count }
    }
    private let state = Mutex(State())
    private let fatalError: @Sendable () -> KafkaError

    init(fatalError: @escaping @Sendable () -> KafkaError) {
        self.fatalError = fatalError
    }

    /// The report target for the message at `index` of the batch.
    func entry(_ index: Int) -> DeliveryTarget { Entry(batch: self, index: index) }

    func record(index: Int, error: KafkaError?) {
        let finished: (CheckedContinuation<KafkaBatchReport, Never>, KafkaBatchReport)? = state.withLock { state in
            if let error { state.failures.append((index, error)) } else { state.delivered += 1 }
            return Self.finish(&state)
        }
        if let (continuation, report) = finished { continuation.resume(returning: report) }
    }

    /// Waits for the reports of the `count` messages that were enqueued.
    func wait(expecting count: Int) async -> KafkaBatchReport {
        await withCheckedContinuation { continuation in
            let finished: (CheckedContinuation<KafkaBatchReport, Never>, KafkaBatchReport)? = state.withLock { state in
                state.expected = count
                state.continuation = continuation
                return Self.finish(&state)
            }
            if let (continuation, report) = finished { continuation.resume(returning: report) }
        }
    }

    private static func finish(
        _ state: inout State
    ) -> (CheckedContinuation<KafkaBatchReport, Never>, KafkaBatchReport)? {
        guard let expected = state.expected, state.completed == expected, let continuation = state.continuation
        else { return nil }
        state.continuation = nil
        return (continuation, KafkaBatchReport(delivered: state.delivered, failures: state.failures.sorted { $0.index < $1.index }))
    }

    private final class Entry: DeliveryTarget, @unchecked Sendable {
        let batch: DeliveryBatch
        let index: Int

        init(batch: DeliveryBatch, index: Int) {
            self.batch = batch
            self.index = index
        }

        override func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
            let code = message.pointee.err
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return batch.record(index: index, error: nil) }
            let error = code == RD_KAFKA_RESP_ERR__FATAL
                ? batch.fatalError()
                : KafkaError.rdKafka(code, operation: "send to topic \(String(cString: rd_kafka_topic_name(message.pointee.rkt)))")
            batch.record(index: index, error: error)
        }
    }
}
