/// A producer's lifecycle: running, draining (shutdown delivers what was accepted), closed; and,
/// for a transactional producer, where its transaction stands.
///
/// Held behind the producer's one lock; the producer asks it before each use of the handle and
/// performs what its transitions return outside the lock. A pure value: tests drive it alone.
struct ProducerLifecycle: Equatable {
    enum State: Equatable {
        /// Accepting messages.
        case running
        /// `shutdown()` began: no new messages; what was accepted is being delivered.
        case draining
        /// Delivered or purged; the poll thread stops and destroys the handle.
        case closed
    }
    private(set) var state = State.running

    /// Where a transactional producer's transaction stands (librdkafka's own state, as far as
    /// our calls have seen it). At most one blocking transactional call runs at a time: the
    /// states ending in `-ing` are those calls in flight.
    enum Transaction: Equatable {
        /// The producer has no `transactionalID`: messages are sent without transactions.
        case notTransactional
        /// `initializeTransactions` has not succeeded yet.
        case uninitialized
        case initializing
        /// No transaction open: `beginTransaction` may be called.
        case ready
        case beginning
        /// Messages may be sent; they become visible together on commit.
        case open
        case committing
        /// A commit timed out and goes on in the background: only committing again may finish
        /// it (librdkafka refuses an abort then).
        case commitPending
        case aborting
        /// The transaction failed (or an abort timed out): only an abort may end it.
        case abortRequired
        /// A transactional call failed fatally: the producer can only be shut down.
        case fatal
    }
    private(set) var transaction: Transaction

    /// Whether a message may be enqueued now: running and, for a transactional producer, with a
    /// transaction open. Stored, not computed: every message reads it under the lock.
    private(set) var acceptsMessages: Bool

    init(transactional: Bool = false) {
        transaction = transactional ? .uninitialized : .notTransactional
        acceptsMessages = !transactional
    }

    /// Whether the handle may still be used by a caller (shutdown has not begun).
    var mayUseHandle: Bool { state == .running }
    /// Whether `flush` has anything to wait for (the handle is still there).
    var mayFlush: Bool { state != .closed }
    /// Whether the poll thread goes on serving reports.
    var pollThreadContinues: Bool { state != .closed }

    /// Why a message is refused now (`acceptsMessages` is false): `.closed` once shutting down,
    /// `.invalidUse` outside an open transaction, `.fatal` after a fatal transactional error.
    func refusal(_ operation: String) -> KafkaError {
        guard state == .running else { return KafkaError.closed(operation) }
        let reason: String
        switch transaction {
        case .notTransactional, .open:
            reason = "the message is refused"  // unreachable: these states accept messages
        case .uninitialized, .initializing:
            reason = "the producer is transactional: initializeTransactions() and beginTransaction() must succeed before sending"
        case .ready, .beginning:
            reason = "the producer is transactional and no transaction is open: call beginTransaction() first"
        case .committing, .commitPending:
            reason = "the transaction is being committed; begin a new one to send more"
        case .aborting:
            reason = "the transaction is being aborted; begin a new one to send more"
        case .abortRequired:
            reason = "the transaction failed and must be aborted (abortTransaction()) before sending again"
        case .fatal:
            return Self.fatalRefusal(operation)
        }
        return KafkaError(code: .invalidUse, operation: operation, reason: reason)
    }

    // MARK: Transactions

    /// The producer's blocking transactional calls.
    enum TransactionCall: Equatable, CustomStringConvertible {
        case initialize, begin, commit, abort

        var description: String {
            switch self {
            case .initialize: "initialize transactions"
            case .begin: "begin a transaction"
            case .commit: "commit the transaction"
            case .abort: "abort the transaction"
            }
        }
    }

    /// `call` is about to run: returns nil when it may (the state then says it is in flight),
    /// or the error refusing it.
    mutating func start(_ call: TransactionCall) -> KafkaError? {
        let operation = call.description
        guard state == .running else { return KafkaError.closed(operation) }
        func misuse(_ reason: String) -> KafkaError {
            KafkaError(code: .invalidUse, operation: operation, reason: reason)
        }
        switch (call, transaction) {
        case (_, .notTransactional):
            return misuse("the producer has no transactionalID")
        case (_, .fatal):
            return Self.fatalRefusal(operation)
        case (_, .initializing), (_, .beginning), (_, .committing), (_, .aborting):
            return misuse("another transactional call is still running; transactional calls run one at a time")
        case (.initialize, .uninitialized):
            transaction = .initializing
        case (.initialize, _):
            return misuse("transactions are already initialized")
        case (_, .uninitialized):
            return misuse("call initializeTransactions() first")
        case (.begin, .ready):
            transaction = .beginning
        case (.begin, .abortRequired):
            return misuse("the open transaction failed: abort it (abortTransaction()) before beginning another")
        case (.begin, _):
            return misuse("a transaction is already open; commit or abort it first")
        case (.commit, .open), (.commit, .commitPending):
            transaction = .committing
        case (.commit, .abortRequired):
            return misuse("the transaction failed and can only be aborted")
        case (.abort, .open), (.abort, .abortRequired):
            transaction = .aborting
        case (.abort, .commitPending):
            return misuse("a commit is still in progress: call commitTransaction() again until it succeeds or fails")
        case (.commit, _), (.abort, _):
            return misuse("no transaction is open")
        }
        update()
        return nil
    }

    /// `call` (allowed by `start`) returned `error` (nil: it succeeded).
    mutating func finish(_ call: TransactionCall, error: KafkaError?) {
        switch (call, error) {
        case (_, let error?) where error.isFatal:
            transaction = .fatal
        case (.initialize, nil), (.commit, nil), (.abort, nil):
            transaction = .ready
        case (.begin, nil):
            transaction = .open
        case (.initialize, _?):
            transaction = .uninitialized  // a timeout may be resumed by calling again
        case (.begin, _?):
            transaction = .ready
        case (.commit, let error?) where error.requiresAbort:
            transaction = .abortRequired
        case (.commit, let error?) where error.isRetriable:
            transaction = .commitPending
        case (.abort, let error?) where error.isRetriable:
            transaction = .abortRequired
        case (.commit, _?), (.abort, _?):
            // Neither retriable nor abortable: librdkafka's advice is to treat it as fatal.
            transaction = .fatal
        }
        update()
    }

    /// Whether a blocking transactional call is running (shutdown waits for it).
    var transactionCallInFlight: Bool {
        switch transaction {
        case .initializing, .beginning, .committing, .aborting: true
        default: false
        }
    }

    // MARK: Shutdown

    enum ShutdownAction: Equatable {
        /// The first shutdown: wake waiting senders, abort the open transaction if
        /// `abortTransaction` (then call `finish(.abort, …)`), wait for transactional calls in
        /// flight, flush (purging after the timeout), then call `drained()` and wait for the
        /// poll thread.
        case drain(abortTransaction: Bool)
        /// Another shutdown is, or was, under way: only wait for the poll thread to end.
        case waitForPollThread
    }

    mutating func shutdown() -> ShutdownAction {
        guard state == .running else { return .waitForPollThread }
        state = .draining
        // An open transaction left to the broker would hold back read_committed readers of
        // its partitions until the transaction timeout: abort it now.
        let aborts = transaction == .open || transaction == .abortRequired
        if aborts { transaction = .aborting }
        update()
        return .drain(abortTransaction: aborts)
    }

    /// Every accepted message has its report (delivered or purged).
    mutating func drained() {
        state = .closed
        update()
    }

    /// The producer was released without `shutdown()`: returns true when that loses messages'
    /// reports (it was not closed), and closes, so the poll thread ends.
    mutating func releasedWithoutShutdown() -> Bool {
        defer {
            state = .closed
            update()
        }
        return state != .closed
    }

    private mutating func update() {
        acceptsMessages = state == .running && (transaction == .notTransactional || transaction == .open)
    }

    private static func fatalRefusal(_ operation: String) -> KafkaError {
        KafkaError(
            code: .fatal, operation: operation,
            reason: "an earlier transactional call failed fatally; shut this producer down and create a new one",
            isFatal: true)
    }
}
