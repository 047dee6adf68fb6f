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
        /// The broker does not offer this request: the embedded broker (librdkafka's mock
        /// cluster), or a Kafka-protocol broker without it (Tansu has no CreatePartitions).
        public static let unsupported = Code(name: "unsupported")
        /// The client was used in a way it does not allow (for example, two tasks iterating one
        /// consumer's messages at once, or an embedded cluster used after `shutdown()`).
        public static let invalidUse = Code(name: "invalid use")
        /// The calling task was cancelled before the operation took effect (for a send: before
        /// the message was queued, so it was not sent).
        public static let cancelled = Code(name: "cancelled")
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
    /// True when a transactional producer's open transaction failed and can only be aborted
    /// (`KafkaProducer.abortTransaction`); a new transaction may then begin.
    public let requiresAbort: Bool
    public let file: String
    public let line: UInt

    public init(
        code: Code, operation: String, reason: String, rdKafkaCode: Int32? = nil,
        isRetriable: Bool = false, isFatal: Bool = false, requiresAbort: Bool = false,
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.operation = operation
        self.reason = reason
        self.rdKafkaCode = rdKafkaCode
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.requiresAbort = requiresAbort
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "Kafka \(operation) failed: \(code): \(reason)"
        if let rdKafkaCode { text += " [\(KafkaError.rdKafkaName(of: rdKafkaCode))]" }
        if isFatal { text += " (fatal: the client must be recreated)" }
        if requiresAbort { text += " (the transaction must be aborted)" }
        return text
    }
}

extension KafkaError {
    static func closed(_ operation: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        KafkaError(code: .closed, operation: operation, reason: "the client is closed", file: file, line: line)
    }
}
