import ContractTools
import Contracts
import Kafka
import Logging

/// Creates the topics an application needs before its services start: the additional ones
/// first, then every contract's (`TopicApplier`), the bus topics among them (each has a
/// contract in `Topics/`). The one place in code that creates topics for the services.
struct TopicSetup: Sendable {
    let options: ApplicationConfiguration.TopicOptions
    let catalog: TopicCatalog?
    let logger: Logger

    func apply(to administrator: some KafkaTopicAdministrator) async throws(KafkaError) {
        var existing = Set(try await administrator.listTopics())
        for topic in options.additional where !existing.contains(topic.name) {
            try await administrator.createTopic(topic)
            existing.insert(topic.name)
            logger.info("Topic created", metadata: ["topic": "\(topic.name)", "partitions": "\(topic.partitions)"])
        }
        guard options.createContractTopics, let catalog else { return }
        let changes = try await TopicApplier(catalog: catalog, logger: logger).apply(to: administrator)
        for change in changes where !change.isModification {
            logger.notice("Topic differs from its contract", metadata: ["change": "\(change)"])
        }
    }
}
