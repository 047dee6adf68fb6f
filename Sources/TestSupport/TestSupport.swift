import Foundation
import Kafka
import LocalPostgres
import ServiceKit
import Logging
import Synchronization
import Testing

// Helpers shared by the test targets that run Kafka: awaiting events without polling,
// a timeout guard, collecting a consumer's messages, and running kcat.

/// A logger for tests: warnings and errors only, so a failing test shows librdkafka's view.
public func makeTestLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// Runs blocking work (pipe reads) on a thread of its own, off the cooperative pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// A unique name, so tests sharing a process never share topics or groups.
public func unique(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// State that changes on other threads, awaited without polling (ServiceKit's type).
public typealias Observed = AwaitableState

/// Reads consumers' messages, each on a task of its own, storing each offset after
/// "processing" (recording) it.
public final class MessageCollector: Sendable {
    public struct Received: Sendable {
        public var consumer: String
        public var message: KafkaConsumerMessage
    }
    public let received = Observed<[Received]>([])
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init() {}

    public func start(_ consumer: KafkaConsumer, name: String = "consumer") {
        let task = Task { [received] in
            do {
                for try await message in consumer.messages {
                    // Store first, then let the test see the message: a test that closes the
                    // consumer once it has seen what it waited for must not race the store.
                    do {
                        try consumer.storeOffset(message)
                    } catch let error as KafkaError where error.code == .closed {
                        return  // closed by the test while this message was being handled
                    }
                    received.update { $0.append(Received(consumer: name, message: message)) }
                }
            } catch {
                Issue.record(error, "consumer \(name) failed")
            }
        }
        tasks.withLock { $0.append(task) }
    }

    /// Reads a topic reader's messages on a task of its own (a reader stores no offsets).
    public func start(_ reader: KafkaTopicReader, name: String = "reader") {
        let task = Task { [received] in
            do {
                for try await message in reader.messages {
                    received.update { $0.append(Received(consumer: name, message: message)) }
                }
            } catch {
                Issue.record(error, "reader \(name) failed")
            }
        }
        tasks.withLock { $0.append(task) }
    }

    public var messages: [KafkaConsumerMessage] { received.value.map(\.message) }

    public func messages(of consumer: String) -> [KafkaConsumerMessage] {
        received.value.filter { $0.consumer == consumer }.map(\.message)
    }

    /// Returns once at least `count` messages arrived in all.
    public func waitFor(_ count: Int) async {
        await received.wait { $0.count >= count }
    }
}

/// Follows a consumer's assignment through its rebalance handler.
public func assignmentTracker() -> (Observed<Set<TopicPartition>>, KafkaRebalanceHandler) {
    let assignment = Observed<Set<TopicPartition>>([])
    let handler = KafkaRebalanceHandler(
        partitionsAssigned: { partitions in
            assignment.update { $0.formUnion(partitions) }
            return [:]
        },
        partitionsRevoked: { partitions in assignment.update { $0.subtract(partitions) } })
    return (assignment, handler)
}

/// Runs kcat (Debian's `kcat`) and returns its standard output.
public func kcat(_ arguments: [String], input: String? = nil) async throws -> String {
    let run = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/kcat"), arguments, input: input ?? "")
    guard run.termination == .init(status: 0, bySignal: false) else {
        throw KcatFailed(status: run.termination.status, standardError: run.errors)
    }
    return run.output
}

public struct KcatFailed: Error {
    public var status: Int32
    public var standardError: String
}

public let kcatAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat")
