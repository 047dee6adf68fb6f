import Foundation
import Logging
import TestSupport
import Testing

@testable import Kafka

@Suite("Configuration, logs and statistics")
struct ConfigurationTests {
    @Test("the defaults are the safe ones")
    func safeDefaults() {
        let producer = KafkaProducerConfiguration().rdKafkaProperties
        #expect(producer["enable.idempotence"] == "true")
        #expect(producer["acks"] == "all")
        let consumer = KafkaConsumerConfiguration(groupID: "g", topics: ["t"]).rdKafkaProperties
        #expect(consumer["enable.auto.offset.store"] == "false", "offsets are stored only after processing")
        #expect(consumer["auto.offset.reset"] == "earliest")
        #expect(consumer["heartbeat.interval.ms"] == "3000", "Kafka's default with a 45 s session")
    }

    @Test("raw properties override typed settings; TLS and SASL pass through")
    func rawPropertiesAndSecurity() {
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(
            security: .sasl(.init(mechanism: .scramSHA512, username: "svc-router", password: "s3cret"),
                             tls: .init(caLocation: "/etc/ssl/ca.pem"))))
        configuration.client.properties["linger.ms"] = "50"
        let properties = configuration.rdKafkaProperties
        #expect(properties["linger.ms"] == "50")
        #expect(properties["security.protocol"] == "sasl_ssl")
        #expect(properties["sasl.mechanisms"] == "SCRAM-SHA-512")
        #expect(properties["sasl.password"] == "s3cret")
        #expect(properties["ssl.ca.location"] == "/etc/ssl/ca.pem")
        #expect(!configuration.client.security.description.contains("s3cret"))
    }

    @Test("an unknown property is refused, naming it")
    func unknownProperty() {
        var configuration = KafkaProducerConfiguration()
        configuration.client.properties["lingr.ms"] = "5"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("lingr.ms") == true)
    }

    @Test("librdkafka's log lines reach swift-log")
    func logsReachSwiftLog() async throws {
        let records = Observed<[String]>([])
        var logger = Logger(label: "capture") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .debug
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"]))
        configuration.client.properties["debug"] = "broker"
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        try await within(.seconds(30), "a librdkafka log line") {
            await records.wait { lines in lines.contains { $0.contains("127.0.0.1:1") } }
        }
        await producer.shutdown()
    }

    @Test("statistics give a consumer's lag per partition (more in StatisticsTests)")
    func statisticsSnapshot() throws {
        let json = """
            {"name":"c#consumer-1","type":"consumer","msg_cnt":0,"msg_size":0,
             "topics":{"police.arrests":{"partitions":{
                "0":{"fetch_state":"active","consumer_lag":5,"consumer_lag_stored":5},
                "1":{"fetch_state":"active","consumer_lag":9,"consumer_lag_stored":7},
                "-1":{"fetch_state":"none","consumer_lag":-1,"consumer_lag_stored":-1}}},
               "courts.warrants":{"partitions":{"0":{"fetch_state":"active","consumer_lag":-1,"consumer_lag_stored":-1}}}}}
            """
        let statistics = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let snapshot = KafkaStatisticsSnapshot(statistics)
        #expect(snapshot.queuedMessages == nil && snapshot.queuedBytes == nil, "msg_cnt counts producer queues only")
        #expect(snapshot.consumerLag == [
            LagPartition(topic: "police.arrests", partition: 0): 5, LagPartition(topic: "police.arrests", partition: 1): 7,
        ], "unknown lag (-1) is left out")
    }
}

/// Collects log messages for assertions.
struct CapturingLogHandler: LogHandler {
    let records: Observed<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.update { $0.append("\(event.level) \(event.message)") }
    }
}

@Suite("Message bytes")
struct KafkaBytesTests {
    @Test("bytes of a batch's buffer read, compare and copy like arrays")
    func bytesBehaveLikeArrays() {
        let bytes = KafkaBytes(Array("SID-1001".utf8))
        #expect(Array(bytes) == Array("SID-1001".utf8))
        #expect(bytes == KafkaBytes(Array("SID-1001".utf8)))
        #expect(bytes != KafkaBytes(Array("SID-1002".utf8)))
        #expect(String(decoding: bytes, as: UTF8.self) == "SID-1001")
        #expect(bytes.withUnsafeBytes { $0.count } == 8)
        #expect(KafkaBytes([]).isEmpty)

        let message = KafkaConsumerMessage(
            topicPartition: TopicPartition(topic: "t", partition: 0), offset: KafkaOffset(3), key: nil, value: [1, 2, 3])
        #expect(message.value == [1, 2, 3])
        #expect(message.key == nil)
        #expect(Array(message.payload) == [1, 2, 3])
    }

    @Test("each message of a batch reads its own key, value, headers and timestamp")
    func batchMessagesAreViews() {
        var bytes = BatchBytes(capacity: 16, pool: nil)
        let firstKey = Array("SID-1".utf8).withUnsafeBytes { bytes.append($0) }
        let firstValue = Array("one".utf8).withUnsafeBytes { bytes.append($0) }
        let secondValue = Array("second".utf8).withUnsafeBytes { bytes.append($0) }
        let headers = [KafkaHeader(key: "event-type", value: "a"), KafkaHeader(key: "event-id", value: "1"),
                       KafkaHeader(key: "event-type", value: "b")]
        let records = [
            BatchContents.Record(topic: 0, partition: 2, offset: 10, keyStart: firstKey, keyCount: 5,
                                 valueStart: firstValue, valueCount: 3, timestamp: 1_000, headers: 0..<2),
            BatchContents.Record(topic: 1, partition: 0, offset: 4, keyStart: 0, keyCount: -1,
                                 valueStart: secondValue, valueCount: 6, timestamp: BatchContents.Record.noTimestamp,
                                 headers: 2..<3),
        ]
        let batch = KafkaConsumerBatch(BatchContents(bytes: bytes.storage, records: records, topics: ["arrests", "cases"], headers: headers))
        let messages = Array(batch)  // copies outlive the batch value
        #expect(messages.count == 2)
        #expect(messages[0].topicPartition == TopicPartition(topic: "arrests", partition: 2))
        #expect(messages[0].offset == KafkaOffset(10))
        #expect(messages[0].key == Array("SID-1".utf8) && messages[0].value == Array("one".utf8))
        #expect(messages[0].headers == Array(headers[0..<2]))
        #expect(messages[0].header("event-type")?.stringValue == "a")
        #expect(messages[0].timestampMilliseconds == 1_000)
        #expect(messages[1].topic == "cases" && messages[1].partition == 0)
        #expect(messages[1].key == nil && messages[1].value == Array("second".utf8))
        #expect(messages[1].header("event-type")?.stringValue == "b")
        #expect(messages[1].header("event-id") == nil)  // the first message's header stays its own
        #expect(messages[1].timestampMilliseconds == nil)
    }

    @Test("a batch buffer is reused only after its last message is released; the pool stays bounded")
    func batchBuffersAreReusedAfterRelease() {
        let pool = BatchBufferPool(keeping: 1, largest: 1 << 20)
        var batch: BatchBytes? = BatchBytes(capacity: 100_000, pool: pool)
        let start = batch!.append([UInt8](repeating: 7, count: 3), 3)
        var held: KafkaBytes? = KafkaBytes(storage: batch!.storage, offset: start, count: 3)
        let heldBase = UnsafeMutableRawPointer(mutating: held!.withUnsafeBytes { $0.baseAddress! })
        batch = nil
        let (taken, size) = pool.take(atLeast: 100_000)
        #expect(taken != heldBase)  // a message still holds that buffer: not handed out again
        #expect(size == 128 << 10)  // rounded up to a power of two
        #expect(Array(held!) == [7, 7, 7])
        pool.recycle(taken, capacity: size)  // kept: the pool had room for one
        held = nil  // the held buffer goes back too, finds the pool full and is freed
        let (reused, reusedSize) = pool.take(atLeast: 10)
        #expect(reused == taken && reusedSize == 128 << 10)
        let (fresh, freshSize) = pool.take(atLeast: 10)  // the pool is empty again
        #expect(freshSize == 64 << 10)
        pool.recycle(reused, capacity: reusedSize)
        pool.recycle(fresh, capacity: freshSize)
    }
}
