import Contracts
import Foundation

/// Edge validation throughput: JSON bytes → parsed and validated against the contract, and
/// decoded into the Swift type, as a producer, the gateway and every service do for each event.
/// A custody release, an arrest and a violent incident, each the first valid example of its
/// contract; each figure is the best of several rounds of fixed length.
///
/// Beside each event, in the same run, the peer (``ContractsPeer``: orjson + jsonschema-rs from
/// PyPI, on the same generated schema and the same bytes) gives the yardstick, printed as
/// `ratio contracts.validate.<event>` = our parse + validate rate ÷ the peer's.
public struct ContractsBenchmark: Sendable {
    public var topicsDirectory: URL
    /// Time per round. Default: 1 s.
    public var roundDuration: Duration
    /// Rounds per figure (the best counts). Default: 3.
    public var rounds: Int
    /// The Python peer; `nil` measures our side only.
    public var peer: ContractsPeer?

    public init(topicsDirectory: URL, roundDuration: Duration = .seconds(1), rounds: Int = 3, peer: ContractsPeer? = nil) {
        self.topicsDirectory = topicsDirectory
        self.roundDuration = roundDuration
        self.rounds = rounds
        self.peer = peer
    }

    /// One measured event: its contract, topic and Swift type, decoded as services decode a
    /// validated event: from the tree if validation built one, else straight from the bytes.
    struct Subject: Sendable {
        var name: String
        var eventType: String
        var topic: String
        var decode: @Sendable ([UInt8], JSONValue?) throws -> Void
    }

    static let subjects = [
        Subject(name: "release", eventType: ReleaseScheduled.eventType, topic: "custody.releases") {
            _ = try $1.map { try EventCodec.decode(ReleaseScheduled.self, from: $0) } ?? EventCodec.decode(ReleaseScheduled.self, from: $0)
        },
        Subject(name: "arrest", eventType: ArrestMade.eventType, topic: "police.arrests") {
            _ = try $1.map { try EventCodec.decode(ArrestMade.self, from: $0) } ?? EventCodec.decode(ArrestMade.self, from: $0)
        },
        Subject(name: "incident", eventType: ViolentIncidentReported.eventType, topic: "police.incidents") {
            _ = try $1.map { try EventCodec.decode(ViolentIncidentReported.self, from: $0) } ?? EventCodec.decode(ViolentIncidentReported.self, from: $0)
        },
    ]

    public func run(figures: (@Sendable (String) -> Void)? = nil) async throws {
        let printer = FigurePrinter(figures: figures)
        printer.progress("loading contracts from \(topicsDirectory.path)")
        let catalog = try TopicCatalog.load(from: topicsDirectory)
        let validator = EventValidator(catalog: catalog)
        var events: [(Subject, [UInt8])] = []
        for subject in Self.subjects {
            guard let example = catalog.event(type: subject.eventType, version: 1)?.validExamples.first else {
                throw BenchmarkFailure(description: "\(subject.eventType) has no valid example in \(topicsDirectory.path)")
            }
            events.append((subject, Array(example.description.utf8)))
        }

        var ours: [String: Double] = [:]
        for (subject, bytes) in events {
            ours[subject.name] = try measure("contracts.parse_validate.\(subject.name)", printer) {
                _ = try validator.validate(bytes: bytes, topic: subject.topic)
            }
            // Parsing alone, the share of every other figure that builds the tree.
            try measure("contracts.parse.\(subject.name)", printer) { _ = try JSONValue(parsing: bytes) }
            // Decoding alone: the bytes into the Swift type (no schema).
            try measure("contracts.decode.\(subject.name)", printer) { try subject.decode(bytes, nil) }
            // What a service does with each event: validate, then decode.
            try measure("contracts.decode_validate.\(subject.name)", printer) {
                try subject.decode(bytes, validator.validate(bytes: bytes, topic: subject.topic).parsedDocument)
            }
            printer.figure("contracts.event_size.\(subject.name)", Double(bytes.count), "bytes")
        }

        guard let peer else { return }
        let schemas = topicsDirectory.appendingPathComponent("schemas", isDirectory: true)
        let inputs = events.map { subject, bytes in
            ContractsPeer.Input(
                name: subject.name, schema: schemas.appendingPathComponent("\(subject.eventType).v1.schema.json"), event: bytes)
        }
        printer.progress("the peer (orjson + jsonschema-rs): \(rounds) rounds of \(roundDuration) per event")
        let rates = try await peer.measure(inputs, roundDuration: roundDuration, rounds: rounds, progress: printer.progress)
        for (subject, _) in events {
            guard let rate = rates[subject.name], let our = ours[subject.name] else { continue }
            printer.figure("peer.contracts.parse_validate.\(subject.name)", rate.parseAndValidate, "events/s")
            printer.figure("peer.contracts.parse.\(subject.name)", rate.parseOnly, "events/s")
            printer.ratio("contracts.validate.\(subject.name)", our / rate.parseAndValidate)
        }
    }

    @discardableResult
    private func measure(_ name: String, _ printer: FigurePrinter, _ body: () throws -> Void) throws -> Double {
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
        return best
    }
}
