import ContractTools
import Contracts
import Foundation
import Logging

/// One fuzz input run through the code that reads untrusted bytes: the JSON parser, the schema
/// validator, the import-file reader (CSV, NDJSON, JSON arrays) and header admission
/// (`EventValidator.validateMessage`, `validateHeaders`).
///
/// The first byte picks the target, the rest is its input. Besides "does not crash", each
/// target checks properties that must hold for every input, and stops the process (the way a
/// fuzzer reports a finding) when one does not:
/// - the parser: what it accepts prints as JSON that parses back to the same value;
/// - the file reader: it refuses a file as not UTF-8 exactly when Swift's own strict UTF-8
///   validation does, and every record it returns has a line inside the file;
/// - CSV: every record it builds is JSON the parser reads back to the same value.
struct FuzzHarness {
    let validator: EventValidator
    let publisher: EventPublisher
    /// Every event version, so a byte can pick a schema.
    let events: [(type: String, version: Int)]
    let topics: [String]

    init(catalog: TopicCatalog) {
        validator = EventValidator(catalog: catalog)
        publisher = EventPublisher(catalog: catalog, logger: .init(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        events = catalog.topics.flatMap { topic in topic.events.map { ($0.type, $0.version) } }
        topics = catalog.topics.map(\.name)
    }

    /// How many targets the first byte chooses from.
    static let targets = 6

    func run(_ data: UnsafeBufferPointer<UInt8>) {
        guard let selector = data.first else { return }
        let whole = Array(data)
        let input = Array(data.dropFirst())
        let pick = Int(selector) / Self.targets
        let finding = { (what: String) -> Never in Self.report(what, input: whole) }
        switch Int(selector) % Self.targets {
        case 0: parser(input, finding)
        case 1: schema(input, pick: pick)
        case 2: file(input, .csv, pick: pick, finding)
        case 3: file(input, .ndjson, pick: pick, finding)
        case 4: file(input, .json, pick: pick, finding)
        default: headers(input, pick: pick)
        }
    }

    private func parser(_ input: [UInt8], _ finding: (String) -> Never) {
        guard let value = try? JSONValue(parsing: input) else { return }
        let printed = Array(value.description.utf8)
        guard let again = try? JSONValue(parsing: printed, limits: JSONDecodingLimits(maxDocumentBytes: Int.max)) else {
            finding("the parser accepted a document whose printed form it rejects")
        }
        if again != value { finding("a document printed and parsed again is a different value") }
    }

    private func schema(_ input: [UInt8], pick: Int) {
        guard !events.isEmpty, let document = try? JSONValue(parsing: input) else { return }
        let event = events[pick % events.count]
        _ = validator.catalog.schema(forEventType: event.type, version: event.version)?.validate(document)
        _ = try? validator.validate(document, topic: topics[pick % topics.count])
    }

    private func file(_ input: [UInt8], _ format: EventFileFormat, pick: Int, _ finding: (String) -> Never) {
        // CSV also ends a line at a lone CR (RFC 4180 files from old tools); JSON only at LF.
        let lines = 1 + input.indices.reduce(0) { count, i in
            input[i] == 0x0a || (format == .csv && input[i] == 0x0d && (i + 1 == input.count || input[i + 1] != 0x0a)) ? count + 1 : count
        }
        let isUTF8 = String(validating: input, as: UTF8.self) != nil
        do {
            let records = try publisher.reader.records(in: input, format: format)
            if !isUTF8 { finding("the \(format) reader accepted bytes that are not UTF-8") }
            for record in records {
                if !(1...lines).contains(record.line) { finding("a \(format) record on line \(record.line) of a \(lines)-line file") }
                if format == .csv, case .success(let document) = record.content {
                    guard let again = try? JSONValue(parsing: record.bytes, limits: JSONDecodingLimits(maxDocumentBytes: Int.max)), again == document else {
                        finding("a CSV record's JSON does not parse back to the record")
                    }
                }
            }
        } catch {
            let saysNotUTF8 = error.description.contains("not valid UTF-8")
            if saysNotUTF8 == isUTF8 { finding("the \(format) reader and Swift disagree on whether the file is UTF-8") }
            if !(1...lines).contains(error.line) { finding("a \(format) error on line \(error.line) of a \(lines)-line file") }
        }
        _ = try? publisher.validate(input, format: format, topic: topics[pick % topics.count])
    }

    /// Input: header lines `name=value` up to an empty line, then the key on one line, then the value.
    private func headers(_ input: [UInt8], pick: Int) {
        var headers: [String: String] = [:]
        var rest = input[...]
        while let newline = rest.firstIndex(of: 0x0a) {
            let line = rest[..<newline]
            rest = rest[(newline + 1)...]
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            headers[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        var key: [UInt8]?
        if let newline = rest.firstIndex(of: 0x0a) {
            key = Array(rest[..<newline])
            rest = rest[(newline + 1)...]
        }
        let topic = topics[pick % topics.count]
        _ = try? validator.validateMessage(topic: topic, key: key, value: Array(rest), headers: headers)
        _ = try? validator.validateHeaders(headers, topic: topic)
    }

    /// Stops the process with the property that failed, leaving the input in
    /// `fuzz-finding.bin` (in the current folder) to reproduce it: `reentrybus-fuzz --runs 1 DIR`.
    static func report(_ what: String, input: [UInt8]) -> Never {
        FileManager.default.createFile(atPath: "fuzz-finding.bin", contents: Data(input))
        FileHandle.standardError.write(Data("fuzz finding: \(what); input written to fuzz-finding.bin\n".utf8))
        abort()
    }
}
