import ArgumentParser
import Benchmarks
import Foundation

struct BenchPipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Arrest → officer's inbox latency at a fixed rate, and the services' throughput on a replay of mixed events.")

    @Option(help: "Arrests in the latency run (sent at --rate per second).")
    var latencyEvents = 10_000

    @Option(help: "Arrests per second in the latency run.")
    var rate = 1_000

    @Option(help: "Mixed events in the replay (throughput) run.")
    var events = 1_000_000

    @Option(name: .customLong("dir"), help: "The contracts directory.")
    var directory = "Topics"

    func run() async throws {
        try await PipelineBenchmark(
            latencyEvents: latencyEvents, rate: rate, events: events,
            contractsDirectory: URL(fileURLWithPath: directory, isDirectory: true)
        ).run()
    }
}
