/// Settings of a `KafkaConsumer`. Offsets are never stored by the client on its own: a service
/// stores an offset (or commits) only after its effect is durable.
public struct KafkaConsumerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// The consumer group: consumers sharing it split the partitions of the subscribed topics.
    public var groupID: String
    /// Topics to subscribe to.
    public var topics: [String]

    /// Where to start in a partition the group has no committed offset for.
    public enum OffsetReset: String, Sendable {
        /// Read everything the broker still has (nothing is skipped). The default.
        case earliest
        /// Read only what arrives from now on.
        case latest
        /// Fail instead of guessing.
        case error
    }
    public var offsetReset: OffsetReset

    /// How committing works.
    public enum CommitStrategy: Sendable {
        /// Offsets that the application *stored* (`storeOffset`) are committed in the
        /// background every `interval`, and synchronously on `commit()`, revoke and close.
        case storedOffsets(interval: Duration)
        /// Only `commit()` commits; nothing happens in the background.
        case manual
    }
    /// Default: stored offsets committed every 5 seconds.
    public var commitStrategy: CommitStrategy
    /// How long the group waits for a silent consumer before giving its partitions away.
    /// Default: 45 seconds (Kafka's); tests on the embedded broker use 6 seconds.
    public var sessionTimeout: Duration
    /// How long the broker may hold a fetch that has no data. Default: 500 ms (Kafka's). The
    /// embedded broker holds empty fetches for all of it, so it lowers this (`EmbeddedKafka.fetchMaxWait`).
    public var fetchMaxWait: Duration
    /// Largest batch handed to the application at once. Default: 1,000.
    public var maxBatchSize: Int
    /// Batches fetched ahead of the application before the client stops taking more from
    /// librdkafka. Default: 4.
    public var bufferedBatches: Int
    /// Messages librdkafka prefetches per partition. Default: 100,000.
    public var prefetchMessages: Int
    /// Largest prefetch per partition in KiB. Default: 65,536 (64 MiB).
    public var prefetchKilobytes: Int
    /// How long a revoke waits for the batch the application is processing before it gives the
    /// partitions up. Default: 30 seconds.
    public var revokeDrainTimeout: Duration
    /// How long `close()` may take to commit stored offsets and leave the group. librdkafka's
    /// close has no bound of its own and, with the brokers gone, can block for ever; past this
    /// the close is abandoned (the group notices after `sessionTimeout`) and `close()` returns
    /// a `.timedOut` error. Default: 10 seconds.
    public var closeTimeout: Duration
    /// Whether messages carry their headers. Default: true. librdkafka parses a record's headers
    /// only when asked, and asking costs an allocation per message even when it has none
    /// (~80 ns per message, ~10 % of what the consumer spends on a 256-byte message); a
    /// consumer that never reads headers can turn this off, and its messages then have none.
    public var readsHeaders: Bool

    public init(
        client: KafkaClientConfiguration = KafkaClientConfiguration(),
        groupID: String,
        topics: [String],
        offsetReset: OffsetReset = .earliest,
        commitStrategy: CommitStrategy = .storedOffsets(interval: .seconds(5)),
        sessionTimeout: Duration = .seconds(45),
        fetchMaxWait: Duration = .milliseconds(500),
        maxBatchSize: Int = 1_000,
        bufferedBatches: Int = 4,
        prefetchMessages: Int = 100_000,
        prefetchKilobytes: Int = 65_536,
        revokeDrainTimeout: Duration = .seconds(30),
        readsHeaders: Bool = true,
        closeTimeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
        self.offsetReset = offsetReset
        self.commitStrategy = commitStrategy
        self.sessionTimeout = sessionTimeout
        self.fetchMaxWait = fetchMaxWait
        self.maxBatchSize = maxBatchSize
        self.bufferedBatches = bufferedBatches
        self.prefetchMessages = prefetchMessages
        self.prefetchKilobytes = prefetchKilobytes
        self.revokeDrainTimeout = revokeDrainTimeout
        self.readsHeaders = readsHeaders
        self.closeTimeout = closeTimeout
    }

    var rdKafkaProperties: [String: String] {
        var result = client.rdKafkaProperties
        result["group.id"] = groupID
        result["auto.offset.reset"] = offsetReset.rawValue
        result["enable.auto.offset.store"] = "false"
        switch commitStrategy {
        case .storedOffsets(let interval):
            result["enable.auto.commit"] = "true"
            result["auto.commit.interval.ms"] = String(interval.milliseconds)
        case .manual:
            result["enable.auto.commit"] = "false"
        }
        result["session.timeout.ms"] = String(sessionTimeout.milliseconds)
        // Kafka's default (3 s), or a third of a shorter session: members hear of a rebalance at
        // their next heartbeat.
        result["heartbeat.interval.ms"] = String(max(100, min(3_000, sessionTimeout.milliseconds / 3)))
        result["fetch.wait.max.ms"] = String(fetchMaxWait.milliseconds)
        result["queued.min.messages"] = String(prefetchMessages)
        result["queued.max.messages.kbytes"] = String(prefetchKilobytes)
        result["enable.partition.eof"] = "false"
        result.merge(client.properties) { _, new in new }
        return result
    }
}
