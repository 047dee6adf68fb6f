import Kafka
import Logging
import ServiceKit
import Synchronization

/// One reading of a service's topics into the new state: every partition from where the new
/// state stands (`start`; the beginning where it has nothing) up to the offsets the current
/// state reached (`goal`), put back in the order the service met them (`ReplayMerge`) and
/// applied batch by batch through the service's own transaction.
/// Messages at or past a partition's goal are left for the service (it has not applied them
/// yet: their notifications are its to send). Partitions outside `goal` are not applied at all.
///
/// It ends when every partition reached its goal, or when the reader has caught up (read all
/// that the partitions held when it started: a goal that no message reaches, at the end of a
/// compacted partition, then counts as reached). It fails when the reader fails, or when it
/// reads nothing for `stallTimeout` before that.
struct ReplayPass {
    let reader: KafkaTopicReaderConfiguration
    let stallTimeout: Duration
    /// How many messages may wait to be put in order (`ReplayMerge`).
    let mergeWindow: Int
    /// The most events one transaction applies (``ReplayOptions/eventsPerTransaction``).
    let eventsPerTransaction: Int
    let logger: Logger

    /// What a batch did, for the progress.
    struct BatchReport {
        var messages: Int
        /// Nil when the report only covers offsets (nothing was applied).
        var applied: EventConsumerService.ReplayedBatch?
        /// Offsets newly covered, summed over partitions.
        var offsetsCovered: Int64
        /// Offsets newly read (applied or waiting for the next transaction), summed over
        /// partitions: a report of the reading alone has no messages and covers nothing.
        var offsetsRead: Int64 = 0
    }

    /// Whether anything lies between `start` and `goal`.
    static func hasWork(from start: [TopicPartition: KafkaOffset], to goal: [TopicPartition: KafkaOffset]) -> Bool {
        goal.contains { partition, end in (start[partition]?.rawValue ?? 0) < end.rawValue }
    }

    /// Offsets between `start` and `goal`, summed over partitions.
    static func distance(from start: [TopicPartition: KafkaOffset], to goal: [TopicPartition: KafkaOffset]) -> Int64 {
        goal.reduce(0) { sum, entry in sum + max(0, entry.value.rawValue - (start[entry.key]?.rawValue ?? 0)) }
    }

    func run(
        into service: EventConsumerService, from start: [TopicPartition: KafkaOffset], to goal: [TopicPartition: KafkaOffset],
        onBatch: @escaping @Sendable (BatchReport) -> Void
    ) async throws {
        guard Self.hasWork(from: start, to: goal) else { return }
        let topics = reader.topics
        let startingAt = start.filter { topics.contains($0.key.topic) }
        let topicReader: KafkaTopicReader
        do {
            topicReader = try KafkaTopicReader(configuration: reader, startingAt: startingAt, logger: logger)
        } catch {
            throw ReplayFailure(.readFailed(error))
        }
        let watch = StallWatch()
        let stallTimeout = self.stallTimeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Caught up: the batches end, and so does the loop below.
                    do { try await topicReader.waitUntilCaughtUp() } catch {}
                    await topicReader.close()
                }
                group.addTask {
                    // Nothing read for `stallTimeout`: the broker is gone. Closing ends the loop.
                    let step = min(stallTimeout / 4, .seconds(1))
                    while !Task.isCancelled {
                        try await Task.sleep(for: step)
                        if watch.quietFor >= stallTimeout {
                            watch.stall()
                            await topicReader.close()
                            return
                        }
                    }
                }
                var reached = start.filter { goal[$0.key] != nil }
                var merge = ReplayMerge(
                    partitions: goal.keys.filter { (reached[$0]?.rawValue ?? 0) < goal[$0]!.rawValue }, window: mergeWindow)
                var batches = topicReader.batches.makeAsyncIterator()
                // Messages in order, waiting until a transaction's worth is there.
                var ready: [KafkaConsumerMessage] = []
                var covered: Int64 = 0
                while let batch = try await batches.next() {
                    watch.active()
                    let coveredBefore = covered
                    for message in batch {
                        let partition = message.topicPartition
                        guard let end = goal[partition], message.offset.rawValue < end.rawValue else { continue }
                        merge.add(message)
                        let before = reached[partition]?.rawValue ?? 0
                        let after = message.offset.rawValue + 1
                        if after > before {
                            covered += after - before
                            reached[partition] = KafkaOffset(after)
                        }
                        if after >= end.rawValue { merge.finished(partition) }
                    }
                    ready += merge.ready()
                    if covered > coveredBefore {
                        onBatch(BatchReport(messages: 0, applied: nil, offsetsCovered: 0, offsetsRead: covered - coveredBefore))
                    }
                    if goal.allSatisfy({ (reached[$0.key]?.rawValue ?? 0) >= $0.value.rawValue }) { break }
                    guard ready.count >= eventsPerTransaction else { continue }
                    // Whole transactions now; the rest waits for more.
                    let whole = ready.count - ready.count % eventsPerTransaction
                    try await apply(Array(ready[..<whole]), into: service, covering: covered, onBatch: onBatch)
                    ready.removeFirst(whole)
                    covered = 0
                    watch.active()
                }
                // Everything below the goals is in (or the reader read all it will).
                try await apply(ready + merge.drain(), into: service, covering: covered, onBatch: onBatch)
                await topicReader.close()
                group.cancelAll()
            }
        } catch let error as KafkaError {
            await topicReader.close()
            if error.code == .cancelled { throw CancellationError() }
            throw ReplayFailure(.readFailed(error))
        } catch {
            await topicReader.close()
            throw error
        }
        if watch.stalled { throw ReplayFailure(.stalled(topics: topics, after: stallTimeout)) }
    }

    /// Applies `messages` in transactions of up to ``eventsPerTransaction`` events.
    private func apply(
        _ messages: [KafkaConsumerMessage], into service: EventConsumerService, covering covered: Int64,
        onBatch: @Sendable (BatchReport) -> Void
    ) async throws {
        var covered = covered
        var start = messages.startIndex
        while start < messages.endIndex || covered > 0 {
            let end = min(start + eventsPerTransaction, messages.endIndex)
            let chunk = Array(messages[start..<end])
            let applied = chunk.isEmpty ? nil : try await service.applyReplayed(chunk)
            onBatch(BatchReport(messages: chunk.count, applied: applied, offsetsCovered: covered))
            covered = 0
            start = end
        }
    }
}

/// When a pass last read something, and whether it gave up waiting.
private final class StallWatch: Sendable {
    private struct State {
        var lastActivity = ContinuousClock.now
        var stalled = false
    }

    private let state = Mutex(State())

    var quietFor: Duration { .now - state.withLock { $0.lastActivity } }
    var stalled: Bool { state.withLock { $0.stalled } }
    func active() { state.withLock { $0.lastActivity = .now } }
    func stall() { state.withLock { $0.stalled = true } }
}
