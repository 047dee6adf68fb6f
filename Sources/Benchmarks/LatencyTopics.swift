import Kafka
import Logging

/// The latency run's topics on whichever broker it uses: the embedded one it started, or a
/// cluster named by `bench pipeline --bootstrap`. On a cluster, topics outlive the run, so a run
/// starts only on a cluster that holds none of its topics (the services would read an earlier
/// run's arrests, and the counts the run waits for would be wrong).
struct LatencyTopics {
    private let kafka: EmbeddedKafka?
    private let administrator: KafkaAdmin?
    private let bootstrapServers: [String]

    init(kafka: EmbeddedKafka?, bootstrapServers: [String], logger: Logger) async throws {
        self.kafka = kafka
        self.bootstrapServers = bootstrapServers
        administrator = kafka == nil
            ? try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: "bench-pipeline-setup"), logger: logger)
            : nil
    }

    /// What the figures were measured on, for the progress line.
    var brokerDescription: String {
        kafka == nil ? "the cluster at \(bootstrapServers.joined(separator: ","))" : "the embedded broker"
    }

    /// Fails, naming them, when the cluster already holds any of `topics`.
    func requireFresh(_ topics: [String]) async throws {
        guard let administrator else { return }
        let held = Set(try await administrator.listTopics()).intersection(topics).sorted()
        guard held.isEmpty else {
            throw BenchmarkFailure(description: """
                the cluster at \(bootstrapServers.joined(separator: ",")) already holds \(held.joined(separator: ", ")): \
                the latency run needs a cluster without its topics (for Tansu: scripts/real-broker/stop, then start)
                """)
        }
    }

    func create(_ topic: String, partitions: Int) async throws {
        if let kafka {
            try kafka.createTopic(topic, partitions: partitions)
        } else if let administrator {
            try await administrator.createTopic(KafkaTopicSpecification(name: topic, partitions: partitions))
        }
    }
}
