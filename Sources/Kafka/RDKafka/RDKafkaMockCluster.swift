import CRdKafka

/// librdkafka's mock cluster (`rd_kafka_mock_cluster_t`), living inside a client handle of its
/// own that never connects anywhere: the only code that calls `rd_kafka_mock_*`.
/// librdkafka serialises these calls onto the mock cluster's thread; none blocks for long,
/// except `destroy()`.
final class RDKafkaMockCluster: @unchecked Sendable {
    private let owner: RDKafkaClient
    private let cluster: OpaquePointer
    /// `host:port,host:port,…` of the brokers.
    let bootstrapServers: String

    init(brokers: Int, context: ClientContext) throws(KafkaError) {
        let owner = try RDKafkaClient(
            kind: .producer, properties: ["client.id": "embedded-kafka", "log_level": "3"], context: context)
        guard let cluster = rd_kafka_mock_cluster_new(owner.handle, Int32(brokers)) else {
            owner.destroy()
            throw KafkaError(code: .other, operation: "start embedded broker", reason: "librdkafka could not create the mock cluster")
        }
        self.owner = owner
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    /// Stops the brokers and frees the cluster and its owner handle. Blocks while librdkafka's
    /// threads stop; call once, after the last other call.
    func destroy() {
        rd_kafka_mock_cluster_destroy(cluster)
        owner.destroy()
    }

    func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws(KafkaError) {
        let code = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(code, operation: "create topic \(name)") }
    }

    /// Makes every request about `topic` fail with "unknown topic" (`unknown == true`) or
    /// succeed again.
    func setTopicUnknown(_ topic: String, _ unknown: Bool) {
        rd_kafka_mock_topic_set_error(cluster, topic, unknown ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    func setBroker(_ broker: Int32, up: Bool) {
        _ = up ? rd_kafka_mock_broker_set_up(cluster, broker) : rd_kafka_mock_broker_set_down(cluster, broker)
    }

    func setRoundTripTime(milliseconds: Int32, broker: Int32) {
        _ = rd_kafka_mock_broker_set_rtt(cluster, broker, milliseconds)
    }

    /// The next `errors.count` requests of API key `api` fail with these Kafka error codes.
    func failNextRequests(api: Int16, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t($0) }
        codes.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, api, buffer.count, buffer.baseAddress)
        }
    }

    /// The next request of API key `api` that `broker` receives fails with this error.
    func failNextRequest(api: Int16, broker: Int32, error: Int32) throws(KafkaError) {
        let code = reentrybus_mock_broker_push_error(cluster, broker, api, rd_kafka_resp_err_t(error))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, operation: "inject an error for requests of kind \(api) at broker \(broker)")
        }
    }

    /// Errors still waiting in `broker`'s stack for requests of API key `api`.
    func pendingErrors(api: Int16, broker: Int32) throws(KafkaError) -> Int {
        var count = 0
        let code = rd_kafka_mock_broker_error_stack_cnt(cluster, broker, api, &count)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, operation: "count the errors injected for requests of kind \(api) at broker \(broker)")
        }
        return count
    }

    func setPartitionLeader(topic: String, partition: Int32, broker: Int32) {
        _ = rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker)
    }
}
