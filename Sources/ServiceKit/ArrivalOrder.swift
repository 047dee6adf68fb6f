import Kafka

/// Orders a batch that mixes partitions (and topics) by Kafka timestamp, keeping each
/// partition's own order: a merge of the per-partition sequences that always takes the head
/// with the earliest timestamp (ties: the partition met first). A service reading two topics
/// (cases and arrests, warrants and releases) then applies what it fetched together in the
/// order the events were produced, as far as one batch reaches.
public enum ArrivalOrder {
    public static func merged(_ batch: [KafkaConsumerMessage]) -> [KafkaConsumerMessage] {
        guard batch.count > 1 else { return batch }
        var order: [TopicPartition] = []
        var queues: [TopicPartition: [KafkaConsumerMessage]] = [:]
        for message in batch {
            if queues[message.topicPartition] == nil { order.append(message.topicPartition) }
            queues[message.topicPartition, default: []].append(message)
        }
        guard order.count > 1 else { return batch }
        var heads = [Int](repeating: 0, count: order.count)
        let lists = order.map { queues[$0]! }
        var result: [KafkaConsumerMessage] = []
        result.reserveCapacity(batch.count)
        while result.count < batch.count {
            var best = -1
            var bestTime = Int64.max
            for index in lists.indices where heads[index] < lists[index].count {
                let time = lists[index][heads[index]].timestampMilliseconds ?? 0
                if best < 0 || time < bestTime {
                    best = index
                    bestTime = time
                }
            }
            result.append(lists[best][heads[best]])
            heads[best] += 1
        }
        return result
    }
}
