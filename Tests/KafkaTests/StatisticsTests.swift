import Foundation
import Metrics
import Synchronization
import Testing

@testable import Kafka

/// Consumer lag per partition from librdkafka's statistics: what the documents say (field
/// layout of librdkafka's STATISTICS.md, as 2.0.2 writes it), and what a scrape then sees,
/// across a rebalance that takes a partition away.
@Suite("Kafka statistics: queue depth and consumer lag per partition")
struct StatisticsTests {
    /// A consumer of the router's two topics holding partitions 0 and 1 of `police.arrests` and
    /// 0 and 1 of `supervision.cases`; partition 2 of `police.arrests` belongs to another
    /// member (known from metadata only).
    /// - arrests 0: stored offset 117 of 120 → lag 3 (`consumer_lag_stored`; the committed
    ///   offset trails at 110).
    /// - arrests 1: nothing stored since the assignment, committed 36 of 40 → lag 4 (fallback).
    /// - arrests 2: not assigned (`none`), every lag -1.
    /// - cases 0: caught up → lag 0.
    /// - cases 1: just assigned, its end not known yet → unknown (-1, -1).
    static let assigned = statistics(topics: [
        "police.arrests": [
            partition(0, state: "active", stored: 117, committed: 110, high: 120, lagStored: 3, lag: 10),
            partition(1, state: "active", stored: -1001, committed: 36, high: 40, lagStored: -1, lag: 4),
            partition(2, state: "none", stored: -1001, committed: -1001, high: -1001, lagStored: -1, lag: -1),
            unassignedPartition,
        ],
        "supervision.cases": [
            partition(0, state: "active", stored: 58, committed: 58, high: 58, lagStored: 0, lag: 0),
            partition(1, state: "offset-query", stored: -1001, committed: -1001, high: -1001, lagStored: -1, lag: -1),
            unassignedPartition,
        ],
    ])

    /// The next document, after a rebalance revoked partition 0 of `police.arrests`: librdkafka
    /// reset its stored offset (so `consumer_lag_stored` is -1) but kept its committed offset
    /// and last high watermark, so `consumer_lag` still says 7, stale. The others moved on.
    static let afterRevoke = statistics(topics: [
        "police.arrests": [
            partition(0, state: "stopped", stored: -1001, committed: 123, high: 130, lagStored: -1, lag: 7),
            partition(1, state: "active", stored: 41, committed: 40, high: 45, lagStored: 4, lag: 5),
            partition(2, state: "none", stored: -1001, committed: -1001, high: -1001, lagStored: -1, lag: -1),
            unassignedPartition,
        ],
        "supervision.cases": [
            partition(0, state: "active", stored: 60, committed: 58, high: 61, lagStored: 1, lag: 3),
            partition(1, state: "active", stored: 9, committed: 9, high: 9, lagStored: 0, lag: 0),
            unassignedPartition,
        ],
    ])

    static let arrests0 = LagPartition(topic: "police.arrests", partition: 0)
    static let arrests1 = LagPartition(topic: "police.arrests", partition: 1)
    static let cases0 = LagPartition(topic: "supervision.cases", partition: 0)
    static let cases1 = LagPartition(topic: "supervision.cases", partition: 1)

    /// A service's producer writing `bus.notifications`, with 5 messages not yet acknowledged.
    static let producer = statistics(type: "producer", msgCount: 5, msgSize: 900, topics: [
        "bus.notifications": [
            partition(0, state: "none", stored: -1001, committed: -1001, high: -1001, lagStored: -1, lag: -1),
            unassignedPartition,
        ],
    ])

    @Test("a consumer's document gives the lag of each assigned partition whose lag is known")
    func snapshotOfOneDocument() throws {
        let snapshot = KafkaStatisticsSnapshot(try Self.parse(Self.assigned))
        #expect(snapshot.queuedMessages == nil && snapshot.queuedBytes == nil, "msg_cnt and msg_size count producer queues only")
        #expect(snapshot.consumerLag == [Self.arrests0: 3, Self.arrests1: 4, Self.cases0: 0],
                "stored lag first, committed lag as fallback; unassigned, unknown (-1) and the internal partition -1 left out")
    }

    @Test("a revoked partition is not read from its stale committed lag")
    func revokedPartitionIsLeftOut() throws {
        let snapshot = KafkaStatisticsSnapshot(try Self.parse(Self.afterRevoke))
        #expect(snapshot.consumerLag == [Self.arrests1: 4, Self.cases0: 1, Self.cases1: 0])
    }

    @Test("a producer's document gives its queue depth and no consumer lag")
    func producerDocument() throws {
        let snapshot = KafkaStatisticsSnapshot(try Self.parse(Self.producer))
        #expect(snapshot.queuedMessages == 5 && snapshot.queuedBytes == 900)
        #expect(snapshot.consumerLag.isEmpty)
    }

    /// What Prometheus would scrape between documents: one series per assigned partition, the
    /// revoked one gone (not 0) after the rebalance, and back when it is assigned again.
    @Test("the reporter exports lag per partition and stops exporting a partition once it is revoked")
    func reporterAcrossARevoke() throws {
        let metrics = RecordingMetrics()
        let reporter = KafkaStatisticsReporter(clientID: "reentrybus-router", factory: metrics)
        let lag = { (partition: LagPartition) in
            metrics.value(ConsumerLagGauges.label, ["client": "reentrybus-router", "topic": partition.topic, "partition": "\(partition.partition)"])
        }

        Self.report(Self.assigned, to: reporter)
        #expect(lag(Self.arrests0) == 3 && lag(Self.arrests1) == 4 && lag(Self.cases0) == 0)
        #expect(metrics.series(named: ConsumerLagGauges.label).count == 3, "\(metrics.series(named: ConsumerLagGauges.label))")

        Self.report(Self.afterRevoke, to: reporter)
        #expect(lag(Self.arrests0) == nil, "the revoked partition keeps no value")
        #expect(lag(Self.arrests1) == 4 && lag(Self.cases0) == 1 && lag(Self.cases1) == 0)
        #expect(metrics.series(named: ConsumerLagGauges.label).count == 3, "\(metrics.series(named: ConsumerLagGauges.label))")

        Self.report(Self.assigned, to: reporter)
        #expect(lag(Self.arrests0) == 3, "assigned again: exported again")
        #expect(lag(Self.cases1) == nil, "its lag unknown again: not exported")
    }

    /// A service's producer and consumer share a client id (`reentrybus-router`): the
    /// consumer's documents (msg_cnt 0) must not overwrite the producer's queue depth.
    @Test("the queue depth of a client id is the producer's, whatever its consumer reports")
    func producerQueueDepthSurvivesTheConsumer() throws {
        let metrics = RecordingMetrics()
        let producer = KafkaStatisticsReporter(clientID: "reentrybus-router", factory: metrics)
        let consumer = KafkaStatisticsReporter(clientID: "reentrybus-router", factory: metrics)
        Self.report(Self.producer, to: producer)
        Self.report(Self.assigned, to: consumer)
        #expect(metrics.value("reentrybus_kafka_queue_messages", ["client": "reentrybus-router"]) == 5)
        #expect(metrics.value("reentrybus_kafka_queue_bytes", ["client": "reentrybus-router"]) == 900)
        #expect(metrics.series(named: ConsumerLagGauges.label).count == 3)
    }

    /// A topic reader stores no offsets, so librdkafka's lags are unknown (-1): its lag is each
    /// partition's end in the document less what its application has finished.
    @Test("a topic reader's lag is the end of each partition it reads less what its application finished")
    func readerLag() throws {
        let metrics = RecordingMetrics()
        let positions: [TopicPartition: Int64] = [
            TopicPartition(topic: "police.arrests", partition: 0): 115,
            TopicPartition(topic: "police.arrests", partition: 1): 40,
            TopicPartition(topic: "supervision.cases", partition: 0): 60,  // ahead of a stale end
        ]
        let reporter = KafkaStatisticsReporter(clientID: "reentrybus-resolver", factory: metrics, readerPositions: { positions })
        Self.report(Self.assigned, to: reporter)
        let lag = { (partition: LagPartition) in
            metrics.value(ConsumerLagGauges.label, ["client": "reentrybus-resolver", "topic": partition.topic, "partition": "\(partition.partition)"])
        }
        #expect(lag(Self.arrests0) == 5 && lag(Self.arrests1) == 0)
        #expect(lag(Self.cases0) == 0, "never below 0")
        #expect(lag(Self.cases1) == nil, "its end is not known yet")
        #expect(metrics.series(named: ConsumerLagGauges.label).count == 3, "partitions not fetched are left out")
    }

    @Test("a document that is not a JSON object is counted and changes no gauge")
    func unreadableDocument() throws {
        let metrics = RecordingMetrics()
        let reporter = KafkaStatisticsReporter(clientID: "reentrybus-inbox", factory: metrics)
        Self.report(Self.assigned, to: reporter)
        Self.report("[1, 2", to: reporter)
        Self.report("[1, 2]", to: reporter)
        #expect(metrics.value("reentrybus_kafka_statistics_unreadable_total", ["client": "reentrybus-inbox"]) == 2)
        #expect(metrics.series(named: ConsumerLagGauges.label).count == 3, "the last good document's lag stays")
    }

    // MARK: - Documents

    static func parse(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    static func report(_ json: String, to reporter: KafkaStatisticsReporter) {
        Array(json.utf8).withUnsafeBytes { reporter.report($0) }
    }

    /// A statistics document as librdkafka 2.0.2 writes one (top level, `topics` with their
    /// `partitions`, the consumer group), with the fields this reporter does not read kept in
    /// place so that it is read among them.
    static func statistics(type: String = "consumer", msgCount: Int = 0, msgSize: Int = 0, topics: [String: [String]]) -> String {
        let topicObjects = topics.sorted { $0.key < $1.key }.map { name, partitions in
            """
            "\(name)": { "topic":"\(name)", "age":120034, "metadata_age":4012,
              "batchsize": { "min":0, "max":0, "avg":0, "sum":0, "stddev": 0, "p50": 0, "p75": 0, "p90": 0, "p95": 0, "p99": 0, "p99_99": 0, "outofrange": 0, "hdrsize": 14448, "cnt":0 },
              "batchcnt": { "min":0, "max":0, "avg":0, "sum":0, "stddev": 0, "p50": 0, "p75": 0, "p90": 0, "p95": 0, "p99": 0, "p99_99": 0, "outofrange": 0, "hdrsize": 8304, "cnt":0 },
              "partitions": { \(partitions.joined(separator: ", ")) } }
            """
        }
        return """
            { "name": "reentrybus-router#\(type)-1", "client_id": "reentrybus-router", "type": "\(type)", "ts":5012345678, "time":1764500000,
              "age":120034567, "replyq":0, "msg_cnt":\(msgCount), "msg_size":\(msgSize), "msg_max":100000, "msg_size_max":1073741824,
              "simple_cnt":0, "metadata_cache_cnt":2,
              "brokers":{ "127.0.0.1:9092/1": { "name":"127.0.0.1:9092/1", "nodeid":1, "nodename":"127.0.0.1:9092", "source":"configured",
                "state":"UP", "stateage":120001234, "outbuf_cnt":0, "outbuf_msg_cnt":0, "waitresp_cnt":1, "waitresp_msg_cnt":0,
                "tx":1520, "txbytes":190112, "txerrs":0, "txretries":0, "txidle":10234, "req_timeouts":0, "rx":1519, "rxbytes":250113,
                "rxerrs":0, "rxcorriderrs":0, "rxpartial":0, "rxidle":10112, "zbuf_grow":0, "buf_grow":0, "wakeups":3040, "connects":1,
                "disconnects":0, "req": { "Fetch": 1401, "OffsetCommit": 24, "Heartbeat": 40 }, "toppars":{} } },
              "topics":{ \(topicObjects.joined(separator: ", ")) },
              "cgrp": { "state": "up", "stateage": 120000, "join_state": "steady", "rebalance_age": 60000, "rebalance_cnt": 2,
                "rebalance_reason": "group rebalanced (memberId=rdkafka-5f1c)", "assignment_size": 4 },
              "tx":1520, "tx_bytes":190112, "rx":1519, "rx_bytes":250113, "txmsgs":0, "txmsg_bytes":0, "rxmsgs":214, "rxmsg_bytes":98112 }
            """
    }

    /// One entry of a topic's `partitions`, keyed by the partition id.
    static func partition(
        _ id: Int, state: String, stored: Int, committed: Int, high: Int, lagStored: Int, lag: Int
    ) -> String {
        """
        "\(id)": { "partition":\(id), "broker":1, "leader":1, "desired":false, "unknown":false, "msgq_cnt":0, "msgq_bytes":0,
          "xmit_msgq_cnt":0, "xmit_msgq_bytes":0, "fetchq_cnt":0, "fetchq_size":0, "fetch_state":"\(state)", "query_offset":-1001,
          "next_offset":\(max(stored, committed, 0)), "app_offset":\(stored), "stored_offset":\(stored), "stored_leader_epoch":-1,
          "commited_offset":\(committed), "committed_offset":\(committed), "committed_leader_epoch":-1, "eof_offset":-1001,
          "lo_offset":0, "hi_offset":\(high), "ls_offset":\(high), "consumer_lag":\(lag), "consumer_lag_stored":\(lagStored),
          "leader_epoch":0, "txmsgs":0, "txbytes":0, "rxmsgs":\(max(high, 0)), "rxbytes":\(max(high, 0) * 400), "msgs": \(max(high, 0)),
          "rx_ver_drops": 0, "msgs_inflight": 0, "next_ack_seq": 0, "next_err_seq": 0, "acked_msgid": 0 }
        """
    }

    /// librdkafka's internal partition -1 (UA: messages not yet given a partition).
    static let unassignedPartition = partition(-1, state: "none", stored: -1001, committed: -1001, high: -1001, lagStored: -1, lag: -1)
}

/// A swift-metrics backend that keeps the last value of each live series, for assertions: a
/// destroyed metric's series is gone, as Prometheus' registry drops it.
final class RecordingMetrics: MetricsFactory, Sendable {
    struct Series: Hashable, CustomStringConvertible {
        var label: String
        var dimensions: [String: String]
        var description: String { "\(label)\(dimensions.sorted { $0.key < $1.key })" }
    }

    private let values = Mutex<[Series: Double]>([:])

    func value(_ label: String, _ dimensions: [String: String]) -> Double? {
        values.withLock { $0[Series(label: label, dimensions: dimensions)] }
    }

    func series(named label: String) -> [Series] {
        values.withLock { $0.keys.filter { $0.label == label } }
    }

    fileprivate func set(_ series: Series, _ update: (Double) -> Double) {
        values.withLock { $0[series] = update($0[series] ?? 0) }
    }

    fileprivate func remove(_ handler: AnyObject) {
        guard let handler = handler as? Handler else { return }
        values.withLock { $0[handler.series] = nil }
    }

    private func handler(_ label: String, _ dimensions: [(String, String)]) -> Handler {
        Handler(factory: self, series: Series(label: label, dimensions: Dictionary(dimensions, uniquingKeysWith: { $1 })))
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { handler(label, dimensions) }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { handler(label, dimensions) }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { handler(label, dimensions) }
    func destroyCounter(_ handler: any CounterHandler) { remove(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { remove(handler) }
    func destroyTimer(_ handler: any TimerHandler) { remove(handler) }

    /// One series: counters add, recorders (gauges) set, timers keep the last duration.
    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let factory: RecordingMetrics
        let series: Series

        init(factory: RecordingMetrics, series: Series) {
            self.factory = factory
            self.series = series
        }

        func increment(by amount: Int64) { factory.set(series) { $0 + Double(amount) } }
        func reset() { factory.set(series) { _ in 0 } }
        func record(_ value: Int64) { factory.set(series) { _ in Double(value) } }
        func record(_ value: Double) { factory.set(series) { _ in value } }
        func recordNanoseconds(_ duration: Int64) { factory.set(series) { _ in Double(duration) } }
    }
}
