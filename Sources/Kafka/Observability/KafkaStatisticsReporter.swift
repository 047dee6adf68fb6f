import Foundation
import Metrics
import Synchronization

/// Turns librdkafka's periodic statistics (JSON, see librdkafka's STATISTICS.md) into
/// swift-metrics gauges. Labels are bounded: the client id, and topic and partition for
/// consumer lag (partitions are counted by the contracts, never by data).
///
/// Exported:
/// - `reentrybus_kafka_queue_messages{client}`: messages a producer holds that the broker has
///   not acknowledged yet (librdkafka's `msg_cnt`, which counts producer queues only).
/// - `reentrybus_kafka_queue_bytes{client}`: the same in bytes (`msg_size`).
/// - `reentrybus_kafka_consumer_lag{client,topic,partition}`: messages between this member's
///   position and the end of each partition assigned to it (`ConsumerLag`). A partition the
///   member no longer reads stops being exported, rather than showing 0 (see `ConsumerLagGauges`).
///   For a topic reader, which stores no offsets, the same gauge counts the messages between
///   what its application has finished and each partition's end (`readerLag`).
/// - `reentrybus_kafka_statistics_unreadable_total{client}`: statistics documents that were
///   not the JSON object expected (skipped).
///
/// Metrics are made with the factory current when the reporter is made (a task-local one in
/// tests, else the bootstrapped one): the statistics arrive on librdkafka's thread, where no
/// task-local factory is bound.
final class KafkaStatisticsReporter: Sendable {
    let clientID: String
    private let queueMessages: Gauge
    private let queueBytes: Gauge
    private let unreadable: Counter
    private let lag: ConsumerLagGauges
    /// A topic reader's: the offset after the last message its application finished, per
    /// partition (nil for every other client).
    private let readerPositions: (@Sendable () -> [TopicPartition: Int64])?

    init(
        clientID: String, factory: any MetricsFactory = MetricsSystem.factory,
        readerPositions: (@Sendable () -> [TopicPartition: Int64])? = nil
    ) {
        self.clientID = clientID
        self.readerPositions = readerPositions
        self.queueMessages = Gauge(label: "reentrybus_kafka_queue_messages", dimensions: [("client", clientID)], factory: factory)
        self.queueBytes = Gauge(label: "reentrybus_kafka_queue_bytes", dimensions: [("client", clientID)], factory: factory)
        self.unreadable = Counter(
            label: "reentrybus_kafka_statistics_unreadable_total", dimensions: [("client", clientID)], factory: factory)
        self.lag = ConsumerLagGauges(clientID: clientID, factory: factory)
    }

    /// Reads one statistics document (called by librdkafka's stats callback).
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
        if let messages = snapshot.queuedMessages { queueMessages.record(messages) }
        if let bytes = snapshot.queuedBytes { queueBytes.record(bytes) }
        if let readerPositions {
            lag.update(snapshot.readerLag(positions: readerPositions()))
        } else {
            lag.update(snapshot.consumerLag)
        }
    }
}

/// A partition of a topic, as the lag gauges label it.
struct LagPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    var topic: String
    var partition: Int

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition) }
    var description: String { "\(topic)[\(partition)]" }
}

/// The figures we export, read out of one statistics document.
struct KafkaStatisticsSnapshot: Equatable {
    /// librdkafka's fetch states of a partition that is not (or no longer) assigned: `none`
    /// (never assigned, or a producer's partition), `stopping` and `stopped` (revoked).
    static let unassignedFetchStates: Set<String> = ["none", "stopping", "stopped"]

    /// A producer's messages not yet acknowledged, and their bytes; nil in any other client's
    /// document, where librdkafka writes 0. A service's producer and consumer share a client id,
    /// so recording the consumer's 0 would overwrite the producer's figure every interval.
    var queuedMessages: Int?
    var queuedBytes: Int?
    /// The lag of each partition assigned to this consumer whose lag is known, in messages.
    ///
    /// Per partition, `consumer_lag_stored` (the end of the partition minus the offset the
    /// application stored for commit, i.e. what is processed) is preferred; `consumer_lag`
    /// (against the last committed offset, which trails it by up to the commit interval) is the
    /// fallback. -1 in both means unknown (the end or the position not known yet): left out.
    ///
    /// A partition whose `fetch_state` says it is not assigned is left out even with a lag:
    /// after a revoke librdkafka resets the stored offset but keeps the committed one and the
    /// last high watermark, so `consumer_lag` goes on reporting a stale value for a partition
    /// another member now reads. The internal partition -1 (UA, unassigned messages) never counts.
    var consumerLag: [LagPartition: Int] = [:]
    /// The end of each partition being fetched whose end is known: its last stable offset
    /// (what a read_committed client can read up to), else its high watermark.
    var ends: [LagPartition: Int] = [:]

    init(_ statistics: [String: Any]) {
        if statistics["type"] as? String == "producer" {
            queuedMessages = (statistics["msg_cnt"] as? NSNumber)?.intValue ?? 0
            queuedBytes = (statistics["msg_size"] as? NSNumber)?.intValue ?? 0
        }
        guard let topics = statistics["topics"] as? [String: Any] else { return }
        for (name, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (key, partition) in partitions {
                guard let id = Int(key), id >= 0, let fields = partition as? [String: Any] else { continue }
                if let state = fields["fetch_state"] as? String, Self.unassignedFetchStates.contains(state) { continue }
                let stable = (fields["ls_offset"] as? NSNumber)?.intValue ?? -1
                let high = (fields["hi_offset"] as? NSNumber)?.intValue ?? -1
                if max(stable, high) >= 0 { ends[LagPartition(topic: name, partition: id)] = stable >= 0 ? stable : high }
                let stored = (fields["consumer_lag_stored"] as? NSNumber)?.intValue ?? -1
                let committed = (fields["consumer_lag"] as? NSNumber)?.intValue ?? -1
                let lag = stored >= 0 ? stored : committed
                guard lag >= 0 else { continue }
                consumerLag[LagPartition(topic: name, partition: id)] = lag
            }
        }
    }

    /// A topic reader's lag: per partition with a known end and a known position, the messages
    /// between the two (never below 0: the end in a document can trail what was read since).
    func readerLag(positions: [TopicPartition: Int64]) -> [LagPartition: Int] {
        var lag: [LagPartition: Int] = [:]
        for (partition, end) in ends {
            guard let position = positions[TopicPartition(topic: partition.topic, partition: Int32(partition.partition))]
            else { continue }
            lag[partition] = max(0, end - Int(position))
        }
        return lag
    }
}

/// The consumer-lag gauges of one client, one per partition reported in the last statistics
/// document.
///
/// A partition missing from a document (revoked in a rebalance, or its lag unknown for now)
/// stops being exported: its gauge is destroyed, so `/metrics` no longer lists it, rather than
/// set to 0. Zero would claim "caught up" for a partition this member does not read (its new
/// owner reports the real lag), would survive as a stale series for every partition a member
/// ever held, and would hide a partition whose lag is unknown; an absent series is what
/// Prometheus reads as "no data" (`absent()`, `sum by (topic)` over the members that report).
final class ConsumerLagGauges: Sendable {
    static let label = "reentrybus_kafka_consumer_lag"

    private let clientID: String
    private let factory: any MetricsFactory
    private let exported = Mutex<[LagPartition: Gauge]>([:])

    init(clientID: String, factory: any MetricsFactory) {
        self.clientID = clientID
        self.factory = factory
    }

    /// Records `lag` and stops exporting the partitions it no longer holds.
    func update(_ lag: [LagPartition: Int]) {
        exported.withLock { gauges in
            for (partition, gauge) in gauges where lag[partition] == nil {
                gauge.destroy()
                gauges[partition] = nil
            }
            for (partition, messages) in lag {
                let gauge = gauges[partition] ?? Gauge(
                    label: Self.label,
                    dimensions: [("client", clientID), ("topic", partition.topic), ("partition", String(partition.partition))],
                    factory: factory)
                gauges[partition] = gauge
                gauge.record(messages)
            }
        }
    }

    /// The partitions exported now, for tests.
    var exportedPartitions: [LagPartition] { exported.withLock { $0.keys.sorted() } }
}
