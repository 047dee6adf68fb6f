import ArgumentParser
import Benchmarks
import Foundation

/// `reentrybus bench gateway`: ingest under load from a second process (`GatewayLoad`).
struct BenchGateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Drive POST /v1/events of a child `reentrybus dev` at a constant rate; check every 202 is on the topic once.",
        discussion: """
            Starts this executable's `dev` as a child process (its own embedded broker and gateway), \
            sends valid distinct arrests at --rate requests per second for --seconds (open loop: \
            latency counts from when each request was due), then reads police.arrests in full. \
            Prints gateway.ingest.rate, p50, p99, 5xx, missing and duplicates, one a line.
            """)

    @Option(help: "Requests per second.")
    var rate = 1_000

    @Option(help: "Seconds of load.")
    var seconds = 60

    @Option(help: "Connections to the gateway.")
    var connections = 64

    func validate() throws {
        guard (1...100_000).contains(rate) else { throw ValidationError("--rate must be from 1 to 100,000.") }
        guard (1...3_600).contains(seconds) else { throw ValidationError("--seconds must be from 1 to 3,600.") }
        guard (1...1_024).contains(connections) else { throw ValidationError("--connections must be from 1 to 1,024.") }
    }

    func run() async throws {
        guard let executable = Bundle.main.executableURL else { throw ValidationError("Cannot tell where this executable is.") }
        let load = GatewayLoad(executable: executable, rate: rate, duration: .seconds(seconds), connections: connections)
        let report = try await load.run { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
        for line in report.figures { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }
}
