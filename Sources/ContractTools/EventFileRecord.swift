import Contracts
import Foundation

/// One record read from an import file, with the line it starts on so errors can point at it.
public struct EventFileRecord: Sendable {
    /// 1-based line where the record starts.
    public var line: Int
    /// The record as JSON, or why it could not be read.
    public var content: Result<JSONValue, RecordReadError>
    /// The bytes to publish: the record's own text for JSON and NDJSON (so what a consumer
    /// reads is byte for byte what the file held), compact JSON for CSV rows.
    public var bytes: [UInt8]
}

/// A record (or a whole file) that is not even well-formed data.
public struct RecordReadError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where; names positions and rules, never the file's content.
    public var description: String
    /// 1-based line of the fault.
    public var line: Int
    public init(_ description: String, line: Int) {
        self.description = description
        self.line = line
    }
}

/// The formats `publish` reads.
public enum EventFileFormat: String, Sendable, CaseIterable {
    /// A JSON array of events, or a single event object.
    case json
    /// One JSON event per line; blank lines are skipped.
    case ndjson
    /// A header row of field paths, then one event per row; see ``EventFileReader``.
    case csv

    /// The format from a file name's extension (`.json`, `.ndjson`/`.jsonl`, `.csv`).
    public init?(fileName: String) {
        switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
        case "json": self = .json
        case "ndjson", "jsonl": self = .ndjson
        case "csv": self = .csv
        default: return nil
        }
    }
}
