import ArgumentParser
import Benchmarks
import Foundation

struct BenchContracts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contracts",
        abstract: "Decode + validate throughput of typical release and arrest events (events/s).")

    @Option(name: .customLong("dir"), help: "The contracts directory.")
    var directory = "Topics"

    @Option(help: "Seconds per round.")
    var seconds = 1

    @Option(help: "Rounds per figure (the best counts).")
    var rounds = 3

    func run() async throws {
        try ContractsBenchmark(
            topicsDirectory: URL(fileURLWithPath: directory, isDirectory: true), roundDuration: .seconds(seconds), rounds: rounds
        ).run()
    }
}
