import Contracts
import Kafka
import Logging

/// Makes a cluster's topics match the contracts: creates missing topics with their partitions
/// and configs, updates the configs of existing ones, grows their partitions when the contract
/// asks for more, and reports what it cannot change. Running it twice changes nothing the
/// second time.
///
/// Partitions can only grow. Growing them maps some keys to new partitions: events written
/// before stay where they were, so per-person order holds for new events only. The change is
/// reported with that warning; a cluster that cannot add partitions (the embedded broker)
/// leaves the difference reported as drift.
public struct TopicApplier: Sendable {
    /// One thing `apply` did or found.
    public enum Change: Sendable, Hashable, CustomStringConvertible {
        case created(topic: String, partitions: Int, configs: [String: String])
        case configUpdated(topic: String, config: String, cluster: String?, contract: String)
        case partitionsAdded(topic: String, from: Int, to: Int)
        case partitionDrift(topic: String, cluster: Int, contract: Int)
        case configDrift(topic: String, config: String, cluster: String?, contract: String)

        /// Whether the cluster was modified (as opposed to drift being reported).
        public var isModification: Bool {
            switch self {
            case .created, .configUpdated, .partitionsAdded: true
            case .partitionDrift, .configDrift: false
            }
        }

        public var description: String {
            switch self {
            case .created(let topic, let partitions, let configs):
                "created \(topic): \(partitions) partitions, " + configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            case .configUpdated(let topic, let config, let cluster, let contract):
                "updated \(topic): \(config) \(cluster ?? "unset") -> \(contract)"
            case .partitionsAdded(let topic, let from, let to):
                "updated \(topic): partitions \(from) -> \(to) (keys may now map to new partitions: per-key order holds for new events only)"
            case .partitionDrift(let topic, let cluster, let contract):
                "drift \(topic): \(cluster) partitions on the cluster, \(contract) in the contract (not changed: "
                    + (cluster > contract ? "partitions cannot shrink)" : "this cluster cannot add partitions)")
            case .configDrift(let topic, let config, let cluster, let contract):
                "drift \(topic): \(config) is \(cluster ?? "unset") on the cluster, \(contract) in the contract (not changed)"
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
            let onCluster = description.partitions.count
            if topic.partitions > onCluster {
                do {
                    try await administrator.addPartitions(named: topic.name, totalCount: topic.partitions)
                    changes.append(.partitionsAdded(topic: topic.name, from: onCluster, to: topic.partitions))
                    logger.info("topics apply: partitions added", metadata: ["topic": "\(topic.name)"])
                } catch where error.code == .unsupported {
                    changes.append(.partitionDrift(topic: topic.name, cluster: onCluster, contract: topic.partitions))
                }
            } else if topic.partitions < onCluster {
                changes.append(.partitionDrift(topic: topic.name, cluster: onCluster, contract: topic.partitions))
            }
            let differing = topic.configs.sorted(by: { $0.key < $1.key }).filter { description.configs[$0.key] != $0.value }
            if !differing.isEmpty {
                do {
                    try await administrator.setTopicConfigs(named: topic.name, configs: topic.configs)
                    for (name, value) in differing {
                        changes.append(.configUpdated(topic: topic.name, config: name, cluster: description.configs[name], contract: value))
                    }
                    logger.info("topics apply: configs updated", metadata: ["topic": "\(topic.name)"])
                } catch where error.code == .unsupported {
                    // The broker cannot alter configs (Tansu offers no AlterConfigs): report, as
                    // for partitions it cannot add.
                    for (name, value) in differing {
                        changes.append(.configDrift(topic: topic.name, config: name, cluster: description.configs[name], contract: value))
                    }
                }
            }
        }
        return changes
    }
}
