import Contracts
import Kafka

/// The generated events as the service's consumer would hand them over: each on a partition
/// of its topic chosen by its key (as a producer partitions; FNV-1a here, so the spread is
/// the same on every run), offsets counting up per partition from 0, the moment the event
/// occurred as the Kafka timestamp, and the documented headers.
enum ReplayMessages {
    /// - Throws: `BenchmarkFailure` when an event's topic has no contract in `catalog`.
    static func make(_ events: [ReplayEventMix.Event], catalog: TopicCatalog) throws -> [KafkaConsumerMessage] {
        var partitions: [String: Int] = [:]
        var nextOffsets: [TopicPartition: Int64] = [:]
        var messages: [KafkaConsumerMessage] = []
        messages.reserveCapacity(events.count)
        for event in events {
            let scenario = event.scenario
            let count: Int
            if let known = partitions[scenario.topic] {
                count = known
            } else {
                guard let contract = catalog.topic(named: scenario.topic) else {
                    throw BenchmarkFailure(description: "topic \(scenario.topic) has no contract")
                }
                count = max(1, contract.partitions)
                partitions[scenario.topic] = count
            }
            let key = Array(scenario.key.utf8)
            let partition = TopicPartition(topic: scenario.topic, partition: Int32(fnv1a(key) % UInt32(count)))
            let offset = nextOffsets[partition, default: 0]
            nextOffsets[partition] = offset + 1
            messages.append(KafkaConsumerMessage(
                topicPartition: partition, offset: KafkaOffset(offset), key: key, value: scenario.value, headers: scenario.headers,
                timestampMilliseconds: event.timestampMilliseconds))
        }
        return messages
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }
}
