/// Settings of a `KafkaTopicReader`: topics read in full by every instance, without a consumer
/// group. The reader never stores nor commits an offset; where to start is the caller's.
public struct KafkaTopicReaderConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// Topics to read, every partition of each. Each must exist when the reader starts.
    public var topics: [String]
    /// How often the reader asks the cluster for the topics' partitions, to start reading any
    /// added since. `nil`: only once, at start. Default: 30 seconds (partitions are added by an
    /// operator, rarely; a lower value costs one metadata request per topic per interval).
    public var partitionDiscoveryInterval: Duration?
    /// How long one request of the reader's own (a topic's partitions, a partition's
    /// watermarks) may take. They run on the reader's thread, so a `close()` waits for one in
    /// progress. Default: 10 seconds.
    public var metadataTimeout: Duration
    /// How long the broker may hold a fetch that has no data. Default: 500 ms (Kafka's). The
    /// embedded broker holds empty fetches for all of it (`EmbeddedKafka.fetchMaxWait`).
    public var fetchMaxWait: Duration
    /// Largest batch handed to the application at once. Default: 1,000.
    public var maxBatchSize: Int
    /// Batches fetched ahead of the application before the reader stops taking more from
    /// librdkafka. Default: 4.
    public var bufferedBatches: Int
    /// Messages librdkafka prefetches per partition. Default: 100,000.
    public var prefetchMessages: Int
    /// Largest prefetch per partition in KiB. Default: 65,536 (64 MiB).
    public var prefetchKilobytes: Int
    /// How long `close()` may take to stop fetching. Past it the close is abandoned and
    /// `close()` returns a `.timedOut` error. Default: 10 seconds.
    public var closeTimeout: Duration
    /// Whether messages carry their headers. Default: true (see
    /// `KafkaConsumerConfiguration.readsHeaders` for what reading them costs).
    public var readsHeaders: Bool

    public init(
        client: KafkaClientConfiguration = KafkaClientConfiguration(),
        topics: [String],
        partitionDiscoveryInterval: Duration? = .seconds(30),
        metadataTimeout: Duration = .seconds(10),
        fetchMaxWait: Duration = .milliseconds(500),
        maxBatchSize: Int = 1_000,
        bufferedBatches: Int = 4,
        prefetchMessages: Int = 100_000,
        prefetchKilobytes: Int = 65_536,
        closeTimeout: Duration = .seconds(10),
        readsHeaders: Bool = true
    ) {
        self.client = client
        self.topics = topics
        self.partitionDiscoveryInterval = partitionDiscoveryInterval
        self.metadataTimeout = metadataTimeout
        self.fetchMaxWait = fetchMaxWait
        self.maxBatchSize = maxBatchSize
        self.bufferedBatches = bufferedBatches
        self.prefetchMessages = prefetchMessages
        self.prefetchKilobytes = prefetchKilobytes
        self.closeTimeout = closeTimeout
        self.readsHeaders = readsHeaders
    }

    /// Refuses settings the reader cannot honour, naming the field and why.
    func validate() throws(KafkaError) {
        guard !topics.isEmpty else {
            throw KafkaError(code: .invalidArgument, operation: "configure topic reader", reason: "topics: no topics to read")
        }
        if let duplicate = Dictionary(grouping: topics, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw KafkaError(
                code: .invalidArgument, operation: "configure topic reader", reason: "topics: \(duplicate) is named twice")
        }
        if topics.contains(where: \.isEmpty) {
            throw KafkaError(code: .invalidArgument, operation: "configure topic reader", reason: "topics: a topic name is empty")
        }
        for (field, value) in [("maxBatchSize", maxBatchSize), ("bufferedBatches", bufferedBatches)] where value < 1 {
            throw KafkaError(
                code: .invalidArgument, operation: "configure topic reader", reason: "\(field): must be at least 1, not \(value)")
        }
        if let interval = partitionDiscoveryInterval, interval <= .zero {
            throw KafkaError(
                code: .invalidArgument, operation: "configure topic reader",
                reason: "partitionDiscoveryInterval: must be positive (nil turns discovery off), not \(interval)")
        }
        // A group id would give librdkafka a consumer group, which then looks for its
        // coordinator (and needs the ACLs for it): the reader must stay outside every group.
        if client.properties["group.id"] != nil {
            throw KafkaError(
                code: .invalidConfiguration, operation: "configure topic reader",
                reason: "properties[group.id]: a topic reader reads without a consumer group; remove it")
        }
    }

    /// The legacy ("simple") consumer's settings: no group id, so librdkafka has no group to
    /// join, to look a coordinator up for, or to commit to (its commit calls need one), and no
    /// offset stored even so.
    var rdKafkaProperties: [String: String] {
        var result = client.rdKafkaProperties
        result["enable.auto.offset.store"] = "false"
        // A start offset out of range (compacted or deleted since) reads from the oldest kept.
        result["auto.offset.reset"] = "earliest"
        // The end of a partition is how the reader knows it has caught up even when the last
        // offsets hold no message for it (compaction, transaction markers).
        result["enable.partition.eof"] = "true"
        result["fetch.wait.max.ms"] = String(fetchMaxWait.milliseconds)
        result["queued.min.messages"] = String(prefetchMessages)
        result["queued.max.messages.kbytes"] = String(prefetchKilobytes)
        result.merge(client.properties) { _, new in new }
        return result
    }
}
