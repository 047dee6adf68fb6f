import Contracts
import Foundation

/// Splits an import file into records, for partners that export files rather than talk to
/// Kafka (the "uneven technology" case: spreadsheets, nightly exports).
///
/// CSV: the header row names each column's field as a dotted path into the event
/// (`payload.facility.name`; a number indexes a list: `payload.charges.0.code`). Cells are
/// strings unless the header gives a type after a colon: `schemaVersion:integer`,
/// `payload.destination.coordinates.latitude:number`, `…:boolean`, or `…:json` for a JSON
/// value. Empty cells leave the field out. Typing is declared, never guessed, so a DOC number
/// such as `00123` stays a string.
public struct EventFileReader: Sendable {
    public var limits: JSONDecodingLimits

    public init(limits: JSONDecodingLimits = .events) {
        self.limits = limits
    }

    public func records(in data: [UInt8], format: EventFileFormat) throws(RecordReadError) -> [EventFileRecord] {
        switch format {
        case .ndjson: return ndjson(data)
        case .json: return try json(data)
        case .csv: return try csv(data)
        }
    }

    private func parse(_ bytes: ArraySlice<UInt8>, line: Int) -> EventFileRecord {
        let bytes = Array(bytes)
        do {
            return EventFileRecord(line: line, content: .success(try JSONValue(parsing: bytes, limits: limits)), bytes: bytes)
        } catch {
            return EventFileRecord(line: line, content: .failure(RecordReadError("not valid JSON: \(error)")), bytes: bytes)
        }
    }

    private func ndjson(_ data: [UInt8]) -> [EventFileRecord] {
        var records: [EventFileRecord] = []
        var line = 1
        var start = 0
        for index in 0...data.count where index == data.count || data[index] == UInt8(ascii: "\n") {
            var end = index
            if end > start, data[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let text = data[start..<end]
            if text.contains(where: { !Self.isSpace($0) }) { records.append(parse(text, line: line)) }
            line += 1
            start = index + 1
        }
        return records
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d
    }

    /// A JSON array is split at its top-level elements by a small scanner (strings and
    /// nesting tracked), so each element keeps its own bytes and line.
    private func json(_ data: [UInt8]) throws(RecordReadError) -> [EventFileRecord] {
        guard let first = data.firstIndex(where: { !Self.isSpace($0) }) else { throw RecordReadError("the file is empty") }
        let lineOf = { (offset: Int) in 1 + data[..<offset].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
        guard data[first] == UInt8(ascii: "[") else { return [parse(data[first...], line: lineOf(first))] }
        var records: [EventFileRecord] = []
        var depth = 0
        var inString = false
        var escaped = false
        var elementStart: Int?
        var line = 1
        var elementLine = 1
        var index = first + 1
        line = lineOf(first)
        func finish(_ end: Int) {
            guard let start = elementStart else { return }
            var stop = end
            while stop > start, Self.isSpace(data[stop - 1]) { stop -= 1 }
            records.append(parse(data[start..<stop], line: elementLine))
            elementStart = nil
        }
        while index < data.count {
            let byte = data[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if depth == 0 && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
                finish(index)
                if byte == UInt8(ascii: "]") {
                    guard data[(index + 1)...].allSatisfy(Self.isSpace) else { throw RecordReadError("line \(line): text after the closing ]") }
                    return records
                }
            } else {
                if elementStart == nil && !Self.isSpace(byte) { elementStart = index; elementLine = line }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            index += 1
        }
        throw RecordReadError("line \(line): the JSON array is not closed")
    }

    // MARK: CSV

    private struct Column {
        enum Kind: String { case string, integer, number, boolean, json }
        var path: [String]
        var kind: Kind
    }

    private func csv(_ data: [UInt8]) throws(RecordReadError) -> [EventFileRecord] {
        var rows = Self.csvRows(String(decoding: data, as: UTF8.self))
        guard !rows.isEmpty else { throw RecordReadError("the file is empty; the first row must name the fields") }
        let header = rows.removeFirst()
        var columns: [Column] = []
        for cell in header.cells {
            let parts = cell.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let path = parts.first, !path.isEmpty else { throw RecordReadError("line 1: an empty column name") }
            let kindName = parts.count > 1 ? parts[1] : "string"
            guard let kind = Column.Kind(rawValue: kindName) else {
                throw RecordReadError("line 1: column \(path): unknown type \(kindName); use string, integer, number, boolean or json")
            }
            columns.append(Column(path: path.split(separator: ".").map(String.init), kind: kind))
        }
        return rows.filter { !($0.cells.count == 1 && $0.cells[0].isEmpty) }.map { row in
            var document = JSONValue.object([:])
            do throws(RecordReadError) {
                guard row.cells.count == columns.count else {
                    throw RecordReadError("has \(row.cells.count) cells; the header names \(columns.count) fields")
                }
                for (column, cell) in zip(columns, row.cells) where !cell.isEmpty {
                    let value = try typed(cell, column)
                    guard document.creating(column.path[...], value) else {
                        throw RecordReadError("column \(column.path.joined(separator: ".")) conflicts with another column")
                    }
                }
                let bytes = Array(document.description.utf8)
                guard bytes.count <= limits.maxDocumentBytes else { throw RecordReadError("the event is larger than \(limits.maxDocumentBytes) bytes") }
                return EventFileRecord(line: row.line, content: .success(document), bytes: bytes)
            } catch {
                return EventFileRecord(line: row.line, content: .failure(error), bytes: [])
            }
        }
    }

    private func typed(_ cell: String, _ column: Column) throws(RecordReadError) -> JSONValue {
        let name = column.path.joined(separator: ".")
        switch column.kind {
        case .string: return .string(cell)
        case .integer:
            guard let n = Int64(cell) else { throw RecordReadError("\(name): not an integer") }
            return .number(JSONNumber(n))
        case .number:
            guard let d = Double(cell), let n = JSONNumber(d) else { throw RecordReadError("\(name): not a number") }
            return .number(n)
        case .boolean:
            switch cell.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw RecordReadError("\(name): not true or false")
            }
        case .json:
            do { return try JSONValue(parsing: cell, limits: limits) } catch { throw RecordReadError("\(name): not valid JSON: \(error)") }
        }
    }

    /// RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks.
    static func csvRows(_ text: String) -> [(line: Int, cells: [String])] {
        var rows: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var cell = ""
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var characters = Array(text)
        if characters.last != "\n" { characters.append("\n") }
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < characters.count, characters[i + 1] == "\"" { cell.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    cell.append(c)
                }
            } else if c == "\"" && cell.isEmpty {
                inQuotes = true
            } else if c == "," {
                cells.append(cell)
                cell = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                cells.append(cell)
                rows.append((rowLine, cells))
                cells = []
                cell = ""
                line += 1
                rowLine = line
            } else {
                cell.append(c)
            }
            i += 1
        }
        return rows
    }
}

extension JSONValue {
    /// Sets the value at a path, creating objects (or, for numeric components, arrays filled
    /// in order) on the way. Returns `false` if the path runs into a value already set.
    mutating func creating(_ path: ArraySlice<String>, _ value: JSONValue) -> Bool {
        guard let first = path.first else { return false }
        let rest = path.dropFirst()
        if let index = Int(first) {
            guard case .array(var elements) = self, index <= elements.count else { return false }
            if index == elements.count { elements.append(rest.isEmpty ? value : (Int(rest.first!) != nil ? .array([]) : .object([:]))) } else if rest.isEmpty { return false }
            if !rest.isEmpty, !elements[index].creating(rest, value) { return false }
            self = .array(elements)
            return true
        }
        guard case .object(var members) = self else { return false }
        if rest.isEmpty {
            guard members[first] == nil else { return false }
            members[first] = value
        } else {
            var child = members[first] ?? (Int(rest.first!) != nil ? .array([]) : .object([:]))
            guard child.creating(rest, value) else { return false }
            members[first] = child
        }
        self = .object(members)
        return true
    }
}
