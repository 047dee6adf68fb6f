import ArgumentParser
import Benchmarks
import Foundation
import Pipeline

struct BenchPipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Arrest → officer's inbox latency at a fixed rate, and the services' throughput on a replay of mixed events.")

    @Option(help: "Arrests in the latency run (sent at --rate per second); 0 skips it.")
    var latencyEvents = 10_000

    @Option(help: "Arrests per second in the latency run.")
    var rate = 1_000

    @Option(help: "Mixed events in the replay (throughput) run; 0 skips it.")
    var events = 1_000_000

    @Option(name: .customLong("dir"), help: "The contracts directory.")
    var directory = "Topics"

    @Option(help: "The services' producer linger in milliseconds (default: the application's).")
    var lingerMs: Int?

    @Option(help: "How long the embedded broker may hold the services' empty fetches, in milliseconds (default: the application's).")
    var fetchWaitMs: Int?

    @Option(help: ArgumentHelp(
        "List the N statements each service's writer spent most time in during the measured arrests (router, inbox) and the replay (router, resolver); placeholders, never values.", valueName: "N"))
    var statements = 0

    @Option(help: ArgumentHelp(
        "Write each measured arrest's send time and latency to FILE (tab-separated, in the order sent).", valueName: "FILE"))
    var latencyLog: String?

    @Option(help: ArgumentHelp(
        "Where the replay's services keep their state: sqlite (the default, the issue's figure) or postgres (a private PostgreSQL 15 cluster the benchmark starts from Debian's binaries, $PG_BIN or /usr/lib/postgresql/15/bin; figures pipeline.replay.postgres…, beside PostgreSQL's raw upsert).",
        valueName: "database"))
    var replayDatabase = PipelineBenchmark.ReplayDatabase.sqlite

    @Option(help: ArgumentHelp(
        "Run the latency part on the Kafka cluster at these host:port addresses (comma-separated) instead of an embedded broker; the cluster must hold none of the benchmark's topics (for Tansu: scripts/real-broker/start). Needs --events 0.",
        valueName: "servers"))
    var bootstrap: String?

    @Flag(help: ArgumentHelp("Log each batch's transaction and delivery times (trace level) to stderr.", visibility: .hidden))
    var trace = false

    func validate() throws {
        guard latencyEvents >= 0, events >= 0 else { throw ValidationError("--latency-events and --events must not be negative") }
        guard rate > 0 else { throw ValidationError("--rate must be at least 1") }
        guard statements >= 0 else { throw ValidationError("--statements must not be negative") }
        guard (lingerMs ?? 0) >= 0, (fetchWaitMs ?? 1) >= 1 else {
            throw ValidationError("--linger-ms must not be negative and --fetch-wait-ms must be at least 1")
        }
        if let bootstrap {
            guard !servers(bootstrap).isEmpty else { throw ValidationError("--bootstrap: no host:port given") }
            guard events == 0 else { throw ValidationError("--bootstrap measures the latency run only: add --events 0") }
        }
    }

    func run() async throws {
        var benchmark = PipelineBenchmark(
            latencyEvents: latencyEvents, rate: rate, events: events,
            contractsDirectory: URL(fileURLWithPath: directory, isDirectory: true))
        benchmark.trace = trace
        benchmark.statements = statements
        benchmark.replayDatabase = replayDatabase
        benchmark.latencyLog = latencyLog.map { URL(fileURLWithPath: $0) }
        benchmark.bootstrapServers = bootstrap.map(servers)
        // This very program runs each service in a process of its own for its memory.
        benchmark.serviceBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if let lingerMs { benchmark.client.linger = .milliseconds(lingerMs) }
        if let fetchWaitMs { benchmark.client.fetchMaxWait = .milliseconds(fetchWaitMs) }
        try await benchmark.run()
    }
}

private func servers(_ list: String) -> [String] {
    list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

extension PipelineBenchmark.ReplayDatabase: ExpressibleByArgument {}
