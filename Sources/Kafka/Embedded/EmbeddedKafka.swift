import CRdKafka
import Logging
import ServiceLifecycle

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real Kafka protocol on
/// loopback ports, with N brokers and fault injection.
///
/// It is what `reentrybus dev`, `reentrybus broker` and the tests run on. It keeps everything
/// in memory and has documented gaps (no CreateTopics/DeleteTopics requests, about 5 MiB kept
/// per partition, slow group rebalances, empty fetches held for `fetch.wait.max.ms`; see
/// `shared/notes/embedded-broker.md`): use Apache Kafka in production.
/// `producerConfiguration()` and `consumerConfiguration(groupID:topics:)` give client settings
/// tuned for it.
public final class EmbeddedKafka: Sendable {
    /// Broker ids are 1…`brokerCount`.
    public let brokerCount: Int
    /// `host:port,host:port,…` of the brokers.
    public let bootstrapServers: String

    private let owner: RDKafkaClient
    private let cluster: MockCluster
    private let logger: Logger
    private let state = LockedValue<(shutDown: Bool, topicConfigs: [String: [String: String]], deleted: Set<String>)>(
        (false, [:], []))

    /// Starts a cluster of `brokers` brokers.
    public init(brokers: Int = 3, logger: Logger = Logger(label: "reentrybus.embedded-kafka")) throws(KafkaError) {
        guard (1...32).contains(brokers) else {
            throw KafkaError(code: .invalidArgument, operation: "start embedded broker", reason: "brokers must be 1…32, not \(brokers)")
        }
        let context = ClientContext(logger: logger, statistics: KafkaStatisticsReporter(clientID: "embedded-kafka"))
        // The mock cluster lives inside a client handle; this one never connects anywhere.
        let owner = try RDKafkaClient(
            kind: .producer, properties: ["client.id": "embedded-kafka", "log_level": "3"], context: context)
        guard let cluster = rd_kafka_mock_cluster_new(owner.handle, Int32(brokers)) else {
            owner.destroy()
            throw KafkaError(code: .other, operation: "start embedded broker", reason: "librdkafka could not create the mock cluster")
        }
        self.owner = owner
        self.cluster = MockCluster(cluster)
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.logger = logger
    }

    deinit {
        shutdown()
    }

    /// Stops every broker and frees the cluster. Clients still connected see their brokers go
    /// away. Safe to call more than once.
    public func shutdown() {
        let first = state.withLock { state in
            defer { state.shutDown = true }
            return !state.shutDown
        }
        guard first else { return }
        rd_kafka_mock_cluster_destroy(cluster.handle)
        owner.destroy()
    }

    // MARK: Topics

    /// Creates a topic (the mock cluster does not answer CreateTopics requests).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions > 0 else {
            throw KafkaError(code: .invalidArgument, operation: "create topic \(name)", reason: "partitions must be positive")
        }
        let code = withCluster { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, operation: "create topic \(name)")
        }
    }

    /// An administrator for this cluster: topics are created through the mock cluster's own
    /// API, configs are remembered here (the mock keeps none), and a deleted topic answers
    /// "unknown topic" to every client (its data stays in memory until shutdown).
    public func administrator(timeout: Duration = .seconds(10)) throws(KafkaError) -> some KafkaTopicAdministrator {
        EmbeddedTopicAdministrator(kafka: self, metadata: try KafkaAdmin(
            configuration: clientConfiguration(clientID: "embedded-admin"), timeout: timeout, logger: logger))
    }

    func recordConfigs(_ configs: [String: String], for topic: String) {
        state.withLock { state in
            state.topicConfigs[topic] = configs
            state.deleted.remove(topic)
        }
    }

    func configs(of topic: String) -> [String: String] { state.withLock { $0.topicConfigs[topic] ?? [:] } }
    func isDeleted(_ topic: String) -> Bool { state.withLock { $0.deleted.contains(topic) } }

    func markDeleted(_ topic: String) {
        state.withLock { state in
            state.deleted.insert(topic)
            state.topicConfigs[topic] = nil
        }
        withCluster { rd_kafka_mock_topic_set_error($0, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) }
    }

    func undelete(_ topic: String) {
        withCluster { rd_kafka_mock_topic_set_error($0, topic, RD_KAFKA_RESP_ERR_NO_ERROR) }
    }

    // MARK: Fault injection

    /// Takes a broker down: its connections are dropped and new ones refused until `setBrokerUp`.
    public func setBrokerDown(_ broker: Int32) {
        withCluster { _ = rd_kafka_mock_broker_set_down($0, broker) }
    }

    public func setBrokerUp(_ broker: Int32) {
        withCluster { _ = rd_kafka_mock_broker_set_up($0, broker) }
    }

    /// Adds `delay` to every response of a broker.
    public func setRoundTripTime(_ delay: Duration, broker: Int32) {
        withCluster { _ = rd_kafka_mock_broker_set_rtt($0, broker, Int32(delay.milliseconds)) }
    }

    /// Makes the next `errors.count` requests of kind `api` (to any broker) fail with these
    /// errors, in order.
    public func failNextRequests(_ api: KafkaAPI, with errors: [KafkaBrokerError]) {
        var codes = errors.map { rd_kafka_resp_err_t($0.rawValue) }
        withCluster { cluster in
            codes.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, buffer.count, buffer.baseAddress)
            }
        }
    }

    /// Moves a partition's leadership to `broker`.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) {
        withCluster { _ = rd_kafka_mock_partition_set_leader($0, topic, partition, broker) }
    }

    // MARK: Client settings

    /// Client settings pointing at this cluster.
    public func clientConfiguration(clientID: String = "reentrybus") -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: [bootstrapServers], clientID: clientID)
    }

    /// Producer properties the mock cluster needs: with more than one produce request in
    /// flight per connection it answers them slowly (measured: 10 messages spread over 10
    /// partitions took 48 ms to be acknowledged with librdkafka's default of 5 in flight, and
    /// 5.6 ms, one linger, with 1). Apache Kafka does not need this.
    public static let producerTuning: [String: String] = ["max.in.flight.requests.per.connection": "1"]

    /// Producer settings for this cluster: the safe defaults, bootstrapped here, plus
    /// `producerTuning`.
    public func producerConfiguration(clientID: String = "reentrybus-producer") -> KafkaProducerConfiguration {
        var client = clientConfiguration(clientID: clientID)
        client.properties.merge(Self.producerTuning) { _, tuned in tuned }
        return KafkaProducerConfiguration(client: client)
    }

    /// How long consumers of the mock cluster let it hold a fetch. A real broker answers a held
    /// fetch as soon as data arrives; the mock holds an empty fetch for the whole wait, so every
    /// consumer hop waits up to this long for data already there (measured on the pipeline's
    /// two hops: 5 ms instead of 10 ms took ~5 ms off p50). Shorter costs the mock more empty
    /// fetches: 200 a second per idle consumer.
    public static let fetchMaxWait: Duration = .milliseconds(5)

    /// Consumer settings tuned for the mock cluster: short fetch wait (`fetchMaxWait`) and a
    /// 6-second session (it rebalances in session timeout − 1 s).
    public func consumerConfiguration(groupID: String, topics: [String], clientID: String = "reentrybus-consumer") -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            client: clientConfiguration(clientID: clientID), groupID: groupID, topics: topics,
            sessionTimeout: .seconds(6), fetchMaxWait: Self.fetchMaxWait)
    }

    @discardableResult
    private func withCluster<Result>(_ body: (OpaquePointer) -> Result) -> Result {
        state.withLock { state in
            precondition(!state.shutDown, "the embedded Kafka cluster was shut down")
            return body(cluster.handle)
        }
    }
}

/// `rd_kafka_mock_cluster_t`; librdkafka serialises its calls onto the mock cluster's thread.
final class MockCluster: @unchecked Sendable {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
}

/// Kafka request kinds, for injecting errors (`EmbeddedKafka.failNextRequests`).
public struct KafkaAPI: Hashable, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPI(rawValue: 0)
    public static let fetch = KafkaAPI(rawValue: 1)
    public static let listOffsets = KafkaAPI(rawValue: 2)
    public static let metadata = KafkaAPI(rawValue: 3)
    public static let offsetCommit = KafkaAPI(rawValue: 8)
    public static let offsetFetch = KafkaAPI(rawValue: 9)
    public static let findCoordinator = KafkaAPI(rawValue: 10)
    public static let joinGroup = KafkaAPI(rawValue: 11)
    public static let heartbeat = KafkaAPI(rawValue: 12)
    public static let syncGroup = KafkaAPI(rawValue: 14)
    public static let initProducerID = KafkaAPI(rawValue: 22)
}

/// Error codes a broker can answer with (Kafka protocol codes), for fault injection.
public struct KafkaBrokerError: Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    public static let requestTimedOut = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    public static let messageTooLarge = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue)
    public static let invalidRecord = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_INVALID_RECORD.rawValue)
    public static let topicAuthorizationFailed = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue)
    public static let coordinatorNotAvailable = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
}

extension EmbeddedKafka: Service {
    /// Serves until graceful shutdown (or cancellation), then stops the cluster.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}
