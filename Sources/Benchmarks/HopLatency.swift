import Kafka
import Logging

/// The produce → consume latency of one Kafka hop: messages stamped with their CLOCK_MONOTONIC
/// send time (the value's first 8 bytes) sent at a fixed rate by a producer and read by a group
/// member, each built from the configuration given. `bench kafka` measures it with librdkafka's
/// defaults beside the C baseline; `bench pipeline` with the services' own client settings, as
/// the yardstick of the pipeline's two hops.
struct HopLatency: Sendable {
    /// The sending side's settings (its client id is the caller's to choose).
    var producer: KafkaProducerConfiguration
    /// The reading side's settings; reads its first topic, which must exist.
    var consumer: KafkaConsumerConfiguration
    var count: Int
    var rate: Int
    var valueSize: Int

    /// The latencies in milliseconds, sorted; after one warm-up message per assigned partition
    /// (so that every fetch path is live and the group has joined).
    func measure(logger: Logger) async throws -> [Double] {
        guard let topic = consumer.topics.first, consumer.topics.count == 1 else {
            throw BenchmarkFailure(description: "a hop is measured on exactly one topic, not \(consumer.topics)")
        }
        let producer = try KafkaProducer(configuration: producer, logger: logger)
        let (assignments, assigned) = AsyncStream.makeStream(of: [TopicPartition].self)
        let consumer = try KafkaConsumer(
            configuration: consumer,
            rebalanceHandler: KafkaRebalanceHandler(partitionsAssigned: { partitions in
                assigned.yield(partitions)
                return [:]
            }),
            logger: logger)
        var partitions: [TopicPartition] = []
        for await assignment in assignments {
            partitions = assignment
            break
        }
        let warmUp = partitions.map {
            KafkaProducerMessage(topic: topic, key: nil, value: [UInt8](repeating: 0, count: valueSize), partition: $0.partition)
        }
        _ = try await producer.sendBatch(warmUp)
        var messages = consumer.batches.makeAsyncIterator()
        var warmedUp = 0
        while warmedUp < warmUp.count, let batch = try await messages.next() { warmedUp += batch.count }

        let paced = PacedMessages(topic: topic, count: count, rate: rate, valueSize: valueSize)
        let sending = Task { try await producer.sendBatch(paced) }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        while samples.count < count, let batch = try await messages.next() {
            let now = monotonicNanoseconds()
            for message in batch {
                let sent = message.payload.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                samples.append(Double(now - sent) / 1_000_000)
            }
        }
        let report = try await sending.value
        await consumer.close()
        await producer.shutdown()
        guard report.allDelivered else { throw BenchmarkFailure(description: "hop latency producer: \(report.failures.count) failures") }
        guard samples.count == count else { throw BenchmarkFailure(description: "hop latency: \(samples.count) of \(count) messages read") }
        return samples.sorted()
    }
}
