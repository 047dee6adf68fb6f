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

    /// Splits `data` into records. Nothing is repaired or guessed: bytes that are not UTF-8, an
    /// unclosed quote, a stray quote, an empty element of a JSON array fail the whole file
    /// (``RecordReadError`` with the line), since publishing the rest would silently lose or
    /// alter a record. Errors inside one record fail only that record, each with its line.
    public func records(in data: [UInt8], format: EventFileFormat) throws(RecordReadError) -> [EventFileRecord] {
        if let offset = UTF8Validation.firstInvalidByte(in: data) {
            let line = Self.line(at: offset, in: data)
            throw RecordReadError("line \(line), byte offset \(offset): not valid UTF-8 (files must be UTF-8; nothing was changed or replaced)", line: line)
        }
        switch format {
        case .ndjson: return ndjson(data)
        case .json: return try json(data)
        case .csv: return try csv(data)
        }
    }

    /// 1-based line of the byte at `offset`.
    static func line(at offset: Int, in data: [UInt8]) -> Int {
        1 + data[..<min(offset, data.count)].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// Parses one record whose bytes start at `offset` in the file, on `line` and `column`.
    /// A JSON error's position is given in the file's terms, and the record's line becomes the
    /// line of the fault, so the message points where the fix is.
    private func parse(_ bytes: ArraySlice<UInt8>, line: Int, column: Int) -> EventFileRecord {
        let record = Array(bytes)
        do {
            return EventFileRecord(line: line, content: .success(try JSONValue(parsing: record, limits: limits)), bytes: record)
        } catch {
            var located = error
            if let errorLine = error.line, let errorColumn = error.column, let byte = error.byteOffset {
                located.line = line + errorLine - 1
                located.column = errorLine == 1 ? column + errorColumn - 1 : errorColumn
                located.byteOffset = bytes.startIndex + byte
            }
            let at = located.line ?? line
            return EventFileRecord(line: at, content: .failure(RecordReadError("not valid JSON: \(located)", line: at)), bytes: record)
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
            if text.contains(where: { !Self.isSpace($0) }) { records.append(parse(text, line: line, column: 1)) }
            line += 1
            start = index + 1
        }
        return records
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d
    }

    /// A JSON array is split at its top-level elements by a small scanner (strings and
    /// nesting tracked), so each element keeps its own bytes and line. An empty element
    /// (`[a,,b]`, `[a,]`, `[,a]`) fails the file: JSON has none, and skipping it would hide a
    /// record lost in an export.
    private func json(_ data: [UInt8]) throws(RecordReadError) -> [EventFileRecord] {
        guard var first = data.firstIndex(where: { !Self.isSpace($0) }) else { throw RecordReadError("the file is empty", line: 1) }
        // A byte order mark before the array (the parser skips one before a single object).
        if data.count >= first + 3, data[first] == 0xEF, data[first + 1] == 0xBB, data[first + 2] == 0xBF {
            first = data[(first + 3)...].firstIndex(where: { !Self.isSpace($0) }) ?? data.count
            guard first < data.count else { throw RecordReadError("the file is empty", line: 1) }
        }
        guard data[first] == UInt8(ascii: "[") else {
            return [parse(data[first...], line: Self.line(at: first, in: data), column: Self.column(at: first, in: data))]
        }
        var records: [EventFileRecord] = []
        var depth = 0
        var inString = false
        var escaped = false
        var elementStart: Int?
        var line = Self.line(at: first, in: data)
        var lineStart = (data[..<first].lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        var elementLine = line
        var elementColumn = 1
        var sawElement = false
        var index = first + 1
        func finish(_ end: Int, at separator: UInt8) throws(RecordReadError) {
            guard let start = elementStart else {
                // `[]` is an empty array; any other missing element is an error.
                if separator == UInt8(ascii: "]") && !sawElement { return }
                throw RecordReadError("line \(line): an empty element in the JSON array (two commas, or a comma next to a bracket)", line: line)
            }
            var stop = end
            while stop > start, Self.isSpace(data[stop - 1]) { stop -= 1 }
            records.append(parse(data[start..<stop], line: elementLine, column: elementColumn))
            elementStart = nil
        }
        while index < data.count {
            let byte = data[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if depth == 0 && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
                try finish(index, at: byte)
                sawElement = true
                if byte == UInt8(ascii: "]") {
                    if let extra = data[(index + 1)...].firstIndex(where: { !Self.isSpace($0) }) {
                        let extraLine = Self.line(at: extra, in: data)
                        throw RecordReadError("line \(extraLine): text after the closing ]", line: extraLine)
                    }
                    return records
                }
            } else {
                if elementStart == nil && !Self.isSpace(byte) {
                    elementStart = index
                    elementLine = line
                    elementColumn = index - lineStart + 1
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        throw RecordReadError("line \(line): the JSON array is not closed", line: line)
    }

    /// 1-based column (in bytes) of the byte at `offset`.
    static func column(at offset: Int, in data: [UInt8]) -> Int {
        offset - ((data[..<offset].lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1) + 1
    }

    // MARK: CSV

    private struct Column {
        enum Kind: String { case string, integer, number, boolean, json }
        var path: [String]
        var kind: Kind
    }

    private func csv(_ data: [UInt8]) throws(RecordReadError) -> [EventFileRecord] {
        var rows = try Self.csvRows(data)
        guard !rows.isEmpty else { throw RecordReadError("the file is empty; the first row must name the fields", line: 1) }
        let header = rows.removeFirst()
        var columns: [Column] = []
        for cell in header.cells {
            let parts = cell.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let path = parts.first, !path.isEmpty else { throw RecordReadError("line \(header.line): an empty column name", line: header.line) }
            let kindName = parts.count > 1 ? parts[1] : "string"
            guard let kind = Column.Kind(rawValue: kindName) else {
                throw RecordReadError("line \(header.line): column \(path): unknown type \(kindName); use string, integer, number, boolean or json", line: header.line)
            }
            let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !components.contains(where: \.isEmpty) else {
                throw RecordReadError("line \(header.line): column \(path): an empty part in the field path", line: header.line)
            }
            columns.append(Column(path: components, kind: kind))
        }
        return rows.filter { !($0.cells.count == 1 && $0.cells[0].isEmpty) }.map { row in
            var document = JSONValue.object([:])
            do throws(RecordReadError) {
                guard row.cells.count == columns.count else {
                    throw RecordReadError("has \(row.cells.count) cells; the header names \(columns.count) fields", line: row.line)
                }
                for (column, cell) in zip(columns, row.cells) where !cell.isEmpty {
                    let value = try typed(cell, column, line: row.line)
                    guard document.creating(column.path[...], value) else {
                        throw RecordReadError("column \(column.path.joined(separator: ".")) conflicts with another column", line: row.line)
                    }
                }
                let bytes = Array(document.description.utf8)
                guard bytes.count <= limits.maxDocumentBytes else {
                    throw RecordReadError("the event is larger than \(limits.maxDocumentBytes) bytes", line: row.line)
                }
                return EventFileRecord(line: row.line, content: .success(document), bytes: bytes)
            } catch {
                return EventFileRecord(line: row.line, content: .failure(error), bytes: [])
            }
        }
    }

    private func typed(_ cell: String, _ column: Column, line: Int) throws(RecordReadError) -> JSONValue {
        let name = column.path.joined(separator: ".")
        switch column.kind {
        case .string: return .string(cell)
        case .integer:
            guard let n = Int64(cell) else { throw RecordReadError("\(name): not an integer", line: line) }
            return .number(JSONNumber(n))
        case .number:
            guard let d = Double(cell), let n = JSONNumber(d) else { throw RecordReadError("\(name): not a number", line: line) }
            return .number(n)
        case .boolean:
            switch cell.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw RecordReadError("\(name): not true or false", line: line)
            }
        case .json:
            do { return try JSONValue(parsing: cell, limits: limits) } catch { throw RecordReadError("\(name): not valid JSON: \(error)", line: line) }
        }
    }

    /// RFC 4180 rows, read strictly: a quoted cell may hold commas, doubled quotes and line
    /// breaks, and must be closed; a quote inside an unquoted cell, or text after a closing
    /// quote, is an error. Works on bytes (the delimiters are ASCII, which never occurs inside
    /// a multi-byte UTF-8 sequence), so a combining mark after a comma cannot hide the comma.
    /// A leading byte order mark is skipped. Lines end with LF, CRLF or a lone CR.
    static func csvRows(_ data: [UInt8]) throws(RecordReadError) -> [(line: Int, cells: [String])] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var rows: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var wasQuoted = false
        var quoteLine = 1
        var line = 1
        var rowLine = 1
        var i = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func endCell() {
            cells.append(String(decoding: cell, as: UTF8.self))  // validated as UTF-8 before
            cell = []
            wasQuoted = false
        }
        while i < data.count {
            let byte = data[i]
            if inQuotes {
                if byte == quote {
                    if i + 1 < data.count, data[i + 1] == quote { cell.append(quote); i += 1 } else { inQuotes = false; wasQuoted = true }
                } else {
                    if byte == lf || (byte == cr && (i + 1 == data.count || data[i + 1] != lf)) { line += 1 }
                    cell.append(byte)
                }
            } else if byte == comma {
                endCell()
            } else if byte == lf || byte == cr {
                if byte == cr, i + 1 < data.count, data[i + 1] == lf { i += 1 }
                endCell()
                rows.append((rowLine, cells))
                cells = []
                line += 1
                rowLine = line
            } else if wasQuoted {
                throw RecordReadError("line \(line): text after a quoted cell's closing quote (a quote inside a cell is written \"\")", line: line)
            } else if byte == quote {
                guard cell.isEmpty else {
                    throw RecordReadError("line \(line): a quote inside an unquoted cell (quote the whole cell and double the quote)", line: line)
                }
                inQuotes = true
                quoteLine = line
            } else {
                cell.append(byte)
            }
            i += 1
        }
        if inQuotes {
            throw RecordReadError("line \(quoteLine): a quoted cell opened on this line is never closed", line: quoteLine)
        }
        if !cells.isEmpty || !cell.isEmpty || wasQuoted {
            endCell()
            rows.append((rowLine, cells))
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
