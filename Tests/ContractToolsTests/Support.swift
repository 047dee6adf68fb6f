import Contracts
import Foundation
import Logging
import Testing

@testable import Kafka

// Helpers copied from KafkaTests/Support.swift (test targets do not import each other).

let testLogger: Logger = {
    var logger = Logger(label: "contract-tools-tests")
    logger.logLevel = .warning
    return logger
}()

/// The repository's `Topics/` directory and the catalog loaded from it.
let repositoryTopics = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topics", isDirectory: true)
let catalog = try! TopicCatalog.load(from: repositoryTopics)

/// Valid examples of `eventType`, each with a fresh event id, as compact JSON lines.
func exampleLines(_ eventType: String, count: Int) -> [String] {
    let examples = catalog.event(type: eventType, version: 1)!.validExamples
    return (0..<count).map { i in
        guard case .object(var members) = examples[i % examples.count] else { fatalError("examples are objects") }
        members["eventId"] = .string(UUID().uuidString.lowercased())
        return JSONValue.object(members).description
    }
}

/// A unique name, so tests sharing a process never share topics or groups.
func unique(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimedOut` if it has not finished within `limit`. The limit is a
/// guard against hangs, not a synchronisation: `body` awaits the event itself.
func within<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// State that changes on other threads (consumer tasks, rebalance callbacks), with a way to
/// await a condition on it without polling. Waits end early, returning, when the waiting task
/// is cancelled (so `within` can give up on them).
final class Observed<State: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State
    private var waiters: [(id: UUID, ready: (State) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    init(_ state: State) { self.state = state }

    var value: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    func update(_ change: (inout State) -> Void) {
        lock.lock()
        change(&state)
        let current = state
        var ready: [CheckedContinuation<Void, Never>] = []
        waiters.removeAll { waiter in
            guard waiter.ready(current) else { return false }
            ready.append(waiter.continuation)
            return true
        }
        lock.unlock()
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `ready(state)` holds (or the task is cancelled).
    func wait(until ready: @escaping (State) -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                lock.lock()
                if ready(state) || Task.isCancelled {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiters.append((id, ready, continuation))
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let index = waiters.firstIndex { $0.id == id }
            let waiter = index.map { waiters.remove(at: $0) }
            lock.unlock()
            waiter?.continuation.resume()
        }
    }
}

/// Reads consumers' messages, each on a task of its own, storing each offset after
/// "processing" (recording) it.
final class MessageCollector: Sendable {
    struct Received: Sendable {
        var consumer: String
        var message: KafkaConsumerMessage
    }
    let received = Observed<[Received]>([])
    private let tasks = LockedValue<[Task<Void, Never>]>([])

    func start(_ consumer: KafkaConsumer, name: String = "consumer") {
        let task = Task { [received] in
            do {
                for try await message in consumer.messages {
                    received.update { $0.append(Received(consumer: name, message: message)) }
                    try consumer.storeOffset(message)
                }
            } catch {
                Issue.record(error, "consumer \(name) failed")
            }
        }
        tasks.withLock { $0.append(task) }
    }

    var messages: [KafkaConsumerMessage] { received.value.map(\.message) }

    func messages(of consumer: String) -> [KafkaConsumerMessage] {
        received.value.filter { $0.consumer == consumer }.map(\.message)
    }

    /// Returns once at least `count` messages arrived in all.
    func waitFor(_ count: Int) async {
        await received.wait { $0.count >= count }
    }
}

/// Follows a consumer's assignment through its rebalance handler.
func assignmentTracker() -> (Observed<Set<TopicPartition>>, KafkaRebalanceHandler) {
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
func kcat(_ arguments: [String], input: String? = nil) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let stdin = Pipe()
    process.standardInput = stdin
    let finished = AsyncStream<Int32> { continuation in
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
    }
    try process.run()
    // Pipes are read with blocking calls: on a thread of their own, off the cooperative pool.
    let (outputData, errorData) = await DedicatedThread.run(name: "kcat-io") {
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        return (output.fileHandleForReading.readDataToEndOfFile(), errors.fileHandleForReading.readDataToEndOfFile())
    }
    var status: Int32 = -1
    for await code in finished { status = code }
    guard status == 0 else {
        throw KcatFailed(status: status, standardError: String(decoding: errorData, as: UTF8.self))
    }
    return String(decoding: outputData, as: UTF8.self)
}

struct KcatFailed: Error {
    var status: Int32
    var standardError: String
}

let kcatAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat")
