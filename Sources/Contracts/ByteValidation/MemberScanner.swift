/// Finds where a few members' values lie in an object, skipping the other members' values by
/// their brackets and quotes alone.
///
/// For finding an event's type (and, where a type has several versions, its version) before
/// the byte validator checks the whole document with that type's schema, and a message's id
/// and key after: reading them with the grammar checked a second time (or into a
/// ``JSONTape``) took a third of validation. What it finds is only trusted once the
/// validator's verdict is valid, which proves the document well-formed and its names unique —
/// in such a document the brackets and quotes alone say where every value starts. On any other
/// input it may answer wrongly, but never reads outside the bytes.
struct MemberScanner {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The offsets of the values of `names` in the object whose `{` is at `object` (`nil` for a
    /// name not found); `nil` when there is no object there or a name has escapes.
    func valueOffsets(of names: some RandomAccessCollection<[UInt8]>, inObjectAt object: Int) -> [Int?]? {
        var i = skipWhitespace(object)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        var found = [Int?](repeating: nil, count: names.count)
        var missing = names.count
        i = skipWhitespace(i + 1)
        while missing > 0, i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let nameStart = i + 1
            guard let nameEnd = stringEnd(from: i), nameEnd - 1 >= nameStart else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<(nameEnd - 1)])
            if name.contains(UInt8(ascii: "\\")) { return nil }
            i = skipWhitespace(nameEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i = skipWhitespace(i + 1)
            for (k, wanted) in names.enumerated() where found[k] == nil && name.elementsEqual(wanted) {
                found[k] = i
                missing -= 1
            }
            guard let end = valueEnd(from: i) else { return nil }
            i = skipWhitespace(end)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { break }
            i = skipWhitespace(i + 1)
        }
        return found
    }

    /// The offset of the value of member `name` in the object whose `{` is at `object`.
    func valueOffset(of name: [UInt8], inObjectAt object: Int) -> Int? {
        valueOffsets(of: CollectionOfOne(name), inObjectAt: object)?[0]
    }

    /// The string at `offset`, read with the parser's checks; `nil` if there is none.
    func string(at offset: Int) -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
        var parser = JSONParser(bytes: bytes, limits: .events)
        parser.index = offset
        return try? parser.parseString()
    }

    /// The integer at `offset`, if one is there.
    func integer(at offset: Int) -> Int64? {
        guard offset < bytes.count else { return nil }
        var parser = JSONParser(bytes: bytes, limits: .events)
        parser.index = offset
        return (try? parser.parseNumber())?.int64Value
    }

    // MARK: Skipping

    /// The offset after the value starting at `start`.
    private func valueEnd(from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(from: i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return nil
        default:
            // A number or a literal: up to the next separator, bracket or whitespace.
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return i
                default: i += 1
                }
            }
            return i
        }
    }

    /// The offset after the closing quote of the string whose opening quote is at `quote`:
    /// eight bytes at a time up to a quote or a backslash.
    private func stringEnd(from quote: Int) -> Int? {
        var i = quote + 1
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while true {
            while i + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let quotes = word ^ (ones &* 0x22)
                let backslashes = word ^ (ones &* 0x5C)
                if (quotes &- ones) & ~quotes & highs != 0 || (backslashes &- ones) & ~backslashes & highs != 0 { break }
                i += 8
            }
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return i + 1
            case UInt8(ascii: "\\"): i += 2
            default: i += 1
            }
        }
    }

    private func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        return i
    }
}
