import Kafka

/// What ``EventPublisher`` asks of a producer: `KafkaProducer` outside tests; tests wrap one
/// to record the calls made and to inject failures at a chosen call.
public protocol PublishingProducer: Sendable {
    /// Whether it sends in transactions (it was created with a transactional id).
    var isTransactional: Bool { get }
    func clusterIdentity(timeout: Duration) async throws(KafkaError) -> KafkaClusterIdentity
    func initializeTransactions(timeout: Duration) async throws(KafkaError)
    func beginTransaction() async throws(KafkaError)
    /// Sends `messages` with many in flight, returns every queued one's outcome and, if
    /// queueing stopped part-way, why (`KafkaProducer.sendBatchKeepingReport`).
    func sendChunk(_ messages: ArraySlice<KafkaProducerMessage>) async -> KafkaBatchReport
    func commitTransaction(timeout: Duration?) async throws(KafkaError)
    func abortTransaction(timeout: Duration?) async throws(KafkaError)
}

extension KafkaProducer: PublishingProducer {
    public func sendChunk(_ messages: ArraySlice<KafkaProducerMessage>) async -> KafkaBatchReport {
        await sendBatchKeepingReport(messages)
    }
}
