import CRdKafka

/// Conversions between librdkafka's `rd_kafka_topic_partition_list_t` and Swift values.
enum TopicPartitionList {
    /// A new list the caller must free with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ offsets: [TopicPartition: KafkaOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (partition, offset) in offsets {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
            element.pointee.offset = offset.rawValue
        }
        return list
    }

    static func make(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(Dictionary(partitions.map { ($0, KafkaOffset.stored) }, uniquingKeysWith: { a, _ in a }))
    }

    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        elements(list).map(\.partition)
    }

    static func elements(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> [(partition: TopicPartition, offset: KafkaOffset, error: rd_kafka_resp_err_t)] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return (
                TopicPartition(topic: String(cString: element.topic), partition: element.partition),
                KafkaOffset(element.offset), element.err
            )
        }
    }
}
