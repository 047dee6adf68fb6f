import Benchmarks
import Contracts
import Foundation
import LocalPostgres
import Synchronization
import TestSupport
import Testing

/// `bench pipeline`'s latency part on a short run: every arrest reaches the inbox, the raw hop
/// with the services' client settings is measured in the same run, and the ratio printed is
/// arrest → inbox p99 over twice the raw hop's p99. Not its timing.
@Suite struct PipelineBenchmarkTests {
    static let contracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

    /// The figure lines a run prints.
    static func figures(of benchmark: PipelineBenchmark) async throws -> [String] {
        let lines = Mutex<[String]>([])
        try await benchmark.run { line in lines.withLock { $0.append(line) } }
        return lines.withLock { $0 }
    }

    /// The value of the figure line starting with `prefix`.
    static func value(_ prefix: String, in printed: [String]) throws -> Double {
        let line = try #require(printed.first { $0.hasPrefix(prefix + " ") }, "no \(prefix) in \(printed)")
        return try #require(Double(line.dropFirst(prefix.count + 1).split(separator: " ")[0]), "\(line)")
    }

    /// The yardsticks and the replay were printed, and the ratio printed is the replay over the
    /// lower yardstick (the raw consume, or the raw upsert figure `upsert`).
    static func expectReplayRatio(in printed: [String], upsert upsertFigure: String, replay replayFigure: String) throws {
        let consume = try value("pipeline.raw_consume", in: printed)
        let upsert = try value(upsertFigure, in: printed)
        let replay = try value("\(replayFigure).throughput", in: printed)
        let ratio = try value("ratio \(replayFigure)", in: printed)
        #expect(consume > 0 && upsert > 0 && replay > 0)
        #expect(abs(ratio - replay / min(consume, upsert)) < 0.002 + ratio * 0.01, "\(printed)")
        for service in ["router", "warrant-resolver"] {
            try ReplayBenchmarkChecks.expectStages(in: printed, of: "\(replayFigure).\(service)")
        }
    }

    @Test func latencyRunPrintsTheRawHopAndTheRatioOfTheTwoHops() async throws {
        var benchmark = PipelineBenchmark(latencyEvents: 200, rate: 1_000, events: 0, contractsDirectory: Self.contracts)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("latency-\(UUID().uuidString).tsv")
        defer { try? FileManager.default.removeItem(at: log) }
        benchmark.latencyLog = log
        let printed = try await Self.figures(of: benchmark)
        func value(_ prefix: String) throws -> Double { try Self.value(prefix, in: printed) }
        let pipelineP99 = try value("pipeline.arrest_to_inbox.p99")
        let hopP50 = try value("pipeline.raw_hop.p50")
        let hopP99 = try value("pipeline.raw_hop.p99")
        let ratio = try value("ratio pipeline.latency.p99")
        #expect(hopP50 > 0 && hopP50 <= hopP99)
        // Printed with three decimals.
        #expect(abs(ratio - pipelineP99 / (2 * hopP99)) < 0.002 + ratio * 0.01, "\(printed)")
        // What the measured arrests cost the CPU, so that a reader can tell a busy host's queue
        // from the path: some CPU per arrest (the router and the inbox each apply it), and on
        // average no more cores than the host has.
        let cores = try value("pipeline.latency.cpu.cores")
        let hostCores = try value("pipeline.latency.host.cores")
        #expect(cores > 0 && cores <= hostCores + 0.1, "\(printed)")
        #expect(try value("pipeline.latency.cpu.per_arrest") > 10, "\(printed)")
        // Where the measured arrests' batches spent their time, in each service.
        for service in ["router", "inbox"] {
            try ReplayBenchmarkChecks.expectStages(in: printed, of: "pipeline.latency.\(service)")
            #expect(try value("pipeline.latency.\(service).messages_per_batch") >= 1, "\(printed)")
        }
        let steal = try value("pipeline.latency.host.steal")
        #expect(steal >= 0 && steal <= 100)

        // The latency log: every measured arrest once, in the order sent (from the first, at
        // 0, paced at the rate: 200 at 1,000/s take ~199 ms), each with the latency the
        // printed percentiles were taken from.
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "sent_ms\tlatency_ms")
        let samples = try lines.dropFirst().map { line in
            let fields = line.split(separator: "\t").compactMap { Double($0) }
            return try #require(fields.count == 2 ? (sent: fields[0], latency: fields[1]) : nil, "\(line)")
        }
        #expect(samples.count == 200)
        #expect(samples.first?.sent == 0)
        #expect(zip(samples, samples.dropFirst()).allSatisfy { $0.sent <= $1.sent })
        #expect((samples.last?.sent ?? 0) >= 190, "paced at 1,000/s")
        #expect(samples.allSatisfy { $0.latency > 0 })
        // The printed p99 (three decimals, whole milliseconds from 100 ms) is one of the logged
        // latencies, with at least 99 % at or below it.
        let printedWithin = max(0.002, pipelineP99 >= 100 ? 0.5 : 0)
        #expect(samples.contains { abs($0.latency - pipelineP99) <= printedWithin }, "\(pipelineP99)")
        #expect(samples.count { $0.latency <= pipelineP99 + printedWithin } >= 198)
    }

    /// The replay part on 400 events: both yardsticks measured in the same run, the ratio is
    /// the replay's rate over the lower of them, and every notification the services say they
    /// published is on bus.notifications (the run throws otherwise), counted by rule. Each
    /// service's peak resident memory comes from a `serve` process of its own that replayed
    /// the same events (the run throws when one ends early or does not stop cleanly).
    @Test func replayRunPrintsItsYardsticksTheRatioAndTheNotificationsByRule() async throws {
        var benchmark = PipelineBenchmark(latencyEvents: 0, rate: 1_000, events: 400, contractsDirectory: Self.contracts)
        benchmark.serviceBinary = try reentrybusBinary()
        // The replay is timed from the services' first batch; with the default 1,000 a batch,
        // that batch could read all 400 events and leave nothing to time.
        benchmark.client.maxBatchSize = 50
        let printed = try await Self.figures(of: benchmark)
        func value(_ prefix: String) throws -> Double { try Self.value(prefix, in: printed) }
        try Self.expectReplayRatio(in: printed, upsert: "pipeline.raw_upsert.sqlite", replay: "pipeline.replay")
        #expect(try value("pipeline.replay.notifications.supervisee-arrested") == 100)
        let byRule = printed.filter { $0.hasPrefix("pipeline.replay.notifications.") }
            .compactMap { Double($0.split(separator: " ")[1]) }.reduce(0, +)
        #expect(byRule == (try value("pipeline.replay.notifications")))
        // A service process holds at least its runtime, its SQLite page cache and its Kafka
        // clients (tens of MiB), and less than the benchmark's process holding the broker, the
        // events and both services.
        let whole = try value("pipeline.replay.peak_resident")
        for service in ["router", "warrant-resolver"] {
            let peak = try value("pipeline.replay.peak_resident.\(service)")
            #expect(peak > 10 && peak < whole, "\(service): \(peak) MiB, the benchmark's process \(whole) MiB")
        }
        #expect(try value("pipeline.replay.processes.seconds") > 0)
    }

    /// The same replay with the services on PostgreSQL: the yardstick is PostgreSQL's raw
    /// upsert, the figures say so, and the rules send what they send on SQLite.
    @Test(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)))
    func replayRunOnPostgresPrintsItsOwnYardstickAndRatio() async throws {
        var benchmark = PipelineBenchmark(latencyEvents: 0, rate: 1_000, events: 400, contractsDirectory: Self.contracts)
        benchmark.client.maxBatchSize = 50
        benchmark.replayDatabase = .postgres
        let printed = try await Self.figures(of: benchmark)
        func value(_ prefix: String) throws -> Double { try Self.value(prefix, in: printed) }
        try Self.expectReplayRatio(in: printed, upsert: "pipeline.raw_upsert.postgres", replay: "pipeline.replay.postgres")
        #expect(!printed.contains { $0.hasPrefix("pipeline.raw_upsert.sqlite ") || $0.hasPrefix("ratio pipeline.replay ") })
        #expect(try value("pipeline.replay.notifications.supervisee-arrested") == 100)
        #expect(try value("pipeline.replay.notifications.supervisee-release") == 200)
    }
}
