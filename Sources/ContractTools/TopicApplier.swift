import Contracts
import Kafka
import Logging

/// Makes a cluster's topics match the contracts: creates missing topics with their partitions
/// and configs, and reports drift on existing ones. Running it twice changes nothing the
/// second time.
///
/// Existing topics are not changed: growing partitions moves keys to other partitions (and so
/// breaks per-person order for events already written), and the administrator API has no
/// alter-configs call yet, so drift is reported for an operator to resolve.
public struct TopicApplier: Sendable {
    /// One thing `apply` did or found.
    public enum Change: Sendable, Hashable, CustomStringConvertible {
        case created(topic: String, partitions: Int, configs: [String: String])
        case partitionDrift(topic: String, cluster: Int, contract: Int)
        case configDrift(topic: String, config: String, cluster: String?, contract: String)

        /// Whether the cluster was modified (as opposed to drift being reported).
        public var isModification: Bool {
            if case .created = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case .created(let topic, let partitions, let configs):
                "created \(topic): \(partitions) partitions, " + configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            case .partitionDrift(let topic, let cluster, let contract):
                "drift \(topic): \(cluster) partitions on the cluster, \(contract) in the contract (not changed: "
                    + (cluster > contract ? "partitions cannot shrink)" : "adding partitions would move keys; add them deliberately)")
            case .configDrift(let topic, let config, let cluster, let contract):
                "drift \(topic): \(config) is \(cluster ?? "unset") on the cluster, \(contract) in the contract (not changed: no alter-configs support yet)"
            }
        }
    }

    public let catalog: TopicCatalog
    let logger: Logger

    public init(catalog: TopicCatalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Applies every topic contract; returns what was created and what drifted.
    public func apply(to administrator: some KafkaTopicAdministrator) async throws(KafkaError) -> [Change] {
        var changes: [Change] = []
        let existing = Set(try await administrator.listTopics())
        for topic in catalog.topics {
            guard existing.contains(topic.name) else {
                try await administrator.createTopic(KafkaTopicSpecification(name: topic.name, partitions: topic.partitions, configs: topic.configs))
                changes.append(.created(topic: topic.name, partitions: topic.partitions, configs: topic.configs))
                logger.info("topics apply: created", metadata: ["topic": "\(topic.name)"])
                continue
            }
            let description = try await administrator.describeTopic(named: topic.name)
            if description.partitions.count != topic.partitions {
                changes.append(.partitionDrift(topic: topic.name, cluster: description.partitions.count, contract: topic.partitions))
            }
            for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) where description.configs[name] != value {
                changes.append(.configDrift(topic: topic.name, config: name, cluster: description.configs[name], contract: value))
            }
        }
        return changes
    }
}
