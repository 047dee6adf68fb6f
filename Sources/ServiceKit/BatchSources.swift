import Kafka

/// Where the batch loop takes its next batch from: the service's consumer group and, for a
/// projection with reference topics, a `KafkaTopicReader` that reads those in full on every
/// instance (each instance of the warrant resolver needs the whole agency directory, not the
/// share a group would give it).
///
/// At start only the reader is read, until it has caught up with what its topics held (the
/// reference state is complete before any other event is applied); from then on, whichever
/// source has a batch first. A source is asked for its next batch only once its previous one
/// has been applied (asking marks it finished: for lag, a revoke, catching up), and a batch a
/// source hands over while its wait is being cancelled is kept for the next call, never lost.
struct BatchSources {
    enum Source: Sendable { case group, reference }

    private let consumer: KafkaConsumer
    private let reader: KafkaTopicReader?
    private var kept: [(source: Source, batch: KafkaConsumerBatch)] = []
    private var referenceCaughtUp: Bool
    private var referenceEnded = false

    init(consumer: KafkaConsumer, reader: KafkaTopicReader?) {
        self.consumer = consumer
        self.reader = reader
        referenceCaughtUp = reader == nil
    }

    private enum Arrival: Sendable {
        case batch(Source, KafkaConsumerBatch)
        case ended(Source)
        case caughtUp
        /// A wait given up because another source answered first.
        case cancelled
        /// The reader was closed (graceful shutdown) before it caught up.
        case closedBeforeCaughtUp
    }

    /// The next batch and its source; nil once the group's consumer has ended (closed), or when
    /// the reader is closed (graceful shutdown) before it has caught up: a service stopped
    /// during its start stops cleanly, having applied nothing without its reference state.
    ///
    /// The group's consumer is read during the catch-up too, so that its failure (no broker
    /// within the connect timeout) ends the service as it would without a reader; a group
    /// batch that arrives then waits, unapplied, until the reference state is complete.
    ///
    /// Throws `CancellationError` when the calling task is cancelled (a service group torn
    /// down rather than shut down): every wait started in a cancelled task ends at once as
    /// `.cancelled`, so without this check the loop would start new waits forever.
    mutating func next() async throws -> (source: Source, batch: KafkaConsumerBatch)? {
        while true {
            try Task.checkCancellation()
            if let index = kept.firstIndex(where: { $0.source == .reference }) { return kept.remove(at: index) }
            if referenceCaughtUp, !kept.isEmpty { return kept.removeFirst() }
            guard let reader, !referenceEnded else {
                var batches = consumer.batches.makeAsyncIterator()
                return try await batches.next().map { (.group, $0) }
            }
            let caughtUp = referenceCaughtUp
            let groupKept = !kept.isEmpty
            let consumer = self.consumer
            let arrivals: [Arrival] = try await withThrowingTaskGroup(of: Arrival.self) { group in
                group.addTask {
                    var batches = reader.batches.makeAsyncIterator()
                    if let batch = try await batches.next() { return .batch(.reference, batch) }
                    return Task.isCancelled ? .cancelled : .ended(.reference)
                }
                if !groupKept {
                    group.addTask {
                        var batches = consumer.batches.makeAsyncIterator()
                        if let batch = try await batches.next() { return .batch(.group, batch) }
                        return Task.isCancelled ? .cancelled : .ended(.group)
                    }
                }
                if !caughtUp {
                    group.addTask {
                        do {
                            try await reader.waitUntilCaughtUp()
                            return .caughtUp
                        } catch where Task.isCancelled {
                            return .cancelled
                        } catch let error as KafkaError where error.code == .closed {
                            return .closedBeforeCaughtUp
                        }
                    }
                }
                // The first arrival wins; the others are cancelled, and whatever they still
                // hand over is kept (a cancelled wait may have taken a batch already).
                guard let first = try await group.next() else { return [] }
                group.cancelAll()
                var arrivals = [first]
                while let other = try await group.next() { arrivals.append(other) }
                return arrivals
            }
            for arrival in arrivals {
                switch arrival {
                case .batch(let source, let batch): kept.append((source, batch))
                case .caughtUp: referenceCaughtUp = true
                case .ended(.group): if kept.isEmpty { return nil }
                case .ended(.reference):
                    // Closed (at shutdown): from now on only the group decides when to end.
                    referenceEnded = true
                    referenceCaughtUp = true
                case .cancelled: break
                case .closedBeforeCaughtUp:
                    // Shut down before the reference state was complete: apply nothing more
                    // (what is kept was not committed and is read again after a restart).
                    return nil
                }
            }
        }
    }
}
