import Foundation
import Metrics
import TestSupport
import Testing

@testable import Kafka

@Suite("Topic reader on the embedded broker", .timeLimit(.minutes(2)))
struct TopicReaderTests {
    @Test("two readers of one topic each read every message of every partition, old and new")
    func everyReaderReadsEverything() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("reference")
        try kafka.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let before = (0..<40).map { KafkaProducerMessage(topic: topic, key: "agency-\($0)", value: "before-\($0)") }
        #expect(try await producer.sendBatch(before).delivered == 40)

        let configuration = kafka.topicReaderConfiguration(topics: [topic])
        let a = try KafkaTopicReader(configuration: configuration, logger: testLogger)
        let b = try KafkaTopicReader(configuration: configuration, logger: testLogger)
        let collector = MessageCollector()
        collector.start(a, name: "a")
        collector.start(b, name: "b")
        try await within(.seconds(30), "both readers to catch up") {
            try await a.waitUntilCaughtUp()
            try await b.waitUntilCaughtUp()
        }
        #expect(a.partitions.count == 4 && b.partitions == a.partitions)

        let after = (0..<40).map { KafkaProducerMessage(topic: topic, key: "agency-\($0)", value: "after-\($0)") }
        #expect(try await producer.sendBatch(after).delivered == 40)
        try await within(.seconds(30), "every message twice over") { await collector.waitFor(160) }
        await producer.shutdown()
        #expect(await a.close() == nil)
        #expect(await b.close() == nil)

        let sent = Set((before + after).map { String(decoding: $0.value, as: UTF8.self) })
        for name in ["a", "b"] {
            let read = collector.messages(of: name)
            #expect(read.count == 80, "reader \(name) read each message once")
            #expect(Set(read.map { String(decoding: $0.value, as: UTF8.self) }) == sent, "reader \(name)")
            #expect(Set(read.map(\.partition)).count == 4, "reader \(name) read every partition")
        }
    }

    @Test("each partition starts where the caller says: an offset, the end, or (unnamed) the beginning")
    func startOffsets() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("starts")
        try kafka.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        for partition in Int32(0)..<3 {
            let messages = (0..<10).map { KafkaProducerMessage(topic: topic, key: nil, value: "p\(partition)-\($0)", partition: partition) }
            #expect(try await producer.sendBatch(messages).delivered == 10)
        }

        let (p0, p1, p2) = (TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1),
                            TopicPartition(topic: topic, partition: 2))
        let reader = try KafkaTopicReader(
            configuration: kafka.topicReaderConfiguration(topics: [topic]),
            startingAt: [p0: KafkaOffset(4), p2: KafkaOffset(10)], logger: testLogger)
        let collector = MessageCollector()
        collector.start(reader)
        try await within(.seconds(30), "the reader to catch up") { try await reader.waitUntilCaughtUp() }
        // The collector appends each message before asking for the next, so all are here.
        let offsets = { (partition: TopicPartition) in
            collector.messages.filter { $0.topicPartition == partition }.map(\.offset.rawValue)
        }
        #expect(offsets(p0) == Array(4..<10))
        #expect(offsets(p1) == Array(0..<10))
        #expect(offsets(p2).isEmpty, "started at its end")
        #expect(collector.messages.count == 16)

        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: "p2-new", partition: 2))
        try await within(.seconds(30), "the new message") { await collector.waitFor(17) }
        #expect(offsets(p2) == [10])
        await producer.shutdown()
        #expect(await reader.close() == nil)
    }

    @Test("caught up is signalled once, after the application finished the last message there was at start, and not before")
    func caughtUpOnce() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("caught-up")
        try kafka.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        let existing = 30
        #expect(try await producer.sendBatch((0..<existing).map {
            KafkaProducerMessage(topic: topic, key: "k\($0)", value: "old-\($0)")
        }).delivered == existing)

        let metrics = GaugeHistory()
        var configuration = kafka.topicReaderConfiguration(topics: [topic], clientID: "reader-caught-up")
        configuration.maxBatchSize = 4  // several batches before the end
        configuration.client.statisticsInterval = .milliseconds(100)
        let reader = try KafkaTopicReader(
            configuration: configuration, startingAt: [:], logger: testLogger, metrics: metrics, cluster: { $0 })
        let caughtUpSeries = GaugeHistory.Series(label: KafkaTopicReader.caughtUpLabel, dimensions: ["client": "reader-caught-up"])

        // The application: records, for each message it is handed, whether the reader already
        // claimed to be caught up.
        let handed = Observed<[(value: String, caughtUp: Bool)]>([])
        let application = Task {
            for try await message in reader.messages {
                let caughtUp = reader.isCaughtUp
                handed.update { $0.append((String(decoding: message.value, as: UTF8.self), caughtUp)) }
            }
        }
        let seenAtCatchUp: Int = try await within(.seconds(30), "catching up") {
            try await reader.waitUntilCaughtUp()
            return handed.value.count
        }
        #expect(seenAtCatchUp == existing, "signalled once every old message was handed over and finished")
        #expect(handed.value.allSatisfy { !$0.caughtUp }, "never while the application still held an old message")
        #expect(metrics.history(caughtUpSeries) == [0, 1])

        // Later messages are read; the signal stays as it was, announced once.
        #expect(try await producer.sendBatch((0..<10).map {
            KafkaProducerMessage(topic: topic, key: "k\($0)", value: "new-\($0)")
        }).delivered == 10)
        try await within(.seconds(30), "the new messages") { await handed.wait { $0.count == existing + 10 } }
        #expect(handed.value.suffix(10).allSatisfy { $0.caughtUp && $0.value.hasPrefix("new-") })
        try await reader.waitUntilCaughtUp()  // at once
        #expect(metrics.history(caughtUpSeries) == [0, 1])

        // The lag gauges say so too, once a statistics document has the ends.
        try await within(.seconds(30), "lag 0 on both partitions") {
            await metrics.wait { values in
                (0..<2).allSatisfy { partition in
                    values[GaugeHistory.Series(label: ConsumerLagGauges.label, dimensions: [
                        "client": "reader-caught-up", "topic": topic, "partition": "\(partition)",
                    ])]?.last == 0
                }
            }
        }
        await producer.shutdown()
        #expect(await reader.close() == nil)
        try await application.value  // the sequence ended without an error
    }

    @Test("readers join no group and commit nothing: no group request reaches any broker")
    func noGroup() async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("no-group")
        try kafka.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        #expect(try await producer.sendBatch((0..<30).map { KafkaProducerMessage(topic: topic, key: "k\($0)", value: "m\($0)") })
            .delivered == 30)

        // One error waits at every broker for each kind of group request: any such request
        // takes one, and what is left can be counted.
        let groupRequests: [KafkaAPI] = [.findCoordinator, .joinGroup, .syncGroup, .heartbeat, .leaveGroup, .offsetCommit, .offsetFetch]
        let pending = {
            try groupRequests.map { api in try (1...Int32(3)).map { try kafka.pendingErrors(api, broker: $0) }.reduce(0, +) }
        }
        for api in groupRequests {
            for broker in Int32(1)...3 { try kafka.failNextRequests(api, broker: broker, with: [.coordinatorNotAvailable]) }
        }
        #expect(try pending() == Array(repeating: 3, count: groupRequests.count))

        let configuration = kafka.topicReaderConfiguration(topics: [topic])
        let readers = try (0..<2).map { _ in try KafkaTopicReader(configuration: configuration, logger: testLogger) }
        let collector = MessageCollector()
        for (index, reader) in readers.enumerated() { collector.start(reader, name: "\(index)") }
        try await within(.seconds(30), "both readers to read everything") { await collector.waitFor(60) }
        for reader in readers {
            try await reader.waitUntilCaughtUp()
            #expect(await reader.close() == nil)
        }
        #expect(try pending() == Array(repeating: 3, count: groupRequests.count), "no group request was made")

        // The probe sees group traffic: a consumer-group member takes some of those errors. It
        // starts from the beginning, so that it needs no committed offsets (librdkafka 2.0.2
        // does not retry that fetch after an error, and the member would never start).
        var groupConfiguration = kafka.consumerConfiguration(groupID: unique("group"), topics: [topic])
        groupConfiguration.commitStrategy = .manual
        let fromTheBeginning = KafkaRebalanceHandler(partitionsAssigned: { partitions in
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) })
        })
        let member = try KafkaConsumer(configuration: groupConfiguration, rebalanceHandler: fromTheBeginning, logger: testLogger)
        let read: KafkaConsumerMessage? = try await within(.seconds(90), "the group member's first message") {
            for try await message in member.messages { return message }
            return nil
        }
        #expect(read != nil)
        let afterJoining = try pending()
        for api in [KafkaAPI.findCoordinator, .joinGroup, .syncGroup] {
            let index = groupRequests.firstIndex(of: api)!
            #expect(afterJoining[index] < 3, "joining a group shows in the \(api.rawValue) count: \(afterJoining)")
        }
        await member.close()
        await producer.shutdown()
    }

    @Test("closing ends the sequence and the waits, stops in time, and may be repeated")
    func cleanClose() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("close")
        try kafka.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: "one", partition: 0))
        await producer.shutdown()

        // Never iterated: it cannot catch up, so a waiter is still waiting when it closes.
        let idle = try KafkaTopicReader(configuration: kafka.topicReaderConfiguration(topics: [topic]), logger: testLogger)
        let waiting = Task { try await idle.waitUntilCaughtUp() }
        // Iterated, and waiting for more when it closes.
        let busy = try KafkaTopicReader(configuration: kafka.topicReaderConfiguration(topics: [topic]), logger: testLogger)
        let iterating = Task {
            var count = 0
            for try await _ in busy.messages { count += 1 }
            return count
        }
        try await within(.seconds(30), "the busy reader to catch up") { try await busy.waitUntilCaughtUp() }

        let outcomes = await withTaskGroup(of: KafkaError?.self) { group in
            for reader in [idle, idle, busy] { group.addTask { await reader.close() } }
            var outcomes: [KafkaError?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 3 && outcomes.allSatisfy { $0 == nil }, "stopped in time")
        #expect(try await iterating.value == 1, "the sequence ended, without an error")
        let failure = await #expect(throws: KafkaError.self) { try await waiting.value }
        #expect(failure?.code == .closed)
        #expect(busy.isCaughtUp && !idle.isCaughtUp)
        #expect(await busy.close() == nil, "closing again returns the same, at once")
    }

    @Test("a topic that does not exist ends the sequence with unknownTopic, naming it")
    func unknownTopic() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        // The embedded broker creates any topic a client asks about; a deleted one answers
        // "unknown topic", as a real cluster does for a topic it does not have.
        let topic = unique("missing")
        try kafka.createTopic(topic, partitions: 1)
        try await kafka.administrator().deleteTopic(named: topic)
        let reader = try KafkaTopicReader(configuration: kafka.topicReaderConfiguration(topics: [topic]), logger: testLogger)
        let error = await #expect(throws: KafkaError.self) {
            try await within(.seconds(30), "the reader to fail") { () async throws -> Void in
                for try await _ in reader.messages {}
            }
        }
        #expect(error?.code == .unknownTopic)
        #expect(error?.description.contains(topic) == true, "\(error.map(\.description) ?? "")")
        let waited = await #expect(throws: KafkaError.self) { try await reader.waitUntilCaughtUp() }
        #expect(waited?.code == .unknownTopic)
        #expect(await reader.close() == nil)
    }

    @Test("partitions that appear later are read from the beginning, or the offset named, and do not hold back catching up")
    func addedPartitions() async throws {
        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        defer { kafka.shutdown() }
        let topic = unique("growing")
        // The embedded broker cannot add partitions to a topic: the reader is shown only the
        // first two of four until the test reveals the others, as a cluster would after
        // partitions were added (the fetching itself is real).
        try kafka.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
        for partition in Int32(0)..<4 {
            let messages = (0..<5).map { KafkaProducerMessage(topic: topic, key: nil, value: "p\(partition)-\($0)", partition: partition) }
            #expect(try await producer.sendBatch(messages).delivered == 5)
        }
        await producer.shutdown()

        let visible = Observed<Int32>(2)
        var configuration = kafka.topicReaderConfiguration(topics: [topic])
        configuration.partitionDiscoveryInterval = .milliseconds(200)
        let p3 = TopicPartition(topic: topic, partition: 3)
        let reader = try KafkaTopicReader(
            configuration: configuration, startingAt: [p3: KafkaOffset(2)], logger: testLogger,
            metrics: MetricsSystem.factory, cluster: { PartialCluster(client: $0, visible: visible) })
        let collector = MessageCollector()
        collector.start(reader)
        try await within(.seconds(30), "catching up with the two partitions there were") { try await reader.waitUntilCaughtUp() }
        #expect(collector.messages.count == 10)
        #expect(reader.partitions.map(\.partition).sorted() == [0, 1])

        visible.update { $0 = 4 }
        try await within(.seconds(30), "the added partitions' messages") { await collector.waitFor(10 + 5 + 3) }
        #expect(reader.partitions.map(\.partition).sorted() == [0, 1, 2, 3])
        let offsets = { (partition: Int32) in collector.messages.filter { $0.partition == partition }.map(\.offset.rawValue) }
        #expect(offsets(2) == Array(0..<5), "an added partition is read from the beginning")
        #expect(offsets(3) == [2, 3, 4], "or from the offset named for it")
        #expect(await reader.close() == nil)
    }
}

/// The cluster as a reader sees it, showing only the first `visible` partitions of each topic.
private struct PartialCluster: ReaderCluster {
    let client: RDKafkaClient
    let visible: Observed<Int32>

    func partitions(of topic: String, timeout: Duration) -> Result<[Int32], KafkaError> {
        let visible = self.visible.value
        return client.partitions(of: topic, timeout: timeout).map { ids in ids.filter { $0 < visible } }
    }

    func watermarks(of partition: TopicPartition, timeout: Duration) -> Result<(low: Int64, high: Int64), KafkaError> {
        client.watermarks(of: partition, timeout: timeout)
    }
}

/// A swift-metrics backend that keeps every value each series was given, awaitable.
final class GaugeHistory: MetricsFactory, Sendable {
    struct Series: Hashable, Sendable {
        var label: String
        var dimensions: [String: String]
    }

    private let values = Observed<[Series: [Double]]>([:])

    func history(_ series: Series) -> [Double] { values.value[series] ?? [] }

    func wait(until ready: @escaping @Sendable ([Series: [Double]]) -> Bool) async {
        await values.wait(until: ready)
    }

    fileprivate func record(_ series: Series, _ value: Double) {
        values.update { $0[series, default: []].append(value) }
    }

    private func handler(_ label: String, _ dimensions: [(String, String)]) -> Handler {
        Handler(factory: self, series: Series(label: label, dimensions: Dictionary(dimensions, uniquingKeysWith: { $1 })))
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { handler(label, dimensions) }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { handler(label, dimensions) }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { handler(label, dimensions) }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let factory: GaugeHistory
        let series: Series

        init(factory: GaugeHistory, series: Series) {
            self.factory = factory
            self.series = series
        }

        func increment(by amount: Int64) { factory.record(series, Double(amount)) }
        func reset() { factory.record(series, 0) }
        func record(_ value: Int64) { factory.record(series, Double(value)) }
        func record(_ value: Double) { factory.record(series, value) }
        func recordNanoseconds(_ duration: Int64) { factory.record(series, Double(duration)) }
    }
}
