import Foundation

/// Decodes `Decodable` types straight from an event's bytes, through a ``JSONTape``.
///
/// The fast path of ``EventCodec``: no tree is built, member names are compared as bytes, and
/// strings, dates and ids are read from the bytes when a field asks for them. It reports no
/// coding paths: when it fails (a document the tape does not read, a missing member, a value of
/// the wrong type), ``EventCodec`` decodes the same bytes through the tree
/// (``JSONValueDecoder``), which gives the error its exact path and wording — so errors are
/// unchanged and cost a second pass only for events that are refused anyway.
enum JSONTapeDecoder {
    /// `T` decoded from `bytes`, or `nil` when the tape cannot decode it (see above).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) -> T? {
        guard let tape = JSONTape.read(bytes, limits: .events) else { return nil }
        return try? TapeValueDecoder(tape: tape, index: 0).decodeValue(type)
    }

    /// The error of every failure: its place and wording come from the tree's pass.
    static func failure(_ type: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "not decodable from the tape"))
    }
}

private struct TapeValueDecoder: Decoder {
    let tape: JSONTape
    /// The value's entry.
    let index: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var kind: JSONTape.Kind { tape.entries[index].kind }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind == .object else { throw JSONTapeDecoder.failure(type) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(tape: tape, object: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind == .array else { throw JSONTapeDecoder.failure([Any].self) }
        return TapeUnkeyedContainer(tape: tape, array: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TapeSingleValue(decoder: self)
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self { return try string() as! T }
        if type == Date.self { return try date() as! T }
        if type == UUID.self { return try uuid() as! T }
        return try T(from: self)
    }

    func string() throws -> String {
        guard kind == .string || kind == .escapedString else { throw JSONTapeDecoder.failure(String.self) }
        return tape.string(at: index)
    }

    func date() throws -> Date {
        let date = tape.withPlainBytes(at: index) { RFC3339.parse(utf8: $0) } ?? (kind == .escapedString ? RFC3339.parse(tape.string(at: index)) : nil)
        guard let date else { throw JSONTapeDecoder.failure(Date.self) }
        return date
    }

    func uuid() throws -> UUID {
        let id = tape.withPlainBytes(at: index) { Self.uuid($0) } ?? (try? string()).flatMap { UUID(uuidString: $0) }
        guard let id else { throw JSONTapeDecoder.failure(UUID.self) }
        return id
    }

    func bool() throws -> Bool {
        switch kind {
        case .true: return true
        case .false: return false
        default: throw JSONTapeDecoder.failure(Bool.self)
        }
    }

    func number(_ type: Any.Type) throws -> JSONNumber {
        let entry = tape.entries[index]
        guard entry.kind == .number else { throw JSONTapeDecoder.failure(type) }
        return tape.numbers[Int(entry.end)]
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard let exact = try number(type).int64Value, let value = I(exactly: exact) else { throw JSONTapeDecoder.failure(type) }
        return value
    }

    /// A UUID in its 36-character form (`8-4-4-4-12` hex digits, either case), read without
    /// making a string; `nil` for any other spelling (Foundation's parser then decides).
    static func uuid(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var i = 0
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            for k in 0..<16 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard text[i] == UInt8(ascii: "-") else { return false }
                    i += 1
                }
                guard let high = hexDigit(text[i]), let low = hexDigit(text[i + 1]) else { return false }
                out[k] = high << 4 | low
                i += 2
            }
            return true
        }
        return ok ? UUID(uuid: bytes) : nil
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

private struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: JSONTape
    /// The object's entry.
    let object: Int
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        var keys: [Key] = []
        var i = object + 1
        for _ in 0..<Int(tape.entries[object].end) {
            if let key = Key(stringValue: tape.string(at: i)) { keys.append(key) }
            i = Int(tape.entries[i + 1].next)
        }
        return keys
    }

    /// The entry of the member named `key`'s value, if there is one.
    private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { tape.member($0, ofObjectAt: object) }
    }

    private func member(_ key: Key) throws -> TapeValueDecoder {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "missing"))
        }
        return TapeValueDecoder(tape: tape, index: index)
    }

    /// The member's decoder, or `nil` when it is missing or null.
    private func presentMember(_ key: Key) -> TapeValueDecoder? {
        guard let index = find(key), tape.entries[index].kind != .null else { return nil }
        return TapeValueDecoder(tape: tape, index: index)
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).kind == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).decodeValue(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try presentMember(key)?.decodeValue(type) }

    // The primitive types most fields are, read straight from the member's entry.

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).string() }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try presentMember(key)?.string() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).bool() }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try presentMember(key)?.bool() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).integer(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).number(type).doubleValue }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try member(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TapeValueDecoder(tape: tape, index: object) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try member(key) }
}

private struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: JSONTape
    let count: Int?
    var codingPath: [any CodingKey] { [] }
    var currentIndex = 0
    /// The entry of the next element.
    private var position: Int

    init(tape: JSONTape, array: Int) {
        self.tape = tape
        count = Int(tape.entries[array].end)
        position = array + 1
    }

    var isAtEnd: Bool { currentIndex >= count! }

    private mutating func next() throws -> TapeValueDecoder {
        guard !isAtEnd else { throw DecodingError.valueNotFound(Any.self, .init(codingPath: [], debugDescription: "no more elements")) }
        let element = TapeValueDecoder(tape: tape, index: position)
        position = Int(tape.entries[position].next)
        currentIndex += 1
        return element
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, tape.entries[position].kind == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct TapeSingleValue: SingleValueDecodingContainer {
    let decoder: TapeValueDecoder
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { decoder.kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
    func decode(_ type: String.Type) throws -> String { try decoder.string() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.number(type).doubleValue }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.number(type).doubleValue) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
