import ContractTools
import Kafka
import Synchronization

/// A `KafkaProducer` that records every call `EventPublisher` makes, and fails the calls it is
/// told to fail (before reaching the producer), so tests can check what was asked of the
/// broker, and in which order, after a failure at a chosen point.
final class RecordingProducer: PublishingProducer {
    let producer: KafkaProducer
    private let log = Mutex<[String]>([])
    private let failures: Mutex<[String: [KafkaError]]>
    /// When set, each chunk queues only this many messages and then reports this error.
    private let queueLimit: (count: Int, error: KafkaError)?

    init(_ producer: KafkaProducer, failing failures: [String: [KafkaError]] = [:], queueLimit: (count: Int, error: KafkaError)? = nil) {
        self.producer = producer
        self.failures = Mutex(failures)
        self.queueLimit = queueLimit
    }

    /// The calls made, in order: the method's name, and for chunks their size.
    var calls: [String] { log.withLock { $0 } }

    var isTransactional: Bool { producer.isTransactional }

    private func record(_ call: String) throws(KafkaError) {
        log.withLock { $0.append(call) }
        let injected = failures.withLock { failures -> KafkaError? in
            guard var queue = failures[call], !queue.isEmpty else { return nil }
            let error = queue.removeFirst()
            failures[call] = queue
            return error
        }
        if let injected { throw injected }
    }

    func clusterIdentity(timeout: Duration) async throws(KafkaError) -> KafkaClusterIdentity {
        try record("clusterIdentity")
        return try await producer.clusterIdentity(timeout: timeout)
    }

    func initializeTransactions(timeout: Duration) async throws(KafkaError) {
        try record("initializeTransactions")
        try await producer.initializeTransactions(timeout: timeout)
    }

    func beginTransaction() async throws(KafkaError) {
        try record("beginTransaction")
        try await producer.beginTransaction()
    }

    func sendChunk(_ messages: ArraySlice<KafkaProducerMessage>) async -> KafkaBatchReport {
        log.withLock { $0.append("sendChunk \(messages.count)") }
        guard let queueLimit else { return await producer.sendChunk(messages) }
        var report = await producer.sendBatchKeepingReport(messages.prefix(queueLimit.count))
        report.queueingError = queueLimit.error
        return report
    }

    func commitTransaction(timeout: Duration?) async throws(KafkaError) {
        try record("commitTransaction")
        try await producer.commitTransaction(timeout: timeout)
    }

    func abortTransaction(timeout: Duration?) async throws(KafkaError) {
        try record("abortTransaction")
        try await producer.abortTransaction(timeout: timeout)
    }
}
