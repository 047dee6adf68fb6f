import Foundation
import LocalPostgres

/// The yardstick of `bench contracts`: the fastest JSON parser and JSON Schema validator
/// available from PyPI (orjson, and jsonschema-rs with formats asserted), run by
/// `scripts/contracts-peer.py` on the same generated schemas and the same event bytes.
///
/// On first use it makes a virtual environment with pinned versions (``packages``); later runs
/// reuse it. Both sides measure the same way: the best of the same rounds of the same length.
public struct ContractsPeer: Sendable {
    /// The pinned packages, so that a ratio is measured against the same peer each time.
    public static let packages = ["orjson==3.13.0", "jsonschema-rs==0.61.2"]

    /// `scripts/contracts-peer.py`.
    public var script: URL
    /// Where the virtual environment lives (made on first use).
    public var environment: URL
    /// The Python that makes the environment. Default: `python3` on `PATH`.
    public var python: String

    public init(script: URL, environment: URL, python: String = "python3") {
        self.script = script
        self.environment = environment
        self.python = python
    }

    /// One event for the peer: its schema file and its bytes.
    public struct Input: Sendable {
        public var name: String
        public var schema: URL
        public var event: [UInt8]
    }

    /// The peer's rates for one event, events/s.
    public struct Rates: Sendable {
        public var parseAndValidate: Double
        public var parseOnly: Double
    }

    /// Measures every input; throws ``BenchmarkFailure`` saying why when the peer cannot run.
    func measure(
        _ inputs: [Input], roundDuration: Duration, rounds: Int, progress: (String) -> Void
    ) async throws -> [String: Rates] {
        let interpreter = try await PeerEnvironment(directory: environment, packages: Self.packages, python: python)
            .prepare(progress: progress)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("contracts-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var arguments = [
            script.path, "--seconds", String(Double(roundDuration.components.seconds) + Double(roundDuration.components.attoseconds) / 1e18),
            "--rounds", String(rounds),
        ]
        for input in inputs {
            let file = work.appendingPathComponent("\(input.name).json")
            try Data(input.event).write(to: file)
            arguments.append("\(input.name)=\(input.schema.path):\(file.path)")
        }
        let run = try await ChildProcess.run(interpreter, arguments)
        guard run.termination == .init(status: 0, bySignal: false) else {
            throw BenchmarkFailure(description: "the peer failed (\(run.termination)): \(run.errors.suffix(2_000))")
        }
        var rates: [String: Rates] = [:]
        for line in run.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let both = Double(fields[1]), let parse = Double(fields[2]) else {
                throw BenchmarkFailure(description: "the peer printed an unexpected line: \(line)")
            }
            rates[String(fields[0])] = Rates(parseAndValidate: both, parseOnly: parse)
        }
        return rates
    }
}
