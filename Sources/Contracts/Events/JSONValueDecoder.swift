import Foundation

/// Decodes `Decodable` types from an already parsed `JSONValue`.
///
/// Events are parsed once (for schema validation) into `JSONValue`s; decoding the Swift types
/// from that tree avoids a second parse by Foundation's `JSONDecoder`, which was most of the
/// time a service spent on an event. Dates are RFC 3339 strings, as `EventCodec` writes them.
///
/// Coding paths are relative: a decoder knows only its own key (a container, its decoder's), so
/// decoding builds no path arrays; an error on its way out of a container gets that container's
/// key put in front (``DecodingError/prefixed(by:)``), so the error that leaves the top carries
/// the whole path from the root.
struct JSONValueDecoder {
    func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, path: .root).decodeValue(type)
    }
}

/// A path relative to the container that holds a value: usually the value's key alone; a
/// container nested inside another's decoding (`nestedContainer`) carries the keys between,
/// since its errors do not pass back through the containers it skipped.
private enum RelativePath {
    case root
    case key(any CodingKey)
    case keys([any CodingKey])

    var keys: [any CodingKey] {
        switch self {
        case .root: []
        case .key(let key): [key]
        case .keys(let keys): keys
        }
    }

    func appending(_ key: any CodingKey) -> RelativePath { .keys(keys + [key]) }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let path: RelativePath
    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, path: RelativePath) {
        self.value = value
        self.path = path
    }

    init(value: JSONValue, key: any CodingKey) {
        self.init(value: value, path: .key(key))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(KeyedContainer(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self) }
        return UnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(decoder: self)
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self {
            guard case .string(let string) = value else { throw mismatch(type) }
            return string as! T
        }
        if type == Date.self {
            guard case .string(let text) = value, let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected an RFC 3339 date-time"))
            }
            return date as! T
        }
        return try T(from: self)
    }

    func mismatch(_ expected: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(expected, .init(codingPath: codingPath, debugDescription: "found \(value.kind.rawValue)"))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    /// The object's path relative to its own container (see ``JSONValueDecoder``).
    let path: RelativePath
    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return value
    }

    /// Decodes a member; an error from inside it gets this object's key in front.
    private func decodeMember<T: Decodable>(_ type: T.Type, _ key: Key, _ value: JSONValue) throws -> T {
        do {
            return try ValueDecoder(value: value, key: key).decodeValue(type)
        } catch let error as DecodingError {
            throw error.prefixed(by: path)
        }
    }

    private func mismatch(_ type: Any.Type, _ key: Key, _ value: JSONValue) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "found \(value.kind.rawValue)"))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeMember(type, key, value(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try decodeMember(type, key, value)
    }

    // The primitive types are read straight from the member: most of an event's fields are
    // strings, and a decoder per field was most of decoding's cost.

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try value(key)
        guard case .string(let string) = value else { throw mismatch(type, key, value) }
        return string
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue] else { return nil }
        switch value {
        case .null: return nil
        case .string(let string): return string
        default: throw mismatch(type, key, value)
        }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let value = try value(key)
        guard case .bool(let bool) = value else { throw mismatch(type, key, value) }
        return bool
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue] else { return nil }
        switch value {
        case .null: return nil
        case .bool(let bool): return bool
        default: throw mismatch(type, key, value)
        }
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        let value = try value(key)
        guard case .number(let number) = value, let exact = number.int64Value, let int = Int(exactly: exact) else {
            throw mismatch(type, key, value)
        }
        return int
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let value = try value(key)
        guard case .number(let number) = value else { throw mismatch(type, key, value) }
        return number.doubleValue
    }

    // A nested container's errors never pass back through this one, so it starts from this
    // object's path with the key added.

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), path: path.appending(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), path: path.appending(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: .object(members), path: path)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: try value(key), key: key)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    /// The array's path relative to its own container (see ``JSONValueDecoder``).
    let path: RelativePath
    var codingPath: [any CodingKey] { path.keys }
    var currentIndex = 0

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private mutating func nextDecoder() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "no more elements"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: elements[currentIndex], key: Index(currentIndex))
    }

    /// Runs `body` on the next element; an error from inside it gets this array's key in front.
    private mutating func next<T>(_ body: (ValueDecoder) throws -> T) throws -> T {
        let decoder = try nextDecoder()
        do {
            return try body(decoder)
        } catch let error as DecodingError {
            throw error.prefixed(by: path)
        }
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try $0.decodeValue(type) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let element = try nextDecoder()
        return try ValueDecoder(value: element.value, path: path.appending(Index(currentIndex - 1))).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let element = try nextDecoder()
        return try ValueDecoder(value: element.value, path: path.appending(Index(currentIndex - 1))).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try nextDecoder()
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var value: JSONValue { decoder.value }
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    private func mismatch(_ expected: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(expected, .init(codingPath: codingPath, debugDescription: "found \(value.kind.rawValue)"))
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(type) }
        return number.doubleValue
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .number(let number) = value, let exact = number.int64Value, let result = I(exactly: exact) else {
            throw mismatch(type)
        }
        return result
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decodeValue(type)
    }
}

extension DecodingError {
    /// The same error with `path` in front of its coding path.
    fileprivate func prefixed(by path: RelativePath) -> DecodingError {
        if case .root = path { return self }
        func moved(_ context: Context) -> Context {
            Context(codingPath: path.keys + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        switch self {
        case .typeMismatch(let type, let context): return .typeMismatch(type, moved(context))
        case .valueNotFound(let type, let context): return .valueNotFound(type, moved(context))
        case .keyNotFound(let missing, let context): return .keyNotFound(missing, moved(context))
        case .dataCorrupted(let context): return .dataCorrupted(moved(context))
        @unknown default: return self
        }
    }
}
