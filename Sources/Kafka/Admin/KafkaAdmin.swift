import Logging

/// Topic administration against a real Kafka cluster, through librdkafka's Admin API.
///
/// Every call runs on a thread of its own (librdkafka's admin results are awaited with a
/// blocking queue poll) and fails with `.timedOut` after `timeout` when the cluster does not
/// answer, instead of hanging.
public final class KafkaAdmin: KafkaTopicAdministrator {
    private let client: RDKafkaClient
    private let timeout: Duration

    public init(configuration: KafkaClientConfiguration, timeout: Duration = .seconds(30), logger: Logger) throws(KafkaError) {
        var properties = configuration.rdKafkaProperties
        properties.merge(configuration.properties) { _, new in new }
        let context = ClientContext(logger: logger, statistics: KafkaStatisticsReporter(clientID: configuration.clientID))
        self.client = try RDKafkaClient(kind: .producer, properties: properties, context: context)
        self.timeout = timeout
    }

    deinit {
        let client = self.client
        _ = DedicatedThread(name: "kafka-admin-end") { client.destroy() }
    }

    public func createTopic(_ topic: KafkaTopicSpecification) async throws(KafkaError) {
        let timeout = self.timeout
        try await blocking { $0.createTopic(topic, timeout: timeout) }
    }

    public func deleteTopic(named name: String) async throws(KafkaError) {
        let timeout = self.timeout
        try await blocking { $0.deleteTopic(named: name, timeout: timeout) }
    }

    public func setTopicConfigs(named name: String, configs: [String: String]) async throws(KafkaError) {
        let timeout = self.timeout
        try await blocking { $0.setTopicConfigs(named: name, configs: configs, timeout: timeout) }
    }

    public func addPartitions(named name: String, totalCount count: Int) async throws(KafkaError) {
        let timeout = self.timeout
        try await blocking { $0.addPartitions(named: name, totalCount: count, timeout: timeout) }
    }

    public func describeTopic(named name: String) async throws(KafkaError) -> KafkaTopicDescription {
        guard var description = try await metadata().first(where: { $0.name == name }) else {
            throw KafkaError(code: .unknownTopic, operation: "describe topic \(name)", reason: "the cluster has no topic \(name)")
        }
        let timeout = self.timeout
        description.configs = try await blocking { $0.configs(of: name, timeout: timeout) }
        return description
    }

    public func listTopics() async throws(KafkaError) -> [String] {
        try await metadata().map(\.name).filter { !$0.hasPrefix("__") }.sorted()
    }

    /// Each partition of `topic` with its end (the offset the next message written to it will
    /// get), asked of the partitions' leaders: where a reader starts to see only what is written
    /// from now on. A concrete offset, unlike `KafkaOffset.end`, which a reader resolves when it
    /// starts fetching and so may skip what was written meanwhile.
    ///
    /// - Throws: `.unknownTopic` when the cluster has no such topic; the requests' failure.
    public func endOffsets(of topic: String) async throws(KafkaError) -> [TopicPartition: KafkaOffset] {
        guard let description = try await metadata().first(where: { $0.name == topic }) else {
            throw KafkaError(code: .unknownTopic, operation: "read the ends of \(topic)", reason: "the cluster has no topic \(topic)")
        }
        let partitions = description.partitions.map { TopicPartition(topic: topic, partition: $0.id) }
        let timeout = self.timeout
        return try await blocking { client -> Result<[TopicPartition: KafkaOffset], KafkaError> in
            var ends: [TopicPartition: KafkaOffset] = [:]
            for partition in partitions {
                switch client.watermarks(of: partition, timeout: timeout) {
                case .success(let marks): ends[partition] = KafkaOffset(marks.high)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(ends)
        }
    }

    /// Topics with their partitions (configs left empty), from a metadata request.
    func metadata() async throws(KafkaError) -> [KafkaTopicDescription] {
        let timeout = self.timeout
        return try await blocking { $0.metadata(timeout: timeout) }
    }

    /// Runs a blocking admin call on a thread of its own.
    private func blocking(_ call: @escaping @Sendable (RDKafkaClient) -> KafkaError?) async throws(KafkaError) {
        let client = self.client
        if let error = await DedicatedThread.run(name: "kafka-admin", { call(client) }) { throw error }
    }

    private func blocking<Value: Sendable>(
        _ call: @escaping @Sendable (RDKafkaClient) -> Result<Value, KafkaError>
    ) async throws(KafkaError) -> Value {
        let client = self.client
        return try await DedicatedThread.run(name: "kafka-admin", { call(client) }).get()
    }
}
