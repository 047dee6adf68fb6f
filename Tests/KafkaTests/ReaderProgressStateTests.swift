import Testing

@testable import Kafka

// A topic reader's progress as a pure value: no broker, no threads. Waiters are plain integers,
// so each test says exactly which waits a transition ends.

private typealias Progress = ReaderProgressState<Int>

private let p0 = TopicPartition(topic: "reference.agencies", partition: 0)
private let p1 = TopicPartition(topic: "reference.agencies", partition: 1)
private let p2 = TopicPartition(topic: "reference.agencies", partition: 2)

@Suite("Topic reader progress")
struct ReaderProgressStateTests {
    @Test("caught up only once the application has finished the batch reaching every partition's end at start")
    func caughtUpAfterTheLastBatchIsFinished() {
        var progress = Progress()
        guard case .suspend = progress.wait(progress.makeWaiterID(), 1, isCancelled: false) else {
            Issue.record("nothing read yet: the wait must suspend"); return
        }
        #expect(progress.started(ends: [p0: 10, p1: 4], positions: [p0: 0, p1: 0]) == nil)

        progress.handOut([p0: 10])
        #expect(progress.finishBatch() == nil, "partition 1 is not read yet")
        progress.handOut([p1: 4])
        #expect(!progress.isCaughtUp, "the last batch is held, not finished")
        #expect(progress.finishBatch() == [1], "finishing it catches up and ends the wait")
        #expect(progress.isCaughtUp)
        #expect(progress.positions == [p0: 10, p1: 4])
    }

    @Test("caught up is announced once: later batches, ends and a close change nothing")
    func announcedOnce() {
        var progress = Progress()
        #expect(progress.started(ends: [p0: 2], positions: [p0: 0]) == nil)
        progress.handOut([p0: 2])
        #expect(progress.finishBatch() == [])
        progress.handOut([p0: 5])
        #expect(progress.finishBatch() == nil)
        #expect(progress.reach([p0: 5]) == nil)
        #expect(progress.end(ReaderProgressState<Int>.cancelled).isEmpty)
        #expect(progress.isCaughtUp, "closing after catching up leaves it caught up")
        guard case .resume = progress.wait(progress.makeWaiterID(), 2, isCancelled: false) else {
            Issue.record("a wait after catching up returns at once"); return
        }
    }

    @Test("starts at or past each end are caught up at once; an empty topic too")
    func caughtUpAtStart() {
        var fromStoredOffsets = Progress()
        _ = fromStoredOffsets.wait(fromStoredOffsets.makeWaiterID(), 7, isCancelled: false)
        #expect(fromStoredOffsets.started(ends: [p0: 10, p1: 3], positions: [p0: 10, p1: 12]) == [7])

        var empty = Progress()
        #expect(empty.started(ends: [:], positions: [:]) == [])
        #expect(empty.isCaughtUp)
    }

    @Test("the end of a partition reached with no message left (compacted away) counts as finished")
    func endWithoutMessage() {
        var progress = Progress()
        #expect(progress.started(ends: [p0: 10], positions: [p0: 0]) == nil)
        progress.handOut([p0: 7])
        #expect(progress.finishBatch() == nil)
        #expect(progress.reach([p0: 10]) == [], "offsets 7…9 held no message for the reader")
    }

    @Test("partitions found after the start are followed but do not hold back catching up")
    func addedPartitions() {
        var progress = Progress()
        #expect(progress.started(ends: [p0: 1], positions: [p0: 0]) == nil)
        progress.added([p2: 0])
        progress.handOut([p0: 1])
        #expect(progress.finishBatch() == [])
        #expect(progress.positions == [p0: 1, p2: 0])
    }

    @Test("a reader that stops before catching up fails the waits with why; a cancelled wait gets its waiter back")
    func endAndCancel() {
        var progress = Progress()
        let first = progress.makeWaiterID()
        let second = progress.makeWaiterID()
        _ = progress.wait(first, 1, isCancelled: false)
        _ = progress.wait(second, 2, isCancelled: false)
        #expect(progress.cancelWait(second) == 2)
        #expect(progress.cancelWait(second) == nil)
        guard case .fail(let cancelled) = progress.wait(progress.makeWaiterID(), 3, isCancelled: true) else {
            Issue.record("a cancelled task never waits"); return
        }
        #expect(cancelled.code == .cancelled)

        #expect(progress.end(KafkaError.closed("wait until caught up")) == [1])
        guard case .fail(let error) = progress.wait(progress.makeWaiterID(), 4, isCancelled: false) else {
            Issue.record("a wait after the end fails at once"); return
        }
        #expect(error.code == .closed)
        #expect(!progress.isCaughtUp)
    }

    @Test("where reading starts: the oldest offset for .beginning, the end for .end, else the offset given")
    func startPositions() {
        #expect(Progress.startPosition(.beginning, low: 3, high: 9) == 3)
        #expect(Progress.startPosition(.end, low: 3, high: 9) == 9)
        #expect(Progress.startPosition(KafkaOffset(5), low: 3, high: 9) == 5)
    }
}

@Suite("Topic reader settings")
struct TopicReaderConfigurationTests {
    @Test("the reader asks librdkafka for no group, no offset store, and partition ends")
    func properties() {
        var configuration = KafkaTopicReaderConfiguration(topics: ["reference.agencies"])
        configuration.fetchMaxWait = .milliseconds(5)
        let properties = configuration.rdKafkaProperties
        #expect(properties["group.id"] == nil)
        #expect(properties["enable.auto.offset.store"] == "false")
        #expect(properties["auto.offset.reset"] == "earliest")
        #expect(properties["enable.partition.eof"] == "true")
        #expect(properties["fetch.wait.max.ms"] == "5")
    }

    /// A setting the reader refuses, and the field its error must name.
    struct Refused: Sendable, CustomTestStringConvertible {
        var configuration: KafkaTopicReaderConfiguration
        var field: String
        var testDescription: String { field }
    }

    @Test("settings a reader cannot honour are refused, naming the field", arguments: [
        Refused(configuration: KafkaTopicReaderConfiguration(topics: []), field: "topics"),
        Refused(configuration: KafkaTopicReaderConfiguration(topics: ["a", "a"]), field: "topics: a is named twice"),
        Refused(configuration: KafkaTopicReaderConfiguration(topics: ["a"], maxBatchSize: 0), field: "maxBatchSize"),
        Refused(configuration: KafkaTopicReaderConfiguration(topics: ["a"], partitionDiscoveryInterval: .zero),
                field: "partitionDiscoveryInterval"),
        Refused(configuration: KafkaTopicReaderConfiguration(
            client: KafkaClientConfiguration(properties: ["group.id": "sneaky"]), topics: ["a"]), field: "properties[group.id]"),
    ])
    func refusedSettings(refused: Refused) {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaTopicReader(configuration: refused.configuration, logger: testLogger)
        }
        #expect(error?.reason.hasPrefix(refused.field) == true, "\(error.map(\.description) ?? "no error")")
    }

    @Test("start offsets for another topic, or positions only a group has, are refused, naming the partition")
    func refusedStarts() {
        let configuration = KafkaTopicReaderConfiguration(topics: ["reference.agencies"])
        for start in [
            [TopicPartition(topic: "police.arrests", partition: 0): KafkaOffset(3)],
            [TopicPartition(topic: "reference.agencies", partition: 0): KafkaOffset.stored],
        ] {
            let error = #expect(throws: KafkaError.self) {
                _ = try KafkaTopicReader(configuration: configuration, startingAt: start, logger: testLogger)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason.hasPrefix("startingAt[\(start.keys.first!)]") == true, "\(error.map(\.description) ?? "no error")")
        }
    }
}
