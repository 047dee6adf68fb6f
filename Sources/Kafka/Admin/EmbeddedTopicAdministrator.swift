/// Topic administration for `EmbeddedKafka`. The mock cluster answers metadata requests but no
/// CreateTopics, DeleteTopics, CreatePartitions or configs requests: topics are created through
/// its own API, configs are remembered here, deletion makes the topic unknown to every client,
/// and adding partitions is refused as unsupported.
struct EmbeddedTopicAdministrator: KafkaTopicAdministrator {
    let kafka: EmbeddedKafka
    let metadata: KafkaAdmin

    func createTopic(_ topic: KafkaTopicSpecification) async throws(KafkaError) {
        if try await metadata.metadata().contains(where: { $0.name == topic.name }) {
            throw KafkaError(code: .alreadyExists, operation: "create topic \(topic.name)", reason: "topic \(topic.name) already exists")
        }
        if kafka.isDeleted(topic.name) {
            throw KafkaError(code: .unsupported, operation: "create topic \(topic.name)",
                             reason: "the embedded broker cannot re-create a deleted topic; restart it")
        }
        try kafka.createTopic(topic.name, partitions: topic.partitions,
                              replicationFactor: topic.replicationFactor < 1 ? 1 : topic.replicationFactor)
        kafka.recordConfigs(topic.configs, for: topic.name)
    }

    func describeTopic(named name: String) async throws(KafkaError) -> KafkaTopicDescription {
        guard !kafka.isDeleted(name), var description = try await metadata.metadata().first(where: { $0.name == name }) else {
            throw KafkaError(code: .unknownTopic, operation: "describe topic \(name)", reason: "the cluster has no topic \(name)")
        }
        description.configs = kafka.configs(of: name)
        return description
    }

    func deleteTopic(named name: String) async throws(KafkaError) {
        _ = try await describeTopic(named: name)
        try kafka.markDeleted(name)
    }

    func listTopics() async throws(KafkaError) -> [String] {
        try await metadata.metadata().map(\.name).filter { !$0.hasPrefix("__") && !kafka.isDeleted($0) }.sorted()
    }

    func setTopicConfigs(named name: String, configs: [String: String]) async throws(KafkaError) {
        _ = try await describeTopic(named: name)
        kafka.recordConfigs(configs, for: name)
    }

    func addPartitions(named name: String, totalCount count: Int) async throws(KafkaError) {
        throw KafkaError(code: .unsupported, operation: "add partitions to \(name)",
                         reason: "the embedded broker cannot add partitions to a topic; restart it")
    }
}
