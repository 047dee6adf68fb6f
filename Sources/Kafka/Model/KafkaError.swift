import CRdKafka

/// Every failure the Kafka module reports.
///
/// `code` says what went wrong in a form callers can switch on; `isRetriable` and `isFatal`
/// say what to do about it. The `description` never holds message contents (keys, values or
/// headers may carry personal data); it names the operation, the broker's reason and, where
/// librdkafka gave one, its error name.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The topic (or partition) does not exist on the cluster.
        public static let unknownTopic = Code(name: "unknown topic or partition")
        /// The message is larger than the producer or broker accepts.
        public static let messageTooLarge = Code(name: "message too large")
        /// The operation did not complete within its time limit.
        public static let timedOut = Code(name: "timed out")
        /// The idempotent producer (or the client) hit an error it cannot recover from; the
        /// client must be recreated.
        public static let fatal = Code(name: "fatal error")
        /// The broker refused the request for a reason that retrying will not fix.
        public static let brokerRejected = Code(name: "rejected by broker")
        /// A transient failure that the caller may retry.
        public static let retriable = Code(name: "retriable error")
        /// A configuration property is unknown or has an invalid value.
        public static let invalidConfiguration = Code(name: "invalid configuration")
        /// The client was closed, or shut down before the operation finished.
        public static let closed = Code(name: "client closed")
        /// The message was removed from the local queue before it was sent (shutdown purge).
        public static let purged = Code(name: "message purged")
        /// An argument passed by the caller is not acceptable.
        public static let invalidArgument = Code(name: "invalid argument")
        /// The topic or resource already exists.
        public static let alreadyExists = Code(name: "already exists")
        /// The embedded broker (librdkafka's mock cluster) cannot do this.
        public static let unsupported = Code(name: "unsupported")
        /// Anything else librdkafka reported.
        public static let other = Code(name: "error")
    }

    public let code: Code
    /// What the client was doing, e.g. "send to topic releases".
    public let operation: String
    /// librdkafka's explanation, or ours.
    public let reason: String
    /// librdkafka's error code, when the error came from librdkafka.
    public let rdKafkaCode: Int32?
    /// True when the same operation may succeed if tried again.
    public let isRetriable: Bool
    /// True when the client can no longer be used and must be recreated.
    public let isFatal: Bool
    public let file: String
    public let line: UInt

    public init(
        code: Code, operation: String, reason: String, rdKafkaCode: Int32? = nil,
        isRetriable: Bool = false, isFatal: Bool = false,
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.operation = operation
        self.reason = reason
        self.rdKafkaCode = rdKafkaCode
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "Kafka \(operation) failed: \(code): \(reason)"
        if let rdKafkaCode {
            text += " [\(String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rdKafkaCode))))]"
        }
        if isFatal { text += " (fatal: the client must be recreated)" }
        return text
    }
}

extension KafkaError {
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

    static func closed(_ operation: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        KafkaError(code: .closed, operation: operation, reason: "the client is closed", file: file, line: line)
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
