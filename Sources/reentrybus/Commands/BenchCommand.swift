import ArgumentParser
import Benchmarks

/// `reentrybus bench …`: release-mode benchmarks. Each prints one figure a line,
/// `<name> <value> <unit>`, and each comparison with its baseline as `ratio <name> <value>`;
/// progress goes to standard error.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark (build with -c release).",
        subcommands: [
            BenchKafka.self,
            BenchContracts.self,
            BenchPipeline.self,
            BenchReplay.self,
            BenchGateway.self,
            BenchPersons.self,
        ]
    )
}

struct BenchKafka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Swift Kafka client against raw librdkafka (C) on the embedded broker, in one run.")

    @Option(help: "Messages per throughput run.")
    var messages = 1_000_000

    @Option(help: "Messages in the latency run (sent at --rate per second).")
    var latencyMessages = 10_000

    @Option(help: "Messages per second in the latency run.")
    var rate = 1_000

    @Option(help: "Rounds of each throughput workload (both sides per round, alternating which goes first; medians count).")
    var repetitions = 7

    @Option(help: ArgumentHelp("Sides to run, comma-separated: c, swift (one side is for profiling).", visibility: .hidden))
    var sides = "c,swift"

    @Option(help: ArgumentHelp("Workloads, comma-separated: produce, consume, latency.", visibility: .hidden))
    var workloads = "produce,consume,latency"

    func run() async throws {
        var benchmark = KafkaBenchmark(
            messages: messages, latencyMessages: latencyMessages, rate: rate, repetitions: repetitions)
        benchmark.sides = Set(sides.split(separator: ",").map(String.init))
        benchmark.workloads = Set(workloads.split(separator: ",").map(String.init))
        try await benchmark.run()
    }
}
