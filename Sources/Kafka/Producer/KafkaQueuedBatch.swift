/// Messages handed to librdkafka by ``KafkaProducer/queueBatch(_:)``, whose delivery reports
/// are still to come. Each queued message gets its report (at the latest after the producer's
/// delivery timeout), whether or not anyone waits for it; ``report()`` waits for all of them.
public struct KafkaQueuedBatch: Sendable {
    let batch: DeliveryBatch
    /// How many messages were queued (the first `count` of those given).
    public let count: Int
    /// Why queueing stopped before the last message, if it did.
    public let queueingError: KafkaError?
    let urgency: DeliveryUrgency

    /// Waits for the delivery report of every queued message. Call it once.
    public func report() async -> KafkaBatchReport {
        var report = await urgency.during { await batch.wait(expecting: count) }
        report.queueingError = queueingError
        return report
    }
}
