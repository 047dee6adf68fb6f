import Foundation

extension JSONValue {
    /// Parses one JSON document (RFC 8259) from UTF-8 bytes.
    ///
    /// Our own parser rather than `JSONSerialization`: it keeps integers exact, rejects duplicate
    /// member names, bounds size and depth before doing work, reports the line and column of a
    /// fault, and avoids bridging through `NSNumber`/`NSDictionary`, which matters at the event
    /// rates the bus handles. A leading UTF-8 byte order mark is skipped.
    public init(parsing bytes: some ContiguousBytes, limits: JSONDecodingLimits = .events)
        throws(JSONDecodingError)
    {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONDecodingError) -> JSONValue in
                var parser = JSONParser(bytes: raw.assumingMemoryBound(to: UInt8.self), limits: limits)
                return try parser.parseDocument()
            }
        }
        self = try result.get()
    }

    /// Parses one JSON document from text, with the same rules as the byte-based initializer.
    public init(parsing text: String, limits: JSONDecodingLimits = .events) throws(JSONDecodingError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent JSON parser over a byte buffer, valid only while the buffer is.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONDecodingLimits
    /// The next byte to read; the byte validator moves it back to read a value again.
    var index = 0
    /// Containers open around `index`.
    var depth = 0
    /// Members and elements of the containers being parsed, innermost last. One growing buffer
    /// shared by all containers, so each finished container is copied out once at its exact size
    /// instead of growing its own array.
    private var pendingMembers: [(key: String, value: JSONValue, offset: Int)] = []
    private var pendingElements: [JSONValue] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONDecodingLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONDecodingError) -> JSONValue {
        guard bytes.count <= limits.maxDocumentBytes else {
            throw JSONDecodingError(
                reason: .documentTooLarge(byteCount: bytes.count, limit: limits.maxDocumentBytes))
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error(.trailingCharacters) }
        return value
    }

    // MARK: Values

    mutating func parseValue() throws(JSONDecodingError) -> JSONValue {
        guard index < bytes.count else { throw error(.unexpectedEndOfInput) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case let byte: throw error(.unexpectedByte(byte, expected: "a value"))
        }
    }

    private mutating func parseObject() throws(JSONDecodingError) -> JSONValue {
        try enterContainer()
        index += 1  // {
        // Members are gathered first and hashed once into a dictionary of the right size,
        // which avoids rehashing as the dictionary grows.
        let base = pendingMembers.count
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        while true {
            let keyOffset = index
            guard try peek() == UInt8(ascii: "\"") else {
                throw error(.unexpectedByte(bytes[index], expected: "a member name in double quotes"))
            }
            let key = try parseString()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else {
                throw error(.unexpectedByte(bytes[index], expected: "':' after the member name"))
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            pendingMembers.append((key, value, keyOffset))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else {
                throw error(.unexpectedByte(next, expected: "',' or '}' after an object member"), at: index - 1)
            }
            skipWhitespace()
        }
        depth -= 1
        var members = [String: JSONValue](minimumCapacity: pendingMembers.count - base)
        for pair in pendingMembers[base...] where members.updateValue(pair.value, forKey: pair.key) != nil {
            throw error(.duplicateKey(pair.key), at: pair.offset)
        }
        pendingMembers.removeSubrange(base...)
        return .object(members)
    }

    private mutating func parseArray() throws(JSONDecodingError) -> JSONValue {
        try enterContainer()
        index += 1  // [
        let base = pendingElements.count
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        while true {
            let element = try parseValue()
            pendingElements.append(element)
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { break }
            guard next == UInt8(ascii: ",") else {
                throw error(.unexpectedByte(next, expected: "',' or ']' after an array element"), at: index - 1)
            }
            skipWhitespace()
        }
        depth -= 1
        let elements = Array(pendingElements[base...])
        pendingElements.removeSubrange(base...)
        return .array(elements)
    }

    mutating func enterContainer() throws(JSONDecodingError) {
        depth += 1
        guard depth <= limits.maxNestingDepth else {
            throw error(.nestingTooDeep(limit: limits.maxNestingDepth))
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONDecodingError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard index + offset < bytes.count else { throw error(.unexpectedEndOfInput, at: bytes.count) }
            guard bytes[index + offset] == start[offset] else {
                throw error(.unexpectedByte(bytes[index + offset], expected: "a value"), at: index + offset)
            }
        }
        index += count
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote; leaves `index` after the closing quote.
    mutating func parseString() throws(JSONDecodingError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, so the string is the bytes between the quotes. The scan runs
        // on locals; this loop is where most of a document's bytes are read.
        let (i, isASCII) = try plainRun(from: start)
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
            index = i + 1
            if isASCII { return String(decoding: slice, as: UTF8.self) }
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw error(.invalidUTF8, at: start)
            }
            return string
        }
        index = i
        guard index < bytes.count else { throw error(.unexpectedEndOfInput) }
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: buffer, as: UTF8.self) else {
                    throw error(.invalidUTF8, at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0..<0x20:
                throw error(.controlCharacterInString)
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw error(.unexpectedEndOfInput)
    }

    /// Where a string's bytes lie, as read by ``scanString()``.
    struct ScannedString {
        /// The first byte after the opening quote and the closing quote's offset.
        var start: Int
        var end: Int
        var isASCII: Bool
        /// Whether the string holds escapes, so that its bytes are not its value
        /// (``parseString()`` from `start - 1` decodes it).
        var hasEscapes: Bool
    }

    /// Reads a string starting at its opening quote with the checks of ``parseString()``
    /// (control characters, escapes, UTF-8) but without making a `String`; leaves `index` after
    /// the closing quote. For the byte validator, which compares and matches bytes in place.
    mutating func scanString() throws(JSONDecodingError) -> ScannedString {
        let quote = index
        let start = quote + 1
        let (i, isASCII) = try plainRun(from: start)
        guard i < bytes.count else {
            index = i
            throw error(.unexpectedEndOfInput)
        }
        if bytes[i] == UInt8(ascii: "\\") {
            // Escapes are rare in events: the full parser checks them.
            index = quote
            _ = try parseString()
            return ScannedString(start: start, end: index - 1, isASCII: false, hasEscapes: true)
        }
        if !isASCII, !Self.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<i])) {
            index = start
            throw error(.invalidUTF8, at: start)
        }
        index = i + 1
        return ScannedString(start: start, end: i, isASCII: isASCII, hasEscapes: false)
    }

    /// Reads a string's bytes from `start` up to its closing quote or first backslash (or the
    /// end of input), which it returns with whether all were ASCII. A control character is an
    /// error, with `index` on it.
    private mutating func plainRun(from start: Int) throws(JSONDecodingError) -> (end: Int, isASCII: Bool) {
        var isASCII = true
        var i = plainRunEnd(from: start)
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return (i, isASCII) }
            if byte < 0x20 {
                index = i
                throw error(.controlCharacterInString)
            }
            isASCII = isASCII && byte < 0x80
            i += 1
        }
        return (i, isASCII)
    }

    /// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values beyond
    /// U+10FFFF), as `String(validating:)` decides, without making a string.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            func continuation(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return false }
                let second = bytes[i + 1]
                if lead == 0xE0, second < 0xA0 { return false }  // overlong
                if lead == 0xED, second > 0x9F { return false }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let second = bytes[i + 1]
                if lead == 0xF0, second < 0x90 { return false }  // overlong
                if lead == 0xF4, second > 0x8F { return false }  // beyond U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONDecodingError) {
        let escapeStart = index
        index += 1  // backslash
        guard index < bytes.count else { throw error(.unexpectedEndOfInput) }
        let code = bytes[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else { throw error(.unpairedSurrogate, at: escapeStart) }
                index += 2
                let low = try parseHex4(escapeStart: escapeStart)
                guard (0xDC00..<0xE000).contains(low) else { throw error(.unpairedSurrogate, at: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error(.unpairedSurrogate, at: escapeStart)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error(.invalidEscape, at: escapeStart) }
            buffer.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw error(.invalidEscape, at: escapeStart)
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONDecodingError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.unexpectedEndOfInput, at: bytes.count) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONDecodingError) -> JSONNumber {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // Integer part: "0" or a non-zero digit followed by digits. Accumulate as a negative
        // Int64 so that Int64.min parses exactly.
        guard index < bytes.count, isDigit(bytes[index]) else { throw error(.invalidNumber, at: start) }
        var accumulated: Int64 = 0
        var overflow = false
        // All digits as one integer, while it stays exact in a Double (below 2^53), for the
        // fast conversion of decimals below.
        var mantissa: UInt64 = 0
        var mantissaExact = true
        func addToMantissa(_ digit: UInt8) {
            if mantissa < (1 << 53) / 10 { mantissa = mantissa * 10 + UInt64(digit) } else { mantissaExact = false }
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error(.invalidNumber, at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                let digit = bytes[index] - UInt8(ascii: "0")
                let (times10, o1) = accumulated.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(Int64(digit))
                overflow = overflow || o1 || o2
                accumulated = next
                addToMantissa(digit)
                index += 1
            }
        }
        var isIntegerLiteral = true
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isIntegerLiteral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(.invalidNumber, at: start) }
            while index < bytes.count, isDigit(bytes[index]) {
                addToMantissa(bytes[index] - UInt8(ascii: "0"))
                fractionDigits += 1
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isIntegerLiteral = false
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(.invalidNumber, at: start) }
            while index < bytes.count, isDigit(bytes[index]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if isIntegerLiteral, !overflow {
            if negative { return JSONNumber(accumulated) }
            if accumulated != .min { return JSONNumber(-accumulated) }
        }
        // A decimal whose digits fit in 53 bits and whose power of ten is exact in a Double
        // (10^0…10^22): one IEEE multiplication or division rounds correctly (Clinger's fast
        // path), with no text conversion. Coordinates and amounts take this path.
        let scale = exponent - fractionDigits
        if mantissaExact, scale >= -22, scale <= 22 {
            let power = Self.powersOfTen[abs(scale)]
            let magnitude = scale < 0 ? Double(mantissa) / power : Double(mantissa) * power
            if let number = JSONNumber(negative ? -magnitude : magnitude) { return number }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), let number = JSONNumber(double) else {
            throw error(.numberOutOfRange, at: start)
        }
        return number
    }

    /// 10^0 … 10^22, each exact in a Double.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    // MARK: Helpers

    /// Where the run of plain bytes from `start` ends, eight bytes at a time: a plain byte is
    /// ASCII and neither a quote, a backslash nor a control character. The byte loops of
    /// ``parseString()`` and ``scanString()`` take over there.
    @inline(__always)
    private func plainRunEnd(from start: Int) -> Int {
        var i = start
        guard let base = bytes.baseAddress else { return i }
        let raw = UnsafeRawPointer(base)
        while i + 8 <= bytes.count {
            if Self.mayEndPlainRun(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
            i += 8
        }
        return i
    }

    /// Whether any byte of `word` is a quote, a backslash, below 0x20 or above 0x7F (the
    /// classic "has a zero byte" bit trick, applied to each condition).
    @inline(__always)
    private static func mayEndPlainRun(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let quote = hasZeroByte(word ^ (ones &* 0x22))
        let backslash = hasZeroByte(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs != 0
        return quote || backslash || control || word & highs != 0
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    func peek() throws(JSONDecodingError) -> UInt8 {
        guard index < bytes.count else { throw error(.unexpectedEndOfInput) }
        return bytes[index]
    }

    private func error(_ reason: JSONDecodingError.Reason, at offset: Int? = nil) -> JSONDecodingError {
        let offset = min(offset ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONDecodingError(reason: reason, byteOffset: offset, line: line, column: offset - lineStart + 1)
    }
}
