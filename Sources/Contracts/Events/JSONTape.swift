import Foundation

/// A JSON document read into one flat list of its values, for decoding Swift types straight
/// from an event's bytes (``JSONTapeDecoder``).
///
/// Decoding from a ``JSONValue`` tree paid for the tree twice: building it (a `Dictionary` per
/// object, every member name hashed, an allocation per object, array and long string) and then
/// reading it (each name hashed again). The tape is one array of fixed-size entries in document
/// order; an object's members are found by comparing names as bytes, and strings, dates and ids
/// are made only when a decoder asks for them.
///
/// The tape reads only the plain documents events are: anything it does not handle — a name
/// with escapes or non-ASCII bytes, an object with many members, a byte order mark, and every
/// malformed document — makes ``read(_:limits:)`` return `nil`, and the caller parses the tree,
/// which accepts or explains the document exactly as before.
final class JSONTape: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, escapedString, array, object
    }

    /// One value. `start..<end` are a string's bytes between its quotes; a number's `end` is its
    /// index in ``numbers``; a container's `end` is its count of members or elements.
    /// `next` is the index of the entry after this value and everything inside it (an
    /// object's members are a name entry, then the value's entries).
    struct Entry: Sendable {
        var kind: Kind
        var start: Int32
        var end: Int32
        var next: Int32
    }

    let bytes: [UInt8]
    let entries: [Entry]
    let numbers: [JSONNumber]

    private init(bytes: [UInt8], entries: [Entry], numbers: [JSONNumber]) {
        self.bytes = bytes
        self.entries = entries
        self.numbers = numbers
    }

    /// Objects with more members than this are left to the tree, whose dictionary finds a
    /// repeated name without comparing every pair.
    static let maxMembersCompared = 64

    /// The tape of `bytes`, or `nil` when they are not a document the tape reads (see above).
    static func read(_ bytes: [UInt8], limits: JSONDecodingLimits) -> JSONTape? {
        guard bytes.count <= limits.maxDocumentBytes, bytes.count < Int32.max else { return nil }
        let built = bytes.withUnsafeBufferPointer { buffer -> ([Entry], [JSONNumber])? in
            var builder = Builder(reader: JSONParser(bytes: buffer, limits: limits))
            builder.reader.skipWhitespace()
            guard builder.value() else { return nil }
            builder.reader.skipWhitespace()
            guard builder.reader.index == buffer.count else { return nil }
            return (builder.entries, builder.numbers)
        }
        guard let (entries, numbers) = built else { return nil }
        return JSONTape(bytes: bytes, entries: entries, numbers: numbers)
    }

    /// The entry of the value of the member spelled `name` in the object at `object`, if it is
    /// an object that has one: names compared as bytes, member by member (the tape keeps
    /// objects of up to ``maxMembersCompared``).
    func member(_ name: UnsafeBufferPointer<UInt8>, ofObjectAt object: Int) -> Int? {
        entries.withUnsafeBufferPointer { entries in
            bytes.withUnsafeBufferPointer { bytes in
                guard entries[object].kind == .object else { return nil }
                var i = object + 1
                for _ in 0..<Int(entries[object].end) {
                    let entry = entries[i]
                    let count = Int(entry.end - entry.start)
                    if count == name.count, count == 0 || memcmp(bytes.baseAddress! + Int(entry.start), name.baseAddress!, count) == 0 {
                        return i + 1
                    }
                    i = Int(entries[i + 1].next)
                }
                return nil
            }
        }
    }

    /// The string at `index` (a string entry).
    func string(at index: Int) -> String {
        let entry = entries[index]
        return bytes.withUnsafeBufferPointer { buffer in
            if entry.kind == .escapedString {
                // Rare in events: the tree's parser decodes the escapes (the tape checked them).
                var parser = JSONParser(bytes: buffer, limits: .events)
                parser.index = Int(entry.start) - 1
                return (try? parser.parseString()) ?? ""
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(entry.start)..<Int(entry.end)]), as: UTF8.self)
        }
    }

    /// Runs `body` on the bytes of the plain string at `index`; `nil` for an escaped string.
    func withPlainBytes<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        let entry = entries[index]
        guard entry.kind == .string else { return nil }
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(entry.start)..<Int(entry.end)])) }
    }

    /// Reads values onto the tape with the tree parser's grammar checks.
    private struct Builder {
        var reader: JSONParser
        var entries: [Entry] = []
        var numbers: [JSONNumber] = []

        init(reader: JSONParser) {
            self.reader = reader
            entries.reserveCapacity(64)
        }

        /// Reads one value at the reader's index; false when the tree must read the document.
        mutating func value() -> Bool {
            let bytes = reader.bytes
            guard reader.index < bytes.count else { return false }
            let at = entries.count
            switch bytes[reader.index] {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""):
                guard let scanned = try? reader.scanString() else { return false }
                entries.append(Entry(kind: scanned.hasEscapes ? .escapedString : .string, start: Int32(scanned.start), end: Int32(scanned.end), next: Int32(at + 1)))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard let number = try? reader.parseNumber() else { return false }
                entries.append(Entry(kind: .number, start: 0, end: Int32(numbers.count), next: Int32(at + 1)))
                numbers.append(number)
            case UInt8(ascii: "t"):
                guard (try? reader.expectLiteral("true")) != nil else { return false }
                entries.append(Entry(kind: .true, start: 0, end: 0, next: Int32(at + 1)))
            case UInt8(ascii: "f"):
                guard (try? reader.expectLiteral("false")) != nil else { return false }
                entries.append(Entry(kind: .false, start: 0, end: 0, next: Int32(at + 1)))
            case UInt8(ascii: "n"):
                guard (try? reader.expectLiteral("null")) != nil else { return false }
                entries.append(Entry(kind: .null, start: 0, end: 0, next: Int32(at + 1)))
            default:
                return false
            }
            return true
        }

        /// The byte after whitespace is `closing` (read, returns false) or a comma (read, and
        /// the whitespace after it, returns true); `nil` for anything else.
        private mutating func separator(closing: UInt8) -> Bool? {
            reader.skipWhitespace()
            guard reader.index < reader.bytes.count else { return nil }
            let byte = reader.bytes[reader.index]
            reader.index += 1
            if byte == closing { return false }
            guard byte == UInt8(ascii: ",") else { return nil }
            reader.skipWhitespace()
            return true
        }

        private mutating func open(_ kind: Kind) -> Int? {
            guard (try? reader.enterContainer()) != nil else { return nil }
            reader.index += 1
            reader.skipWhitespace()
            entries.append(Entry(kind: kind, start: Int32(reader.index - 1), end: 0, next: 0))
            return entries.count - 1
        }

        private mutating func close(_ at: Int, count: Int) {
            reader.depth -= 1
            entries[at].end = Int32(count)
            entries[at].next = Int32(entries.count)
        }

        private mutating func array() -> Bool {
            guard let at = open(.array), reader.index < reader.bytes.count else { return false }
            var count = 0
            if reader.bytes[reader.index] == UInt8(ascii: "]") {
                reader.index += 1
            } else {
                while true {
                    guard value() else { return false }
                    count += 1
                    guard let more = separator(closing: UInt8(ascii: "]")) else { return false }
                    if !more { break }
                }
            }
            close(at, count: count)
            return true
        }

        private mutating func object() -> Bool {
            guard let at = open(.object), reader.index < reader.bytes.count else { return false }
            var count = 0
            if reader.bytes[reader.index] == UInt8(ascii: "}") {
                reader.index += 1
            } else {
                while true {
                    guard count < JSONTape.maxMembersCompared, reader.index < reader.bytes.count,
                        reader.bytes[reader.index] == UInt8(ascii: "\""),
                        let name = try? reader.scanString(), !name.hasEscapes, name.isASCII
                    else { return false }
                    let entry = Entry(kind: .string, start: Int32(name.start), end: Int32(name.end), next: Int32(entries.count + 1))
                    // A repeated name is a parse error, which the tree reports with its place.
                    var other = at + 1
                    while other < entries.count {
                        if sameBytes(entries[other], entry) { return false }
                        other = Int(entries[other + 1].next)
                    }
                    entries.append(entry)
                    reader.skipWhitespace()
                    guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":") else { return false }
                    reader.index += 1
                    reader.skipWhitespace()
                    guard value() else { return false }
                    count += 1
                    guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                    if !more { break }
                }
            }
            close(at, count: count)
            return true
        }

        private func sameBytes(_ a: Entry, _ b: Entry) -> Bool {
            let count = Int(a.end - a.start)
            guard count == Int(b.end - b.start) else { return false }
            return count == 0 || memcmp(reader.bytes.baseAddress! + Int(a.start), reader.bytes.baseAddress! + Int(b.start), count) == 0
        }
    }
}
