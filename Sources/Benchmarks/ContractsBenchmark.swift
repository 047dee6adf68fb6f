import Contracts
import Foundation

/// Edge validation throughput: JSON bytes → parsed, validated against the contract, decoded
/// into the Swift type, as a producer or the gateway does for every event. Typical custody
/// release and arrest events from the contracts' own examples; each measured for a fixed time,
/// the best of several rounds counting.
public struct ContractsBenchmark: Sendable {
    public var topicsDirectory: URL
    /// Time per round. Default: 1 s.
    public var roundDuration: Duration
    /// Rounds per figure (the best counts). Default: 3.
    public var rounds: Int

    public init(topicsDirectory: URL, roundDuration: Duration = .seconds(1), rounds: Int = 3) {
        self.topicsDirectory = topicsDirectory
        self.roundDuration = roundDuration
        self.rounds = rounds
    }

    public func run() throws {
        let printer = FigurePrinter()
        printer.progress("loading contracts from \(topicsDirectory.path)")
        let catalog = try TopicCatalog.load(from: topicsDirectory)
        let validator = EventValidator(catalog: catalog)
        func bytes(_ type: String) -> [UInt8] {
            Array(catalog.event(type: type, version: 1)!.validExamples[0].description.utf8)
        }
        let release = bytes("custody.release.scheduled")
        let arrest = bytes("police.arrest.made")

        try measure("contracts.decode_validate.release", printer) {
            _ = try validator.validate(bytes: release, topic: "custody.releases")
            _ = try EventCodec.decode(ReleaseScheduled.self, from: release)
        }
        try measure("contracts.decode_validate.arrest", printer) {
            _ = try validator.validate(bytes: arrest, topic: "police.arrests")
            _ = try EventCodec.decode(ArrestMade.self, from: arrest)
        }
        try measure("contracts.validate_only.release", printer) {
            _ = try validator.validate(bytes: release, topic: "custody.releases")
        }
        try measure("contracts.decode_only.release", printer) {
            _ = try EventCodec.decode(ReleaseScheduled.self, from: release)
        }
        printer.figure("contracts.event_size.release", Double(release.count), "bytes")
        printer.figure("contracts.event_size.arrest", Double(arrest.count), "bytes")
    }

    private func measure(_ name: String, _ printer: FigurePrinter, _ body: () throws -> Void) throws {
        printer.progress("\(name): \(rounds) rounds of \(roundDuration)")
        var best = 0.0
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            var count = 0
            let start = clock.now
            let deadline = start + roundDuration
            while clock.now < deadline {
                for _ in 0..<100 { try body() }
                count += 100
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = max(best, Double(count) / seconds)
        }
        printer.figure(name, best, "events/s")
    }
}
