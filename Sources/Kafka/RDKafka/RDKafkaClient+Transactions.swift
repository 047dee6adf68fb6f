import CRdKafka

/// The transactional producer's calls, and the cluster id. Every one of them blocks (librdkafka
/// waits for its own threads, and most for a broker): call them from a dedicated thread, never
/// from Swift's cooperative pool. Each returns nil on success.
extension RDKafkaClient {
    /// Fences earlier producers with the same `transactional.id`, aborts their open
    /// transaction and obtains a producer id. May be called again after a timeout.
    func initializeTransactions(timeout: Duration) -> KafkaError? {
        Self.transactionError(rd_kafka_init_transactions(handle, Self.milliseconds(timeout)), operation: "initialize transactions")
    }

    /// Local only, but waits for librdkafka's main thread.
    func beginTransaction() -> KafkaError? {
        Self.transactionError(rd_kafka_begin_transaction(handle), operation: "begin a transaction")
    }

    /// Flushes the transaction's messages, then commits it; `nil` waits for the rest of the
    /// transaction timeout (librdkafka's recommendation).
    func commitTransaction(timeout: Duration?) -> KafkaError? {
        Self.transactionError(rd_kafka_commit_transaction(handle, Self.milliseconds(timeout)), operation: "commit the transaction")
    }

    /// Purges the transaction's undelivered messages, then aborts it.
    func abortTransaction(timeout: Duration?) -> KafkaError? {
        Self.transactionError(rd_kafka_abort_transaction(handle, Self.milliseconds(timeout)), operation: "abort the transaction")
    }

    /// The cluster's id from its metadata, fetched if need be (nil if no broker answered in
    /// time, or the cluster is too old to have one).
    func clusterID(timeout: Duration) -> String? {
        guard let id = rd_kafka_clusterid(handle, Self.milliseconds(timeout)) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// librdkafka's mock cluster (`rdkafka_mock.c`, the embedded broker) names itself
    /// `mockCluster` followed by hex digits; Apache Kafka's ids are random 22-character base64
    /// UUIDs, so a real cluster with this prefix is vanishingly unlikely.
    static let mockClusterIDPrefix = "mockCluster"

    /// Converts (and destroys) a transactional call's error object, keeping its three flags.
    private static func transactionError(_ error: OpaquePointer?, operation: String) -> KafkaError? {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        let base = KafkaError.rdKafka(code, operation: operation, reason: String(cString: rd_kafka_error_string(error)))
        let fatal = rd_kafka_error_is_fatal(error) != 0
        return KafkaError(
            code: fatal ? .fatal : base.code, operation: operation, reason: base.reason, rdKafkaCode: base.rdKafkaCode,
            isRetriable: !fatal && rd_kafka_error_is_retriable(error) != 0, isFatal: fatal,
            requiresAbort: !fatal && rd_kafka_error_txn_requires_abort(error) != 0)
    }

    /// A timeout for librdkafka: whole milliseconds, at least 1; nil is -1 (librdkafka's default).
    private static func milliseconds(_ timeout: Duration?) -> Int32 {
        guard let timeout else { return -1 }
        return Int32(clamping: max(1, timeout.milliseconds))
    }
}
