import Testing

@testable import Kafka

// The Kafka client's state machines, driven as pure values: no broker, no threads. Waiters are
// plain integers, so each test says exactly which waiter a transition hands back to resume.

/// Pending messages for `ConsumerBufferState`: only their count matters to it.
private struct Messages: PendingMessages, Equatable {
    var ids: [Int]
    var count: Int { ids.count }
    mutating func append(contentsOf other: Messages) { ids += other.ids }
}

private typealias Buffer = ConsumerBufferState<Messages, Int>

@Suite("Consumer buffer state")
struct ConsumerBufferStateTests {
    @Test("a push resumes the waiting iterator; a take merges waiting batches up to the largest batch")
    func pushAndTake() {
        var buffer = Buffer(capacity: 4, maxBatchSize: 3)
        guard case .empty = buffer.take() else { Issue.record("nothing was pushed"); return }
        guard case .suspend = buffer.waitForPush(1, isCancelled: false) else { Issue.record("should wait"); return }
        guard case .resume(let waiter) = buffer.push(Messages(ids: [1, 2])) else { Issue.record("push refused"); return }
        #expect(waiter == 1)
        guard case .resume(nil) = buffer.push(Messages(ids: [3])) else { Issue.record("push refused"); return }
        guard case .resume(nil) = buffer.push(Messages(ids: [4])) else { Issue.record("push refused"); return }

        guard case .convert(let taken) = buffer.take() else { Issue.record("a batch waits"); return }
        #expect(taken.ids == [1, 2, 3], "merged up to maxBatchSize, the rest left for the next take")
        #expect(buffer.inFlight && buffer.converting)
        buffer.converted()
        #expect(!buffer.converting && buffer.inFlight, "the application holds the batch")
        guard case .convert(let next) = buffer.take() else { Issue.record("a batch waits"); return }
        #expect(next.ids == [4])
    }

    @Test("a second iterator waiting at the same time is refused with invalidUse, not a trap")
    func secondIterator() {
        var buffer = Buffer(capacity: 4, maxBatchSize: 10)
        guard case .suspend = buffer.waitForPush(1, isCancelled: false) else { Issue.record("should wait"); return }
        guard case .reject(let error) = buffer.waitForPush(2, isCancelled: false) else {
            Issue.record("a second waiter must be refused"); return
        }
        #expect(error.code == .invalidUse)
        guard case .resume(let waiter) = buffer.push(Messages(ids: [1])) else { Issue.record("push refused"); return }
        #expect(waiter == 1, "the first iterator still gets the batch")
    }

    @Test("cancelling the waiting iterator hands back its waiter; a cancelled task never waits")
    func cancellation() {
        var buffer = Buffer(capacity: 4, maxBatchSize: 10)
        guard case .suspend = buffer.waitForPush(7, isCancelled: false) else { Issue.record("should wait"); return }
        #expect(buffer.cancelWait() == 7)
        #expect(buffer.cancelWait() == nil)
        guard case .resume = buffer.waitForPush(8, isCancelled: true) else { Issue.record("cancelled: no wait"); return }
    }

    @Test("shutdown during a rebalance: close marks the batch in flight finished, so the revoke goes on")
    func shutdownDuringRebalance() {
        var buffer = Buffer(capacity: 4, maxBatchSize: 10)
        _ = buffer.push(Messages(ids: [1]))
        _ = buffer.take()
        buffer.converted()
        _ = buffer.push(Messages(ids: [2, 3]))
        #expect(buffer.inFlight, "a revoke now waits for the application")
        buffer.dropPending { messages in
            let kept = messages.ids.filter { $0 != 2 }
            return kept.isEmpty ? nil : Messages(ids: kept)
        }
        #expect(buffer.pending == [Messages(ids: [3])], "messages of revoked partitions are dropped")
        buffer.acknowledge()  // close()
        #expect(!buffer.inFlight, "the revoke's wait ends")
        let (discarded, waiter) = buffer.finish(nil)
        #expect(discarded == [Messages(ids: [3])] && waiter == nil)
        guard case .finished(nil) = buffer.take() else { Issue.record("the sequence ends"); return }
    }

    @Test("finish resumes the waiter with the error, destroys later pushes, and happens once")
    func finishOnce() {
        var buffer = Buffer(capacity: 1, maxBatchSize: 10)
        guard case .suspend = buffer.waitForPush(1, isCancelled: false) else { Issue.record("should wait"); return }
        let fatal = KafkaError(code: .fatal, operation: "consume", reason: "test", isFatal: true)
        let (discarded, waiter) = buffer.finish(fatal)
        #expect(discarded.isEmpty && waiter == 1)
        guard case .discard(let late) = buffer.push(Messages(ids: [9])) else { Issue.record("must be discarded"); return }
        #expect(late.ids == [9])
        guard case .finished(let error?) = buffer.take() else { Issue.record("the error ends it"); return }
        #expect(error.code == .fatal)
        let again = buffer.finish(nil)
        #expect(again.discard.isEmpty && again.resume == nil)
        guard case .finished(let still?) = buffer.take(), still.code == .fatal else {
            Issue.record("a second finish changes nothing"); return
        }
    }

    @Test("the poll thread waits for room while the buffer is full, unless woken")
    func room() {
        var buffer = Buffer(capacity: 1, maxBatchSize: 10)
        #expect(buffer.mayStopWaitingForRoom && buffer.endWaitForRoom())
        _ = buffer.push(Messages(ids: [1]))
        #expect(!buffer.mayStopWaitingForRoom)
        buffer.wake()
        #expect(buffer.mayStopWaitingForRoom)
        let hasRoom = buffer.endWaitForRoom()
        #expect(!hasRoom, "woken, but still no room")
        #expect(!buffer.mayStopWaitingForRoom, "the wake is used up")
    }
}

@Suite("Producer state")
struct ProducerStateTests {
    @Test("send after shutdown is refused; shutting down twice only waits; closed ends polling")
    func lifecycle() {
        var lifecycle = ProducerLifecycle()
        #expect(lifecycle.acceptsMessages && lifecycle.pollThreadContinues)
        #expect(lifecycle.shutdown() == .drain(abortTransaction: false))
        #expect(!lifecycle.acceptsMessages, "send after shutdown fails with closed")
        #expect(lifecycle.mayFlush, "the shutdown flushes what was accepted")
        #expect(lifecycle.shutdown() == .waitForPollThread, "a second shutdown does not drain again")
        lifecycle.drained()
        #expect(!lifecycle.pollThreadContinues && !lifecycle.mayFlush)
        #expect(lifecycle.shutdown() == .waitForPollThread)
        let lost = lifecycle.releasedWithoutShutdown()
        #expect(!lost, "nothing lost after a shutdown")
    }

    @Test("a producer released without shutdown stops its poll thread and says messages may be lost")
    func releasedWithoutShutdown() {
        var lifecycle = ProducerLifecycle()
        let lostWithoutShutdown = lifecycle.releasedWithoutShutdown()
        #expect(lostWithoutShutdown)
        #expect(!lifecycle.pollThreadContinues)
    }

    @Test("a sender waiting for queue room resumes when reports free room, or when cancelled")
    func queueSpace() {
        var space = QueueSpaceState<Int>()
        let first = space.makeWaiterID()
        #expect(space.wait(id: first, after: space.generation, 1) == .suspend)
        let second = space.makeWaiterID()
        #expect(space.wait(id: second, after: space.generation, 2) == .suspend)
        #expect(space.waits == 2 && space.hasWaiters)

        #expect(space.cancel(id: second) == 2, "cancellation while waiting hands back that waiter only")
        #expect(space.advance() == [1])
        #expect(!space.hasWaiters)

        let stale = space.generation - 1
        #expect(space.wait(id: space.makeWaiterID(), after: stale, 3) == .resume, "room freed since the attempt")
    }

    @Test("a cancellation that comes before the wait is registered ends the wait at once")
    func cancelledBeforeWaiting() {
        var space = QueueSpaceState<Int>()
        let id = space.makeWaiterID()
        #expect(space.cancel(id: id) == nil)
        #expect(space.wait(id: id, after: space.generation, 1) == .resume)
        #expect(!space.hasWaiters)
        space.forget(id: id)
    }

    @Test("a delivery report may come before or after the wait; a second waiter gets invalidUse")
    func deliveryWait() {
        let receipt = KafkaDeliveryReceipt(topicPartition: TopicPartition(topic: "t", partition: 0), offset: KafkaOffset(4))
        var early = DeliveryWaitState<Int>()
        #expect(early.resolve(.success(receipt)) == nil)
        guard case .resume(.success(let got)) = early.wait(1) else { Issue.record("the report was there"); return }
        #expect(got == receipt)

        var late = DeliveryWaitState<Int>()
        guard case .suspend = late.wait(1) else { Issue.record("should wait"); return }
        guard case .resume(.failure(let error)) = late.wait(2) else { Issue.record("a second waiter is refused"); return }
        #expect(error.code == .invalidUse)
        #expect(late.resolve(.success(receipt)) == 1)
        #expect(late.resolve(.success(receipt)) == nil, "a report resolves once")
    }
}


@Suite("Consumer state")
struct ConsumerStateTests {
    @Test("commands run until close is requested; those queued before it still run, later ones fail")
    func commandsAndClose() {
        var lifecycle = ConsumerLifecycle<String>()
        let accepted = lifecycle.submit("commit 1")
        #expect(accepted)
        let wakes = lifecycle.requestClose()
        #expect(wakes, "wake the poll thread")
        let acceptedWhileClosing = lifecycle.submit("commit 2")
        #expect(!acceptedWhileClosing, "refused: the consumer is closing")
        #expect(lifecycle.mayUseHandle, "offsets stored while closing are committed by the close")
        let round = lifecycle.nextRound()
        #expect(round.commands == ["commit 1"] && round.close)
        #expect(lifecycle.closed().isEmpty)
        #expect(!lifecycle.mayUseHandle)
    }

    @Test("close twice is safe: the second request wakes nothing once closed")
    func closeTwice() {
        var lifecycle = ConsumerLifecycle<String>()
        let firstWakes = lifecycle.requestClose()
        #expect(firstWakes)
        let secondWakes = lifecycle.requestClose()
        #expect(secondWakes, "still closing: waking again is harmless")
        _ = lifecycle.closed()
        let wakesWhenClosed = lifecycle.requestClose()
        #expect(!wakesWhenClosed, "closed: the queue is gone, nothing to wake")
        #expect(lifecycle.nextRound().close)
        #expect(lifecycle.closed().isEmpty)
    }

    @Test("a close that returns in time leaves the handle to the poll thread; an abandoned one to its own thread")
    func closeHandoff() {
        var inTime = ConsumerCloseHandoff()
        #expect(inTime.closeReturned() == .pollThread)
        #expect(inTime.pollThreadDone() == .pollThread)

        var abandoned = ConsumerCloseHandoff()
        #expect(abandoned.pollThreadDone() == .closingThread)
        #expect(abandoned.state == .abandoned)
        #expect(abandoned.closeReturned() == .closingThread, "the late close destroys the handle itself")
    }

    @Test("a revoke commits what was stored, also during the wait; a failed commit resumes there if the partitions return")
    func rebalance() {
        let p0 = TopicPartition(topic: "t", partition: 0)
        let p1 = TopicPartition(topic: "t", partition: 1)
        var state = RebalanceState()
        #expect(state.assigning([p0, p1]).isEmpty)
        state.assigned([p0, p1])
        #expect(state.assignmentIfRebalanced == [p0, p1])
        state.resetRebalanced()
        #expect(state.assignmentIfRebalanced == nil)

        state.didStore([p0: KafkaOffset(5)])
        state.didStore([p0: KafkaOffset(3)])  // lower: ignored
        state.revoking([p0])
        #expect(state.assignment == [p1], "revoked partitions leave at once")
        state.didStore([p0: KafkaOffset(8)])  // the batch in flight finishes during the revoke
        let stored = state.takeStored(of: [p0])
        #expect(stored == [p0: KafkaOffset(8)])
        state.commitFailed(stored)

        #expect(state.assigning([p0]) == [p0: KafkaOffset(8)], "resume after the uncommitted offset")
        #expect(state.assigning([p0]).isEmpty, "used once")
        state.failed()
        #expect(state.assignment.isEmpty && state.assignmentIfRebalanced == [])
    }
}

@Suite("Embedded cluster state")
struct EmbeddedKafkaStateTests {
    @Test("shutdown destroys once; the cluster is then refused with invalidUse")
    func shutdownOnce() throws {
        var state = EmbeddedKafkaState()
        let first = state.shutdown()
        #expect(first)
        let second = state.shutdown()
        #expect(!second)
        #expect(!state.isRunning)

        let kafka = try EmbeddedKafka(brokers: 1, logger: testLogger)
        kafka.shutdown()
        kafka.shutdown()  // harmless
        let error = #expect(throws: KafkaError.self) { try kafka.setBrokerDown(1) }
        #expect(error?.code == .invalidUse)
        let create = #expect(throws: KafkaError.self) { try kafka.createTopic("t", partitions: 1) }
        #expect(create?.code == .invalidUse)
    }
}
