import CRdKafka

/// The admin calls (a producer handle used for the Admin API). Each blocks until the cluster
/// answers or `timeout` passes: `KafkaAdmin` runs them on a thread of their own.
extension RDKafkaClient {
    func createTopic(_ topic: KafkaTopicSpecification, timeout: Duration) -> KafkaError? {
        perform(timeout: timeout, "create topic \(topic.name)", RD_KAFKA_ADMIN_OP_CREATETOPICS) { handle, options, queue in
            var text = [CChar](repeating: 0, count: 512)
            guard let newTopic = rd_kafka_NewTopic_new(
                topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &text, text.count)
            else {
                return KafkaError(code: .invalidArgument, operation: "create topic \(topic.name)", reason: String(cString: text))
            }
            defer { rd_kafka_NewTopic_destroy(newTopic) }
            for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_NewTopic_set_config(newTopic, key, value)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR { return KafkaError.rdKafka(code, operation: "set topic config \(key)") }
            }
            var topics: [OpaquePointer?] = [newTopic]
            rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
            return nil
        } result: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return Self.firstError(results, count, operation: "create topic \(topic.name)")
        }
    }

    func deleteTopic(named name: String, timeout: Duration) -> KafkaError? {
        perform(timeout: timeout, "delete topic \(name)", RD_KAFKA_ADMIN_OP_DELETETOPICS) { handle, options, queue in
            let deleteTopic = rd_kafka_DeleteTopic_new(name)
            defer { rd_kafka_DeleteTopic_destroy(deleteTopic) }
            var topics: [OpaquePointer?] = [deleteTopic]
            rd_kafka_DeleteTopics(handle, &topics, 1, options, queue)
            return nil
        } result: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return Self.firstError(results, count, operation: "delete topic \(name)")
        }
    }

    func setTopicConfigs(named name: String, configs: [String: String], timeout: Duration) -> KafkaError? {
        perform(timeout: timeout, "alter configs of \(name)", RD_KAFKA_ADMIN_OP_ALTERCONFIGS) { handle, options, queue in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_ConfigResource_set_config(resource, key, value)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR { return KafkaError.rdKafka(code, operation: "set config \(key) of \(name)") }
            }
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_AlterConfigs(handle, &resources, 1, options, queue)
            return nil
        } result: { event in
            var count = 0
            guard let resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event), &count)
            else { return nil }
            for index in 0..<count {
                guard let resource = resources[index] else { continue }
                let code = rd_kafka_ConfigResource_error(resource)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let reason = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) }
                    return KafkaError.rdKafka(code, operation: "alter configs of \(name)", reason: reason)
                }
            }
            return nil
        }
    }

    func addPartitions(named name: String, totalCount count: Int, timeout: Duration) -> KafkaError? {
        perform(timeout: timeout, "add partitions to \(name)", RD_KAFKA_ADMIN_OP_CREATEPARTITIONS) { handle, options, queue in
            var text = [CChar](repeating: 0, count: 512)
            guard let request = rd_kafka_NewPartitions_new(name, count, &text, text.count) else {
                return KafkaError(code: .invalidArgument, operation: "add partitions to \(name)", reason: String(cString: text))
            }
            defer { rd_kafka_NewPartitions_destroy(request) }
            var requests: [OpaquePointer?] = [request]
            rd_kafka_CreatePartitions(handle, &requests, 1, options, queue)
            return nil
        } result: { event in
            var count = 0
            let results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
            return Self.firstError(results, count, operation: "add partitions to \(name)")
        }
    }

    /// Topics with their partitions (configs left empty), from a metadata request.
    func metadata(timeout: Duration) -> Result<[KafkaTopicDescription], KafkaError> {
        let milliseconds = Int32(timeout.milliseconds)
        do {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(handle, 1, nil, &metadata, milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(KafkaError.rdKafka(code, operation: "read cluster metadata"))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var topics: [KafkaTopicDescription] = []
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                let partitions = (0..<Int(topic.partition_cnt)).map { index in
                    let partition = topic.partitions[index]
                    return KafkaTopicDescription.Partition(
                        id: partition.id, leader: partition.leader,
                        replicas: (0..<Int(partition.replica_cnt)).map { partition.replicas[$0] })
                }
                topics.append(KafkaTopicDescription(
                    name: String(cString: topic.topic), partitions: partitions.sorted { $0.id < $1.id }, configs: [:]))
            }
            return .success(topics)
        }
    }

    func configs(of topic: String, timeout: Duration) -> Result<[String: String], KafkaError> {
        let configs = LockedValue<[String: String]>([:])
        let failure = perform(timeout: timeout, "describe configs of \(topic)", RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS) { handle, options, queue in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
            return nil
        } result: { event in
            var count = 0
            guard let resources = rd_kafka_DescribeConfigs_result_resources(
                rd_kafka_event_DescribeConfigs_result(event), &count), count > 0, let resource = resources[0]
            else { return nil }
            let code = rd_kafka_ConfigResource_error(resource)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return KafkaError.rdKafka(code, operation: "describe configs of \(topic)")
            }
            var entryCount = 0
            let entries = rd_kafka_ConfigResource_configs(resource, &entryCount)
            configs.withLock { configs in
                for index in 0..<entryCount {
                    guard let entry = entries?[index], let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                    configs[String(cString: rd_kafka_ConfigEntry_name(entry))] = String(cString: value)
                }
            }
            return nil
        }
        if let failure { return .failure(failure) }
        return .success(configs.withLock { $0 })
    }

    /// Runs one admin request on a dedicated thread: `start` issues it onto a fresh result
    /// queue, `result` reads the result event. The wait on the queue is bounded by `timeout`.
    private func perform(
        timeout: Duration, _ operation: String, _ kind: rd_kafka_admin_op_t,
        start: (OpaquePointer, OpaquePointer, OpaquePointer) -> KafkaError?,
        result: (OpaquePointer) -> KafkaError?
    ) -> KafkaError? {
        let milliseconds = Int32(timeout.milliseconds)
        do {
            let queue = rd_kafka_queue_new(handle)!
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(handle, kind)!
            defer { rd_kafka_AdminOptions_destroy(options) }
            var text = [CChar](repeating: 0, count: 512)
            rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &text, text.count)
            if kind != RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS && kind != RD_KAFKA_ADMIN_OP_ALTERCONFIGS {
                rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &text, text.count)
            }
            if let error = start(handle, options, queue) { return error }
            // librdkafka ends the request itself at the request timeout; the margin covers
            // a request that could not even be sent.
            guard let event = rd_kafka_queue_poll(queue, milliseconds + 2000) else {
                return KafkaError(code: .timedOut, operation: operation, reason: "no answer from the cluster within \(timeout)", isRetriable: true)
            }
            defer { rd_kafka_event_destroy(event) }
            let code = rd_kafka_event_error(event)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                let reason = rd_kafka_event_error_string(event).map { String(cString: $0) }
                if code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT {
                    return KafkaError(code: .timedOut, operation: operation,
                                      reason: "no answer from the cluster within \(timeout)", rdKafkaCode: code.rawValue, isRetriable: true)
                }
                return KafkaError.rdKafka(code, operation: operation, reason: reason)
            }
            return result(event)
        }
    }

    private static func firstError(_ results: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int, operation: String) -> KafkaError? {
        for index in 0..<count {
            guard let result = results?[index] else { continue }
            let code = rd_kafka_topic_result_error(result)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                let reason = rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
                return KafkaError.rdKafka(code, operation: operation, reason: reason)
            }
        }
        return nil
    }
}
