/// Creates, describes and deletes topics. Implemented for a real cluster (`KafkaAdmin`) and for
/// the embedded one (`EmbeddedKafka.administrator()`), so that tools such as
/// `reentrybus topics apply` work on both.
public protocol KafkaTopicAdministrator: Sendable {
    /// Creates a topic; fails with `.alreadyExists` if it exists.
    func createTopic(_ topic: KafkaTopicSpecification) async throws(KafkaError)
    /// Partitions (with leaders and replicas) and configuration of a topic; fails with
    /// `.unknownTopic` if it does not exist.
    func describeTopic(named name: String) async throws(KafkaError) -> KafkaTopicDescription
    /// Deletes a topic and, on a real cluster, its data.
    func deleteTopic(named name: String) async throws(KafkaError)
    /// Names of all topics, internal ones (`__…`) excluded.
    func listTopics() async throws(KafkaError) -> [String]
    /// Sets a topic's configs to exactly `configs`: with Kafka's (non-incremental) AlterConfigs,
    /// configs not named here return to the broker's defaults.
    func setTopicConfigs(named name: String, configs: [String: String]) async throws(KafkaError)
    /// Grows a topic to `count` partitions (Kafka cannot shrink them). Keys written before
    /// may map to other partitions afterwards.
    func addPartitions(named name: String, totalCount count: Int) async throws(KafkaError)
}

/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// Copies of each partition; -1 takes the broker's default.
    public var replicationFactor: Int
    /// Topic configs (`cleanup.policy`, `retention.ms`, …).
    public var configs: [String: String]

    public enum CleanupPolicy: String, Sendable {
        /// Old messages are deleted after the retention time.
        case delete
        /// Only the latest message per key is kept (reference data, e.g. active cases).
        case compact
    }

    public init(
        name: String, partitions: Int, replicationFactor: Int = -1,
        cleanupPolicy: CleanupPolicy? = nil, retention: Duration? = nil, configs: [String: String] = [:]
    ) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        var configs = configs
        if let cleanupPolicy { configs["cleanup.policy"] = cleanupPolicy.rawValue }
        if let retention { configs["retention.ms"] = String(retention.milliseconds) }
        self.configs = configs
    }
}

/// What a cluster says about a topic.
public struct KafkaTopicDescription: Sendable, Hashable {
    public struct Partition: Sendable, Hashable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
    }

    public var name: String
    public var partitions: [Partition]
    /// The topic's configs as the cluster reports them.
    public var configs: [String: String]
}
