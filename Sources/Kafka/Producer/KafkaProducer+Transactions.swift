/// Kafka transactions: a group of messages, on any topics and partitions, that consumers with
/// `isolation.level=read_committed` (librdkafka's default) see all together once committed, or
/// never if aborted.
///
/// Only a producer created with `KafkaProducerConfiguration.transactionalID` has them. It calls
/// `initializeTransactions(timeout:)` once, then for each group `beginTransaction()`, sends
/// (`send`, `sendBatch`), and `commitTransaction()`; on any failure `abortTransaction()`. A
/// send outside an open transaction fails with `.invalidUse`, as do calls in the wrong order
/// (beginning twice, committing without a transaction); the producer's lifecycle state
/// (`ProducerLifecycle.Transaction`) decides, before librdkafka is asked.
///
/// Errors say what may follow: `requiresAbort` (the transaction failed: abort, then a new one
/// may begin), `isRetriable` (call the same method again: a timed-out commit goes on in the
/// background and only committing again finishes it), `isFatal` (shut the producer down: for
/// example another producer with the same transactional id fenced this one).
///
/// Every call blocks in librdkafka, so each runs on a short-lived thread of its own while the
/// caller suspends; cancelling the caller does not interrupt it. `shutdown()` aborts an open
/// transaction and waits for a call still running.
///
/// The embedded broker (librdkafka's mock cluster) accepts these calls but does not enforce
/// them: aborted messages stay visible. `clusterIdentity(timeout:)` tells it apart.
extension KafkaProducer {
    /// Whether this producer sends in transactions (it has a `transactionalID`).
    public var isTransactional: Bool { configuration.transactionalID != nil }

    /// Registers the transactional id with the cluster's transaction coordinator: fences any
    /// earlier producer with the same id and aborts its open transaction. Call once, before the
    /// first `beginTransaction()`.
    ///
    /// - Parameter timeout: how long to wait for the coordinator; bounds the start against a
    ///   cluster that does not answer (or does not support transactions).
    /// - Throws: `.invalidUse` if not transactional or already initialized; a retriable
    ///   `.timedOut` (call again: it resumes); a fatal error if the cluster refuses.
    public func initializeTransactions(timeout: Duration) async throws(KafkaError) {
        try await transactionCall(.initialize) { $0.initializeTransactions(timeout: timeout) }
    }

    /// Opens a transaction: messages sent from now on are committed or aborted together.
    ///
    /// - Throws: `.invalidUse` before `initializeTransactions` or while a transaction is open.
    public func beginTransaction() async throws(KafkaError) {
        try await transactionCall(.begin) { $0.beginTransaction() }
    }

    /// Delivers the transaction's messages still queued, then commits the transaction.
    ///
    /// - Parameter timeout: how long to wait; `nil` (recommended by librdkafka) waits for the
    ///   rest of `transactionTimeout`.
    /// - Throws: an error with `requiresAbort` when a message failed or the broker refused (call
    ///   `abortTransaction`); a retriable `.timedOut` when the commit did not finish in time
    ///   (it goes on in the background: call `commitTransaction` again); `.invalidUse` when no
    ///   transaction is open.
    public func commitTransaction(timeout: Duration? = nil) async throws(KafkaError) {
        try await transactionCall(.commit) { $0.commitTransaction(timeout: timeout) }
    }

    /// Aborts the open transaction: messages not yet delivered are purged (their sends fail with
    /// `.purged`), delivered ones are marked aborted, and a new transaction may begin.
    ///
    /// - Parameter timeout: as for `commitTransaction`; on a retriable timeout call again.
    /// - Throws: `.invalidUse` when no transaction is open, or while a timed-out commit is
    ///   pending (only committing again can end it).
    public func abortTransaction(timeout: Duration? = nil) async throws(KafkaError) {
        try await transactionCall(.abort) { $0.abortTransaction(timeout: timeout) }
    }

    /// Which cluster this producer talks to, from its metadata (fetched if need be).
    ///
    /// - Throws: `.timedOut` when no broker answered within `timeout`; `.closed` after shutdown.
    public func clusterIdentity(timeout: Duration) async throws(KafkaError) -> KafkaClusterIdentity {
        let operation = "read the cluster id"
        try state.withLock { lifecycle throws(KafkaError) in
            guard lifecycle.mayUseHandle else { throw KafkaError.closed(operation) }
            blockingCalls.enter()
        }
        defer { blockingCalls.leave() }
        let client = self.client
        guard let id = await DedicatedThread.run(name: "kafka-cluster", { client.clusterID(timeout: timeout) }) else {
            throw KafkaError(
                code: .timedOut, operation: operation, reason: "no broker answered within \(timeout)", isRetriable: true)
        }
        return KafkaClusterIdentity(id: id, isEmbedded: id.hasPrefix(RDKafkaClient.mockClusterIDPrefix))
    }

    /// Runs one transactional call on a thread of its own, if the lifecycle allows it now, and
    /// records its outcome there.
    private func transactionCall(
        _ call: ProducerLifecycle.TransactionCall, _ body: @escaping @Sendable (RDKafkaClient) -> KafkaError?
    ) async throws(KafkaError) {
        let refusal = state.withLock { lifecycle -> KafkaError? in
            let refusal = lifecycle.start(call)
            if refusal == nil { blockingCalls.enter() }
            return refusal
        }
        if let refusal { throw refusal }
        let client = self.client
        let error = await DedicatedThread.run(name: "kafka-txn") { body(client) }
        state.withLock { $0.finish(call, error: error) }
        blockingCalls.leave()
        if let error {
            logger.debug("Transactional call failed", metadata: ["kafka.call": "\(call)", "kafka.error": "\(error)"])
            throw error
        }
    }

    /// `shutdown()`'s abort of a transaction left open (the lifecycle already counts it in
    /// flight): bounded by `shutdownTimeout`; on failure the broker aborts it after
    /// `transactionTimeout`.
    func abortOnShutdown() async {
        blockingCalls.enter()
        defer { blockingCalls.leave() }
        let client = self.client
        let timeout = configuration.shutdownTimeout
        let error = await DedicatedThread.run(name: "kafka-txn") { client.abortTransaction(timeout: timeout) }
        state.withLock { $0.finish(.abort, error: error) }
        if let error {
            logger.error("Could not abort the open transaction on shutdown; the broker aborts it after the transaction timeout",
                         metadata: ["kafka.error": "\(error)"])
        } else {
            logger.warning("Shutdown aborted an open transaction; its messages will never be visible to read_committed consumers")
        }
    }
}

/// The cluster a client talks to.
public struct KafkaClusterIdentity: Sendable, Hashable {
    /// The cluster id from its metadata.
    public var id: String
    /// Whether it is the embedded broker (librdkafka's mock cluster: `EmbeddedKafka`,
    /// `reentrybus broker`, `reentrybus dev`), a test broker that accepts transactions without
    /// enforcing them: aborted messages stay visible to every consumer.
    public var isEmbedded: Bool

    public init(id: String, isEmbedded: Bool) {
        self.id = id
        self.isEmbedded = isEmbedded
    }
}
