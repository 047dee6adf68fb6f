import Foundation
import Kafka
import KafkaBaseline
import Logging

/// `reentrybus bench kafka`: the Swift client beside raw librdkafka (the C program in
/// `KafkaBaseline`), same workloads, same embedded broker, same run.
///
/// - Producer throughput: `messages` × 256 B and 1 KiB values with 16-byte keys, idempotent,
///   `acks=all`, linger 5 ms, into 256-partition topics (the embedded broker keeps ~5 MiB per
///   partition); from the first send to the last delivery report. Swift uses `sendBatch`.
/// - Consumer throughput: the same messages read back by a new group, every payload byte
///   summed; from the first message to the last (group join excluded). Swift uses `batches`
///   and, like the C loop, does not ask for headers (`readsHeaders`).
/// - End-to-end latency: `latencyMessages` at `rate`/s, linger 0, fetch wait
///   `EmbeddedKafka.fetchMaxWait` on both sides; each
///   message carries its CLOCK_MONOTONIC send time; after one warm-up message per partition.
///
/// Each throughput workload runs `repetitions` rounds; a round runs both sides back to back,
/// alternating which goes first. Each side's figure is the median of its runs, and the ratio is
/// the median of the rounds' ratios: the host's load moves single runs by up to 2× within
/// minutes (the same C run measured 1,316 to 1,837 ns of client CPU per message in one bench),
/// and two runs seconds apart share most of a swing, where the best run of each side may come
/// from different quiet moments. Each run's rate and CPU time per message, and each round's
/// ratio, go to standard error, to show how much the host moved them.
public struct KafkaBenchmark: Sendable {
    public var messages: Int
    public var latencyMessages: Int
    public var rate: Int
    public var repetitions: Int
    /// Which sides run (both, for figures with ratios; one, for profiling).
    public var sides: Set<String> = ["c", "swift"]
    /// Which workloads run: `produce`, `consume`, `latency`.
    public var workloads: Set<String> = ["produce", "consume", "latency"]

    private let printer = FigurePrinter()
    private let logger: Logger = {
        var logger = Logger(label: "bench.kafka")
        logger.logLevel = .error
        return logger
    }()

    public init(messages: Int, latencyMessages: Int, rate: Int, repetitions: Int) {
        self.messages = messages
        self.latencyMessages = latencyMessages
        self.rate = rate
        self.repetitions = max(1, repetitions)
    }

    public func run() async throws {
        if !workloads.isDisjoint(with: ["produce", "consume"]) {
            for size in [256, 1024] {
                try await throughput(valueSize: size)
            }
        }
        if workloads.contains("latency") {
            try await latency(valueSize: 256)
        }
    }

    // MARK: - Throughput

    private enum Side: String { case c, swift }

    private func throughput(valueSize: Int) async throws {
        let label = valueSize == 1024 ? "1KiB" : "\(valueSize)B"
        // Each produce run gets a fresh cluster, so no run pays for the memory another left.
        var produced: [Side: [Double]] = [:]
        if workloads.contains("produce") {
            for round in 0..<repetitions {
                for side in order(round) {
                    printer.progress("produce \(messages) × \(label), \(side), run \(round + 1)")
                    let kafka = try EmbeddedKafka(brokers: 3, logger: logger)
                    defer { kafka.shutdown() }
                    try kafka.createTopic("bench", partitions: 256)
                    let cpu = CPUSample()
                    let seconds = side == .c
                        ? try await produceC(kafka, topic: "bench", valueSize: valueSize)
                        : try await produceSwift(kafka, topic: "bench", valueSize: valueSize)
                    produced[side, default: []].append(seconds)
                    reportRun(side, seconds: seconds, cpuBefore: cpu)
                }
            }
            report("kafka.produce.\(label)", produced, valueSize: valueSize)
        }
        guard workloads.contains("consume") else { return }
        // Both sides read the same messages, from one cluster, each as a new group.
        let kafka = try EmbeddedKafka(brokers: 3, logger: logger)
        defer { kafka.shutdown() }
        try kafka.createTopic("bench", partitions: 256)
        printer.progress("fill the topic to consume: \(messages) × \(label)")
        _ = try await produceC(kafka, topic: "bench", valueSize: valueSize)
        var consumed: [Side: [Double]] = [:]
        var checksums: [Side: UInt64] = [:]
        for round in 0..<repetitions {
            for side in order(round) {
                printer.progress("consume \(messages) × \(label), \(side), run \(round + 1)")
                let group = "bench-\(side)-\(round)"
                let cpu = CPUSample()
                let (seconds, checksum) = side == .c
                    ? try await consumeC(kafka, topic: "bench", group: group)
                    : try await consumeSwift(kafka, topic: "bench", group: group)
                consumed[side, default: []].append(seconds)
                reportRun(side, seconds: seconds, cpuBefore: cpu)
                checksums[side] = checksum
            }
        }
        guard checksums.count < 2 || checksums[.c] == checksums[.swift] else {
            throw BenchmarkFailure(description: "C and Swift consumers read different bytes (\(checksums))")
        }
        report("kafka.consume.\(label)", consumed, valueSize: valueSize)
    }

    /// Both sides, the first going first in even rounds; or the one side asked for.
    private func order(_ round: Int) -> [Side] {
        (round % 2 == 0 ? [Side.c, .swift] : [.swift, .c]).filter { sides.contains($0.rawValue) }
    }

    /// One run's rate, the whole process's CPU time per message (broker included), and the
    /// clients' share of it (the broker's `rdk:mock` thread excluded): figures that move less
    /// with the host's load than the rate, to judge a run by.
    private func reportRun(_ side: Side, seconds: Double, cpuBefore: CPUSample) {
        let now = CPUSample()
        let perMessage = { (seconds: Double) in FigurePrinter.format(seconds * 1e9 / Double(messages)) }
        printer.progress(
            "  \(side): \(FigurePrinter.format(Double(messages) / seconds)) msgs/s, "
                + "\(perMessage(now.process - cpuBefore.process)) ns CPU/msg, "
                + "clients \(perMessage(now.clients - cpuBefore.clients)) ns")
    }

    /// CPU seconds used so far by the process and by everything but the embedded broker.
    private struct CPUSample {
        let process = processCPUSeconds()
        let broker = threadsCPUSeconds(named: "rdk:mock")
        var clients: Double { process - broker }
    }

    /// Prints each side's median rate and the median of the rounds' ratios; `runs` holds each
    /// side's seconds in round order.
    private func report(_ name: String, _ runs: [Side: [Double]], valueSize: Int) {
        let rates = runs.mapValues { $0.map { Double(messages) / $0 } }
        for side in [Side.c, .swift] {
            guard let sideRates = rates[side] else { continue }
            let rate = median(sideRates)
            printer.figure("\(name).\(side)", rate, "msgs/s")
            printer.figure("\(name).\(side).bandwidth", rate * Double(valueSize) / 1_000_000, "MB/s")
        }
        guard let swift = rates[.swift], let c = rates[.c] else { return }
        let ratios = zip(swift, c).map { $0 / $1 }
        printer.progress("  \(name) ratio by round: " + ratios.map { FigurePrinter.format($0) }.joined(separator: " "))
        printer.ratio(name, median(ratios))
    }

    private func produceC(_ kafka: EmbeddedKafka, topic: String, valueSize: Int) async throws -> Double {
        let bootstrap = kafka.bootstrapServers
        let count = UInt64(messages)
        let result = await onOwnThread { () -> kb_result in
            var result = kb_result()
            kb_produce(bootstrap, topic, count, valueSize, 5, &result)
            return result
        }
        try check(result)
        return result.seconds
    }

    private func produceSwift(_ kafka: EmbeddedKafka, topic: String, valueSize: Int) async throws -> Double {
        var configuration = kafka.producerConfiguration(clientID: "bench-producer")
        configuration.client.properties = [:]  // librdkafka's defaults, as the C baseline has
        configuration.maxQueuedMessages = 1_000_000
        configuration.linger = .milliseconds(5)
        configuration.client.statisticsInterval = nil
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let value = (0..<valueSize).map { UInt8(truncatingIfNeeded: 97 + $0 % 26) }
        let count = messages
        let start = ContinuousClock.now
        let report = try await producer.sendBatch(
            (0..<count).lazy.map { KafkaProducerMessage(topic: topic, key: Self.key(UInt64($0)), value: value) })
        let elapsed = ContinuousClock.now - start
        await producer.shutdown()
        guard report.delivered == count else {
            throw BenchmarkFailure(description: "Swift producer: \(report.failures.count) failures, first: \(report.failures.first.map { "\($0.error)" } ?? "-")")
        }
        return elapsed.seconds
    }

    private func consumeC(_ kafka: EmbeddedKafka, topic: String, group: String) async throws -> (Double, UInt64) {
        let bootstrap = kafka.bootstrapServers
        let count = UInt64(messages)
        let result = await onOwnThread { () -> kb_result in
            var result = kb_result()
            kb_consume(bootstrap, topic, group, count, &result)
            return result
        }
        try check(result)
        return (result.seconds, result.checksum)
    }

    private func consumeSwift(_ kafka: EmbeddedKafka, topic: String, group: String) async throws -> (Double, UInt64) {
        var configuration = kafka.consumerConfiguration(groupID: group, topics: [topic], clientID: "bench-consumer")
        configuration.commitStrategy = .manual
        configuration.prefetchMessages = 1_000_000
        configuration.prefetchKilobytes = 1_048_576
        configuration.client.statisticsInterval = nil
        configuration.readsHeaders = false  // the C loop never asks for headers either
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        var received = 0
        var checksum: UInt64 = 0
        var start: ContinuousClock.Instant?
        var end = ContinuousClock.now
        for try await batch in consumer.batches {
            if start == nil { start = .now }
            for message in batch { checksum &+= byteSum(message.payload) }
            received += batch.count
            if received >= messages {
                end = .now
                break
            }
        }
        await consumer.close()
        guard let start, received >= messages else {
            throw BenchmarkFailure(description: "Swift consumer read \(received) of \(messages)")
        }
        return ((end - start).seconds, checksum)
    }

    // MARK: - Latency

    private func latency(valueSize: Int) async throws {
        let kafka = try EmbeddedKafka(brokers: 3, logger: logger)
        defer { kafka.shutdown() }
        printer.progress("latency, C: \(latencyMessages) messages at \(rate)/s")
        let c = try await latencyC(kafka, valueSize: valueSize)
        printer.progress("latency, Swift: \(latencyMessages) messages at \(rate)/s")
        let swift = try await latencySwift(kafka, valueSize: valueSize)
        for (side, samples) in [("c", c), ("swift", swift)] {
            printer.figure("kafka.latency.\(side).p50", percentile(samples, 0.50), "ms")
            printer.figure("kafka.latency.\(side).p99", percentile(samples, 0.99), "ms")
            printer.figure("kafka.latency.\(side).p99.9", percentile(samples, 0.999), "ms")
        }
        printer.ratio("kafka.latency.p99", percentile(swift, 0.99) / percentile(c, 0.99))
    }

    private func latencyC(_ kafka: EmbeddedKafka, valueSize: Int) async throws -> [Double] {
        let bootstrap = kafka.bootstrapServers
        let count = latencyMessages
        let rate = UInt32(self.rate)
        let fetchWait = Int32(EmbeddedKafka.fetchMaxWait / .milliseconds(1))
        let (result, samples) = await onOwnThread { () -> (kb_result, [Double]) in
            var result = kb_result()
            var samples = [Double](repeating: 0, count: count)
            kb_latency(bootstrap, "bench-latency-c", "bench-latency-c", UInt32(count), rate, valueSize, fetchWait, &samples, &result)
            return (result, samples)
        }
        try check(result)
        return samples.prefix(Int(result.messages)).sorted()
    }

    private func latencySwift(_ kafka: EmbeddedKafka, valueSize: Int) async throws -> [Double] {
        let topic = "bench-latency-swift"
        try kafka.createTopic(topic, partitions: 4)
        var producerConfiguration = kafka.producerConfiguration(clientID: "bench-latency-producer")
        producerConfiguration.client.properties = [:]  // librdkafka's defaults, as the C baseline has
        producerConfiguration.linger = .zero
        let hop = HopLatency(
            producer: producerConfiguration,
            consumer: kafka.consumerConfiguration(groupID: topic, topics: [topic], clientID: "bench-latency-consumer"),
            count: latencyMessages, rate: rate, valueSize: valueSize)
        return try await hop.measure(logger: logger)
    }

    private func check(_ result: kb_result) throws {
        guard result.error == 0 else {
            var text = result.error_text
            let message = withUnsafeBytes(of: &text) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw BenchmarkFailure(description: "C baseline: \(message)")
        }
    }

    /// The same 16-digit, zero-padded decimal key as the C baseline.
    static func key(_ index: UInt64) -> [UInt8] {
        var digits = [UInt8](repeating: 48, count: 16)
        var value = index % 10_000_000_000_000_000
        var position = 15
        while value > 0 && position >= 0 {
            digits[position] = 48 + UInt8(value % 10)
            value /= 10
            position -= 1
        }
        return digits
    }
}

/// Messages released at a fixed rate, each stamped with its send time (first 8 bytes).
struct PacedMessages: AsyncSequence, Sendable {
    typealias Element = KafkaProducerMessage
    let topic: String
    let count: Int
    let rate: Int
    let valueSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: PacedMessages
        let start = ContinuousClock.now
        var sent = 0
        var value: [UInt8]

        mutating func next() async throws -> KafkaProducerMessage? {
            guard sent < sequence.count else { return nil }
            let due = start + .nanoseconds(Int64(sent) * 1_000_000_000 / Int64(sequence.rate))
            try await Task.sleep(until: due, tolerance: .zero, clock: .continuous)
            var stamp = monotonicNanoseconds()
            withUnsafeBytes(of: &stamp) { bytes in value.replaceSubrange(0..<8, with: bytes) }
            defer { sent += 1 }
            return KafkaProducerMessage(topic: sequence.topic, key: KafkaBenchmark.key(UInt64(sent)), value: value)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self, value: [UInt8](repeating: 97, count: Swift.max(8, valueSize)))
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
