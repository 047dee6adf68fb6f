import Logging
import ServiceLifecycle

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the real Kafka protocol on
/// loopback ports, with N brokers and fault injection.
///
/// It is what `reentrybus dev`, `reentrybus broker` and the tests run on. It keeps everything
/// in memory and has documented gaps (no CreateTopics/DeleteTopics requests, about 5 MiB kept
/// per partition, slow group rebalances, empty fetches held for `fetch.wait.max.ms`; see
/// `shared/notes/embedded-broker.md`): use Apache Kafka in production.
/// `producerConfiguration()`, `consumerConfiguration(groupID:topics:)` and
/// `topicReaderConfiguration(topics:)` give client settings
/// tuned for it.
public final class EmbeddedKafka: Sendable {
    /// Broker ids are 1…`brokerCount`.
    public let brokerCount: Int
    /// `host:port,host:port,…` of the brokers.
    public let bootstrapServers: String

    private let cluster: RDKafkaMockCluster
    private let logger: Logger
    private let state = LockedValue(EmbeddedKafkaState())

    /// Starts a cluster of `brokers` brokers.
    public init(brokers: Int = 3, logger: Logger = Logger(label: "reentrybus.embedded-kafka")) throws(KafkaError) {
        guard (1...32).contains(brokers) else {
            throw KafkaError(code: .invalidArgument, operation: "start embedded broker", reason: "brokers must be 1…32, not \(brokers)")
        }
        let context = ClientContext(logger: logger, statistics: KafkaStatisticsReporter(clientID: "embedded-kafka"))
        let cluster = try RDKafkaMockCluster(brokers: brokers, context: context)
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = cluster.bootstrapServers
        self.logger = logger
    }

    deinit {
        // Released without shutdown: destroy on a thread of its own (it blocks while
        // librdkafka's threads stop), wherever the last reference went.
        if state.withLock({ $0.shutdown() }) {
            let cluster = self.cluster
            _ = DedicatedThread(name: "kafka-embed-end") { cluster.destroy() }
        }
    }

    /// Stops every broker and frees the cluster. Clients still connected see their brokers go
    /// away. Blocks while librdkafka's threads stop (a fraction of a second), so async code
    /// should prefer `run()`'s shutdown, which waits for it on a thread of its own. Safe to call
    /// more than once; afterwards the cluster's methods throw `.invalidUse`.
    public func shutdown() {
        if state.withLock({ $0.shutdown() }) { cluster.destroy() }
    }

    // MARK: Topics

    /// Creates a topic (the mock cluster does not answer CreateTopics requests).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions > 0 else {
            throw KafkaError(code: .invalidArgument, operation: "create topic \(name)", reason: "partitions must be positive")
        }
        try withCluster { cluster throws(KafkaError) in
            try cluster.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
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
        state.withLock { $0.recordConfigs(configs, for: topic) }
    }

    func configs(of topic: String) -> [String: String] { state.withLock { $0.configs(of: topic) } }
    func isDeleted(_ topic: String) -> Bool { state.withLock { $0.isDeleted(topic) } }

    func markDeleted(_ topic: String) throws(KafkaError) {
        try withClusterChanging { cluster in
            cluster.setTopicUnknown(topic, true)
            return { (state: inout EmbeddedKafkaState) in state.markDeleted(topic) }
        }
    }

    // MARK: Fault injection

    /// Takes a broker down: its connections are dropped and new ones refused until `setBrokerUp`.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try withCluster { $0.setBroker(broker, up: false) }
    }

    /// Brings a broker taken down by `setBrokerDown` back up, on its old port.
    ///
    /// librdkafka keeps that port by binding a new socket to it as soon as the broker goes down;
    /// when another socket took the port in between, that bind failed and this call aborts the
    /// process (an assertion in `rdkafka_mock.c`). Tests that bring a broker back run in a phase
    /// of their own (`scripts/test`); a test that only needs a broker gone leaves it down.
    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try withCluster { $0.setBroker(broker, up: true) }
    }

    /// Adds `delay` to every response of a broker.
    public func setRoundTripTime(_ delay: Duration, broker: Int32) throws(KafkaError) {
        try withCluster { $0.setRoundTripTime(milliseconds: Int32(delay.milliseconds), broker: broker) }
    }

    /// Makes the next `errors.count` requests of kind `api` (to any broker) fail with these
    /// errors, in order.
    public func failNextRequests(_ api: KafkaAPI, with errors: [KafkaBrokerError]) throws(KafkaError) {
        try withCluster { $0.failNextRequests(api: api.rawValue, errors: errors.map(\.rawValue)) }
    }

    /// Makes the next `errors.count` requests of kind `api` that `broker` receives fail with
    /// these errors, in order. Unlike `failNextRequests(_:with:)`, what is left of them can be
    /// counted (`pendingErrors(_:broker:)`): a test can tell whether any such request came.
    public func failNextRequests(_ api: KafkaAPI, broker: Int32, with errors: [KafkaBrokerError]) throws(KafkaError) {
        try withCluster { cluster throws(KafkaError) in
            for error in errors { try cluster.failNextRequest(api: api.rawValue, broker: broker, error: error.rawValue) }
        }
    }

    /// How many of the errors injected with `failNextRequests(_:broker:with:)` for `api` are
    /// still waiting for a request at `broker`.
    public func pendingErrors(_ api: KafkaAPI, broker: Int32) throws(KafkaError) -> Int {
        var count = 0
        try withCluster { cluster throws(KafkaError) in count = try cluster.pendingErrors(api: api.rawValue, broker: broker) }
        return count
    }

    /// Moves a partition's leadership to `broker`.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try withCluster { $0.setPartitionLeader(topic: topic, partition: partition, broker: broker) }
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

    /// Topic-reader settings tuned for the mock cluster: the short fetch wait (`fetchMaxWait`).
    public func topicReaderConfiguration(topics: [String], clientID: String = "reentrybus-reader") -> KafkaTopicReaderConfiguration {
        KafkaTopicReaderConfiguration(
            client: clientConfiguration(clientID: clientID), topics: topics, fetchMaxWait: Self.fetchMaxWait)
    }

    /// Runs `body` on the cluster while it runs (under the state lock, so `shutdown()` waits
    /// for it); fails with `.invalidUse` after `shutdown()`.
    private func withCluster(_ body: (RDKafkaMockCluster) throws(KafkaError) -> Void) throws(KafkaError) {
        try withClusterChanging { cluster throws(KafkaError) in
            try body(cluster)
            return { _ in }
        }
    }

    /// As above, then applies the returned change to the state under the same lock.
    private func withClusterChanging(
        _ body: (RDKafkaMockCluster) throws(KafkaError) -> (inout EmbeddedKafkaState) -> Void
    ) throws(KafkaError) {
        try state.withLock { state throws(KafkaError) in
            guard state.isRunning else {
                throw KafkaError(code: .invalidUse, operation: "use the embedded Kafka cluster", reason: "it was shut down")
            }
            let change = try body(cluster)
            change(&state)
        }
    }
}

/// What `EmbeddedKafka` knows besides the mock cluster: whether it still runs, topic configs
/// (the mock keeps none) and deleted topics. A pure value behind the cluster's one lock.
struct EmbeddedKafkaState {
    private(set) var isRunning = true
    private var topicConfigs: [String: [String: String]] = [:]
    private var deleted: Set<String> = []

    /// Returns true for the first call only: the caller then destroys the cluster.
    mutating func shutdown() -> Bool {
        defer { isRunning = false }
        return isRunning
    }

    mutating func recordConfigs(_ configs: [String: String], for topic: String) {
        topicConfigs[topic] = configs
        deleted.remove(topic)
    }

    func configs(of topic: String) -> [String: String] { topicConfigs[topic] ?? [:] }
    func isDeleted(_ topic: String) -> Bool { deleted.contains(topic) }

    mutating func markDeleted(_ topic: String) {
        deleted.insert(topic)
        topicConfigs[topic] = nil
    }
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
    public static let leaveGroup = KafkaAPI(rawValue: 13)
    public static let initProducerID = KafkaAPI(rawValue: 22)
}

/// Error codes a broker can answer with (Kafka protocol codes, which librdkafka uses as its own
/// broker error codes), for fault injection.
public struct KafkaBrokerError: Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaBrokerError(rawValue: 6)  // NOT_LEADER_FOR_PARTITION
    public static let requestTimedOut = KafkaBrokerError(rawValue: 7)  // REQUEST_TIMED_OUT
    public static let notEnoughReplicas = KafkaBrokerError(rawValue: 19)  // NOT_ENOUGH_REPLICAS
    public static let messageTooLarge = KafkaBrokerError(rawValue: 10)  // MSG_SIZE_TOO_LARGE
    public static let invalidRecord = KafkaBrokerError(rawValue: 87)  // INVALID_RECORD
    public static let topicAuthorizationFailed = KafkaBrokerError(rawValue: 29)  // TOPIC_AUTHORIZATION_FAILED
    public static let coordinatorNotAvailable = KafkaBrokerError(rawValue: 15)  // COORDINATOR_NOT_AVAILABLE
}

extension EmbeddedKafka: Service {
    /// Serves until graceful shutdown (or cancellation), then stops the cluster.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            logger.debug("Embedded Kafka cancelled; shutting down as on graceful shutdown")
        }
        // Destroying blocks while librdkafka's threads stop: not on the cooperative pool.
        await DedicatedThread.run(name: "kafka-embed-end") { self.shutdown() }
    }
}
