import ArgumentParser
import Benchmarks
import Foundation

struct BenchContracts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contracts",
        abstract: "Parse + validate and decode throughput of a release, an arrest and an incident event (events/s), beside orjson + jsonschema-rs.",
        discussion: """
            The peer runs scripts/contracts-peer.py in a Python environment the benchmark makes on \
            first use (pinned orjson and jsonschema-rs from PyPI), on the same schemas and bytes, \
            and each ratio is our rate ÷ the peer's, measured in the same run.
            """)

    @Option(name: .customLong("dir"), help: "The contracts directory.")
    var directory = "Topics"

    @Option(help: "Seconds per round.")
    var seconds = 1

    @Option(help: "Rounds per figure (the best counts).")
    var rounds = 3

    @Flag(help: "Measure our side only (no Python peer, no ratios).")
    var noPeer = false

    @Option(help: "The peer's script (default: scripts/contracts-peer.py beside the contracts directory).")
    var peerScript: String?

    @Option(help: "The peer's Python environment, made on first use.")
    var peerEnvironment = ".build/contracts-peer-venv"

    func run() async throws {
        let topics = URL(fileURLWithPath: directory, isDirectory: true)
        let script = peerScript.map { URL(fileURLWithPath: $0) }
            ?? topics.standardizedFileURL.deletingLastPathComponent().appendingPathComponent("scripts/contracts-peer.py")
        if !noPeer, !FileManager.default.fileExists(atPath: script.path) {
            throw ValidationError("the peer's script is not at \(script.path): pass --peer-script or --no-peer")
        }
        try await ContractsBenchmark(
            topicsDirectory: topics, roundDuration: .seconds(seconds), rounds: rounds,
            peer: noPeer ? nil : ContractsPeer(script: script, environment: URL(fileURLWithPath: peerEnvironment, isDirectory: true))
        ).run()
    }
}
