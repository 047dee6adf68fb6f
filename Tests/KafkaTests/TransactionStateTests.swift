import Testing

@testable import Kafka

// The transactional producer's rules, as pure transitions of its lifecycle: no broker, no
// threads. Each step says what librdkafka would otherwise be asked to do in the wrong order.

@Suite("Producer transaction state")
struct TransactionStateTests {
    private func fails(
        _ lifecycle: inout ProducerLifecycle, _ call: ProducerLifecycle.TransactionCall, with code: KafkaError.Code,
        saying text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = lifecycle
        let error = lifecycle.start(call)
        #expect(error?.code == code, sourceLocation: sourceLocation)
        #expect(error?.reason.contains(text) == true, "\(error?.reason ?? "no error")", sourceLocation: sourceLocation)
        #expect(lifecycle == before, "a refused call changes nothing", sourceLocation: sourceLocation)
    }

    @Test("a transactional producer sends only inside a transaction: init, begin, send, commit, in that order")
    func order() {
        var lifecycle = ProducerLifecycle(transactional: true)
        #expect(!lifecycle.acceptsMessages)
        #expect(lifecycle.refusal("send to topic t").code == .invalidUse, "send before initializing")
        fails(&lifecycle, .begin, with: .invalidUse, saying: "initializeTransactions() first")
        fails(&lifecycle, .commit, with: .invalidUse, saying: "initializeTransactions() first")

        #expect(lifecycle.start(.initialize) == nil)
        #expect(lifecycle.transactionCallInFlight)
        fails(&lifecycle, .begin, with: .invalidUse, saying: "another transactional call is still running")
        lifecycle.finish(.initialize, error: nil)
        #expect(lifecycle.transaction == .ready && !lifecycle.transactionCallInFlight)
        #expect(!lifecycle.acceptsMessages)
        #expect(lifecycle.refusal("send to topic t").reason.contains("no transaction is open"))
        fails(&lifecycle, .initialize, with: .invalidUse, saying: "already initialized")
        fails(&lifecycle, .commit, with: .invalidUse, saying: "no transaction is open")
        fails(&lifecycle, .abort, with: .invalidUse, saying: "no transaction is open")

        #expect(lifecycle.start(.begin) == nil)
        #expect(!lifecycle.acceptsMessages, "not before librdkafka has begun it")
        lifecycle.finish(.begin, error: nil)
        #expect(lifecycle.acceptsMessages)
        fails(&lifecycle, .begin, with: .invalidUse, saying: "already open")

        #expect(lifecycle.start(.commit) == nil)
        #expect(!lifecycle.acceptsMessages, "no sends while committing")
        #expect(lifecycle.refusal("send to topic t").reason.contains("being committed"))
        lifecycle.finish(.commit, error: nil)
        #expect(lifecycle.transaction == .ready && !lifecycle.acceptsMessages)
        fails(&lifecycle, .commit, with: .invalidUse, saying: "no transaction is open")

        #expect(lifecycle.start(.begin) == nil)
        lifecycle.finish(.begin, error: nil)
        #expect(lifecycle.start(.abort) == nil)
        lifecycle.finish(.abort, error: nil)
        #expect(lifecycle.transaction == .ready, "after an abort a new transaction may begin")
    }

    @Test("an abortable commit leaves only abort; a timed-out commit only committing again; a fatal error ends it")
    func failures() {
        let abortable = KafkaError(code: .brokerRejected, operation: "commit the transaction", reason: "test", requiresAbort: true)
        let timedOut = KafkaError(code: .timedOut, operation: "commit the transaction", reason: "test", isRetriable: true)
        let fatal = KafkaError(code: .fatal, operation: "commit the transaction", reason: "fenced", isFatal: true)
        func open() -> ProducerLifecycle {
            var lifecycle = ProducerLifecycle(transactional: true)
            _ = lifecycle.start(.initialize)
            lifecycle.finish(.initialize, error: nil)
            _ = lifecycle.start(.begin)
            lifecycle.finish(.begin, error: nil)
            return lifecycle
        }

        var lifecycle = open()
        _ = lifecycle.start(.commit)
        lifecycle.finish(.commit, error: abortable)
        #expect(lifecycle.transaction == .abortRequired && !lifecycle.acceptsMessages)
        #expect(lifecycle.refusal("send to topic t").reason.contains("must be aborted"))
        fails(&lifecycle, .commit, with: .invalidUse, saying: "can only be aborted")
        fails(&lifecycle, .begin, with: .invalidUse, saying: "abort it")
        #expect(lifecycle.start(.abort) == nil)
        lifecycle.finish(.abort, error: timedOut)
        #expect(lifecycle.transaction == .abortRequired, "a timed-out abort is called again")
        #expect(lifecycle.start(.abort) == nil)
        lifecycle.finish(.abort, error: nil)
        #expect(lifecycle.transaction == .ready)

        lifecycle = open()
        _ = lifecycle.start(.commit)
        lifecycle.finish(.commit, error: timedOut)
        #expect(lifecycle.transaction == .commitPending && !lifecycle.acceptsMessages)
        fails(&lifecycle, .abort, with: .invalidUse, saying: "call commitTransaction() again")
        #expect(lifecycle.start(.commit) == nil)
        lifecycle.finish(.commit, error: nil)
        #expect(lifecycle.transaction == .ready)

        lifecycle = open()
        _ = lifecycle.start(.commit)
        lifecycle.finish(.commit, error: fatal)
        #expect(lifecycle.transaction == .fatal && !lifecycle.acceptsMessages)
        fails(&lifecycle, .abort, with: .fatal, saying: "failed fatally")
        fails(&lifecycle, .begin, with: .fatal, saying: "failed fatally")
        #expect(lifecycle.refusal("send to topic t").isFatal)

        lifecycle = ProducerLifecycle(transactional: true)
        _ = lifecycle.start(.initialize)
        lifecycle.finish(.initialize, error: timedOut)
        #expect(lifecycle.transaction == .uninitialized, "a timed-out initialization may be tried again")
        #expect(lifecycle.start(.initialize) == nil)
    }

    @Test("a producer without a transactional id refuses transactional calls and always accepts messages")
    func notTransactional() {
        var lifecycle = ProducerLifecycle()
        #expect(lifecycle.acceptsMessages)
        for call in [ProducerLifecycle.TransactionCall.initialize, .begin, .commit, .abort] {
            fails(&lifecycle, call, with: .invalidUse, saying: "no transactionalID")
        }
    }

    @Test("shutdown aborts an open transaction; afterwards every call fails with closed")
    func shutdown() {
        var lifecycle = ProducerLifecycle(transactional: true)
        _ = lifecycle.start(.initialize)
        lifecycle.finish(.initialize, error: nil)
        _ = lifecycle.start(.begin)
        lifecycle.finish(.begin, error: nil)
        #expect(lifecycle.shutdown() == .drain(abortTransaction: true))
        #expect(lifecycle.transactionCallInFlight && !lifecycle.acceptsMessages)
        fails(&lifecycle, .commit, with: .closed, saying: "closed")
        #expect(lifecycle.refusal("send to topic t").code == .closed)
        lifecycle.finish(.abort, error: nil)
        #expect(lifecycle.shutdown() == .waitForPollThread)

        var idle = ProducerLifecycle(transactional: true)
        #expect(idle.shutdown() == .drain(abortTransaction: false), "nothing open: nothing to abort")
        var committing = ProducerLifecycle(transactional: true)
        _ = committing.start(.initialize)
        #expect(committing.shutdown() == .drain(abortTransaction: false), "a call in flight is waited for, not aborted")
        #expect(committing.transactionCallInFlight)
    }
}
