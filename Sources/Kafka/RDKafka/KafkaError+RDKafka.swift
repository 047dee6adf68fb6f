import CRdKafka

// The conversions from librdkafka's error codes and error objects to `KafkaError`.

extension KafkaError {
    /// librdkafka's name for an error code (`MSG_SIZE_TOO_LARGE`), for `description`.
    static func rdKafkaName(of code: Int32) -> String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
    }

    /// Maps a librdkafka response code to a typed error.
    static func rdKafka(
        _ error: rd_kafka_resp_err_t, operation: String, reason: String? = nil,
        isFatal: Bool = false, file: String = #fileID, line: UInt = #line
    ) -> KafkaError {
        let text = reason ?? String(cString: rd_kafka_err2str(error))
        return KafkaError(
            code: isFatal ? .fatal : Code(error),
            operation: operation,
            reason: text,
            rdKafkaCode: error.rawValue,
            isRetriable: !isFatal && Self.retriableCodes.contains(error),
            isFatal: isFatal || error == RD_KAFKA_RESP_ERR__FATAL,
            file: file, line: line
        )
    }

    /// Converts an `rd_kafka_error_t` (and destroys it).
    static func consuming(
        _ error: OpaquePointer, operation: String, file: String = #fileID, line: UInt = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        let fatal = rd_kafka_error_is_fatal(error) != 0
        var result = KafkaError.rdKafka(
            code, operation: operation, reason: String(cString: rd_kafka_error_string(error)),
            isFatal: fatal, file: file, line: line)
        if rd_kafka_error_is_retriable(error) != 0 && !fatal {
            result = KafkaError(
                code: result.code, operation: operation, reason: result.reason,
                rdKafkaCode: result.rdKafkaCode, isRetriable: true, file: file, line: line)
        }
        return result
    }

    private static let retriableCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
    ]
}

extension KafkaError.Code {
    init(_ error: rd_kafka_resp_err_t) {
        switch error {
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            self = .unknownTopic
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
            RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
            self = .messageTooLarge
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            self = .timedOut
        case RD_KAFKA_RESP_ERR__FATAL:
            self = .fatal
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
            self = .purged
        case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS,
            RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, RD_KAFKA_RESP_ERR_INVALID_CONFIG:
            self = .invalidArgument
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            self = .alreadyExists
        case RD_KAFKA_RESP_ERR__DESTROY:
            self = .closed
        case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
            // A request the broker does not offer (e.g. CreatePartitions or AlterConfigs on Tansu).
            self = .unsupported
        case RD_KAFKA_RESP_ERR_INVALID_RECORD, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE,
            RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION, RD_KAFKA_RESP_ERR_INVALID_MSG:
            self = .brokerRejected
        default:
            self = .other
        }
    }
}
