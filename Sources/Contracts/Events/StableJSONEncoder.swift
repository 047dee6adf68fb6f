import Foundation

/// Encodes an `Encodable` to the bytes Foundation's `JSONEncoder` gives with
/// `[.sortedKeys, .withoutEscapingSlashes]` and instants as RFC 3339 (``EventCodec/encodeJSON(_:)``),
/// without its cost: the read models write a JSON column or more for most events they apply
/// (addresses, names, charges), and Foundation's encoder took a tenth of a replay's time there
/// (a boxed container, a dynamic cast and a dictionary per value).
///
/// The same bytes, so a stored document or an event is the same whichever encoder wrote it: a
/// service that derives an event's id from its inputs must not send other bytes under that id
/// after an upgrade. Members sorted by their UTF-8 bytes, a member encoded twice keeping its last
/// value, doubles in their shortest form without a trailing `.0`, strings escaped as Foundation
/// escapes them. What it does not write as Foundation would throws ``Unsupported``, and the
/// caller falls back to Foundation: `Data`, `URL`, `Decimal` and `Float` (no contract uses them),
/// a double that is not finite and a top-level value that encodes nothing (Foundation refuses
/// both, with its own errors).
struct StableJSONEncoder {
    /// A value this encoder does not write as Foundation would.
    struct Unsupported: Error {}

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        // A top-level value that asks for no container: Foundation refuses it, with its own error.
        guard let root = try StableJSONNode.encodingIfAny(value, codingPath: []) else { throw Unsupported() }
        var output: [UInt8] = []
        output.reserveCapacity(256)
        try root.write(to: &output)
        return output
    }
}

/// A value being built: containers are references, so a nested container handed out before its
/// parent is written still fills the parent's slot.
enum StableJSONNode {
    case null
    case bool(Bool)
    /// A number, already formatted.
    case number(String)
    case string(String)
    case object(StableJSONObject)
    case array(StableJSONArray)
    /// What an encoder handed out by `superEncoder()` holds once its value is encoded.
    case deferred(StableJSONValueEncoder)

    /// A nested value; one that asks for no container is an empty object, as in Foundation.
    static func encoding<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> StableJSONNode {
        try encodingIfAny(value, codingPath: codingPath) ?? .object(StableJSONObject())
    }

    /// The value's node; nil when it asked for no container.
    static func encodingIfAny<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> StableJSONNode? {
        if T.self == Date.self { return .string(EventCodec.formatInstant(value as! Date)) }
        if T.self == String.self { return .string(value as! String) }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw StableJSONEncoder.Unsupported() }
        let encoder = StableJSONValueEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.result
    }

    static func double(_ value: Double) throws -> StableJSONNode {
        guard value.isFinite else { throw StableJSONEncoder.Unsupported() }  // Foundation throws its own error
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    func write(to output: inout [UInt8]) throws {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): EventCodec.appendJSONString(text, to: &output)
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                EventCodec.appendJSONString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                try member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .deferred(let encoder):
            try (encoder.result ?? .object(StableJSONObject())).write(to: &output)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
    }
}

extension EventCodec {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string, escaped as Foundation's `JSONEncoder` escapes it with
    /// `.withoutEscapingSlashes`: quotes and backslashes with a backslash, control characters as
    /// `\b \t \n \f \r` or `\u00xx`, everything else (slashes, DEL, any other Unicode) as its
    /// UTF-8 bytes. Shared by ``StableJSONEncoder`` and the writers of the bus's own messages.
    public static func appendJSONString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        // Runs of bytes that need no escape (nearly every string, whole) are copied at once.
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscaped(byte, to: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// A quote, a backslash or a control character, escaped.
    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        default:
            output.append(contentsOf: "\\u00".utf8)
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

final class StableJSONObject {
    private(set) var members: [(key: String, value: StableJSONNode)] = []
    /// Where each key stands, once the object is too large to search (a dictionary's).
    private var positions: [String: Int]?
    private static let searchedUpTo = 16

    /// A member encoded again replaces the first (Foundation keeps the last value).
    func set(_ key: String, _ value: StableJSONNode) {
        if let positions {
            if let index = positions[key] { members[index].value = value } else { append(key, value) }
        } else if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            append(key, value)
            if members.count > Self.searchedUpTo {
                positions = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($0.element.key, $0.offset) })
            }
        }
    }

    private func append(_ key: String, _ value: StableJSONNode) {
        positions?[key] = members.count
        members.append((key, value))
    }
}

final class StableJSONArray {
    var elements: [StableJSONNode] = []
}

/// The `Encoder` one value encodes itself to; it keeps the container the value asked for.
final class StableJSONValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var result: StableJSONNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: StableJSONObject
        if case .object(let existing) = result {
            object = existing
        } else {
            object = StableJSONObject()
            result = .object(object)
        }
        return KeyedEncodingContainer(StableJSONKeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: StableJSONArray
        if case .array(let existing) = result {
            array = existing
        } else {
            array = StableJSONArray()
            result = .array(array)
        }
        return StableJSONUnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { StableJSONSingleValueContainer(encoder: self) }
}

struct StableJSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: StableJSONObject
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { object.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.set(key.stringValue, try .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw StableJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(key.stringValue, .number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try .encoding(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = StableJSONObject()
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(StableJSONKeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = StableJSONArray()
        object.set(key.stringValue, .array(nested))
        return StableJSONUnkeyedContainer(array: nested, codingPath: codingPath + [key])
    }

    /// A class's superclass, under `super` (or `key`), as Foundation puts it.
    mutating func superEncoder() -> any Encoder { superEncoder(named: "super", codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue, codingPath: codingPath + [key]) }

    private func superEncoder(named name: String, codingPath: [any CodingKey]) -> any Encoder {
        let encoder = StableJSONValueEncoder(codingPath: codingPath)
        object.set(name, .deferred(encoder))
        return encoder
    }
}

struct StableJSONUnkeyedContainer: UnkeyedEncodingContainer {
    let array: StableJSONArray
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    mutating func encodeNil() throws { array.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { array.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.elements.append(try .double(value)) }
    mutating func encode(_ value: Float) throws { throw StableJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { array.elements.append(.number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try .encoding(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = StableJSONObject()
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(StableJSONKeyedContainer<NestedKey>(object: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = StableJSONArray()
        array.elements.append(.array(nested))
        return StableJSONUnkeyedContainer(array: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = StableJSONValueEncoder(codingPath: codingPath)
        array.elements.append(.deferred(encoder))
        return encoder
    }
}

struct StableJSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: StableJSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.result = .null }
    mutating func encode(_ value: Bool) throws { encoder.result = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.result = .string(value) }
    mutating func encode(_ value: Double) throws { encoder.result = try .double(value) }
    mutating func encode(_ value: Float) throws { throw StableJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: Int8) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: Int16) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: Int32) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: Int64) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: UInt) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.result = .number(String(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.result = .number(String(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.result = try .encoding(value, codingPath: codingPath)
    }
}
