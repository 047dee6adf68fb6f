import Foundation

/// A parsed JSON document, as JSON Schema sees it.
///
/// Validation works on this tree rather than on `Codable` types because a contract must be
/// checked before we trust the shape of the data. Equality is JSON Schema's: numbers compare by
/// value (`1 == 1.0`) and objects ignore member order. Parse one with
/// ``init(parsing:limits:)``; literals are provided so tests and code can build documents inline.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type of a value, used in violations to say what was found without echoing it.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        case null, boolean, integer, number, string, array, object

        public var description: String { rawValue }
    }

    /// The value's kind; a number with an integral value is an `integer`, as in JSON Schema.
    public var kind: Kind {
        switch self {
        case .null: .null
        case .bool: .boolean
        case .number(let n): n.isInteger ? .integer : .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// JSON Schema equality: numbers by value, strings by code points, objects regardless of
    /// member order.
    ///
    /// Strings compare by their UTF-8 bytes rather than with Swift's `==`, which treats
    /// canonically equivalent strings ("é" and "e" + U+0301) as equal; JSON Schema does not.
    /// (Object member names are `Dictionary` keys and so do follow Swift's equivalence.)
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): sameCodeUnits(a, b)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    private static func sameCodeUnits(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
        return (fast ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        // Values equal under `==` are equal under Swift's equality too, so the standard hashes
        // are consistent with it.
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b):
            hasher.combine(1)
            hasher.combine(b)
        case .number(let n):
            hasher.combine(2)
            hasher.combine(n)
        case .string(let s):
            hasher.combine(3)
            hasher.combine(s)
        case .array(let a):
            hasher.combine(4)
            hasher.combine(a)
        case .object(let o):
            hasher.combine(5)
            hasher.combine(o)
        }
    }

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index`, if this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) {
            return elements[index]
        }
        return nil
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text with object members sorted by key, so output is stable.
    ///
    /// This prints the whole value: do not log it for documents that may hold personal data.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): JSONValue.writeQuoted(s, to: &out)
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                element.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeQuoted(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeQuoted(_ s: String, to out: inout String) {
        out += "\""
        writeEscaped(s, quote: "\"", to: &out)
        out += "\""
    }

    /// `s` with `quote`, backslash and control characters escaped as in JSON string literals.
    static func writeEscaped(_ s: String, quote: Unicode.Scalar, to out: inout String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case quote: out += "\\" + String(quote)
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
    /// A non-finite literal becomes `null`, as JSON has no spelling for it.
    public init(floatLiteral value: Double) { self = JSONNumber(value).map(JSONValue.number) ?? .null }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
