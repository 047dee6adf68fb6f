import Foundation
import Metrics

/// Turns librdkafka's periodic statistics (JSON, see librdkafka's STATISTICS.md) into
/// swift-metrics gauges. Labels are bounded: the client id, and the topic for consumer lag.
///
/// Exported:
/// - `reentrybus_kafka_queue_messages{client}`: messages waiting in the client's queues
///   (producer: not yet delivered; consumer: fetched, not yet handed to the application).
/// - `reentrybus_kafka_queue_bytes{client}`: the same in bytes.
/// - `reentrybus_kafka_consumer_lag{client,topic}`: messages between the group's committed
///   offset and the end of each partition, summed over the topic's assigned partitions.
/// - `reentrybus_kafka_statistics_unreadable_total{client}`: statistics documents that were
///   not the JSON object expected (skipped).
struct KafkaStatisticsReporter: Sendable {
    let clientID: String
    private let queueMessages: Gauge
    private let queueBytes: Gauge
    private let unreadable: Counter

    init(clientID: String) {
        self.clientID = clientID
        self.queueMessages = Gauge(label: "reentrybus_kafka_queue_messages", dimensions: [("client", clientID)])
        self.queueBytes = Gauge(label: "reentrybus_kafka_queue_bytes", dimensions: [("client", clientID)])
        self.unreadable = Counter(label: "reentrybus_kafka_statistics_unreadable_total", dimensions: [("client", clientID)])
    }

    func report(_ json: UnsafeRawBufferPointer) {
        let data = Data(json)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            return unreadable.increment()
        }
        guard let statistics = parsed as? [String: Any] else { return unreadable.increment() }
        let snapshot = KafkaStatisticsSnapshot(statistics)
        queueMessages.record(snapshot.queuedMessages)
        queueBytes.record(snapshot.queuedBytes)
        for (topic, lag) in snapshot.consumerLagByTopic {
            Gauge(label: "reentrybus_kafka_consumer_lag", dimensions: [("client", clientID), ("topic", topic)])
                .record(lag)
        }
    }
}

/// The figures we export, read out of one statistics document.
struct KafkaStatisticsSnapshot: Equatable {
    var queuedMessages: Int = 0
    var queuedBytes: Int = 0
    var consumerLagByTopic: [String: Int] = [:]

    init(_ statistics: [String: Any]) {
        queuedMessages = (statistics["msg_cnt"] as? NSNumber)?.intValue ?? 0
        queuedBytes = (statistics["msg_size"] as? NSNumber)?.intValue ?? 0
        guard let topics = statistics["topics"] as? [String: Any] else { return }
        for (name, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            var lag = 0
            var known = false
            for (id, partition) in partitions where id != "-1" {
                guard let fields = partition as? [String: Any],
                    let partitionLag = (fields["consumer_lag"] as? NSNumber)?.intValue, partitionLag >= 0
                else { continue }
                lag += partitionLag
                known = true
            }
            if known { consumerLagByTopic[name] = lag }
        }
    }
}
