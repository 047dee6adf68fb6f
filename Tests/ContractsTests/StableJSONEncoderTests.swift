@testable import Contracts
import Foundation
import Testing

/// `EventCodec.encodeJSON` writes with `StableJSONEncoder`, which must give the very bytes
/// Foundation's `JSONEncoder` gives with the stable options: a service that derives an event's id
/// from its inputs would otherwise send other bytes under the same id after an upgrade, and
/// receivers take that for an id reused (a dead letter).
struct StableJSONEncoderTests {
    static let catalog = try! TopicCatalog.load(from: repositoryTopics)

    func same<T: Encodable>(_ value: T, _ name: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try StableJSONEncoder().encode(value)
        let foundation = try EventCodec.foundationJSON(value)
        #expect(
            String(decoding: ours, as: UTF8.self) == String(decoding: foundation, as: UTF8.self), "\(name)", sourceLocation: sourceLocation)
    }

    func reencode<Payload: EventPayload>(_ type: Payload.Type, _ bytes: [UInt8], _ name: String) throws {
        try same(try EventCodec.decode(type, from: bytes), name)
    }

    @Test("every valid example of every event is written as Foundation writes it")
    func everyExampleEvent() throws {
        let checked = try forEachValidEventExample(in: Self.catalog) { type, bytes, name in try reencode(type, bytes, name) }
        #expect(checked >= 34)
    }

    struct Strings: Encodable {
        var text: String
        var list: [String]
    }

    @Test("strings: quotes, backslashes, slashes, every control character, DEL and Unicode")
    func strings() throws {
        var controls = ""
        for byte in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        for text in [controls, "\"quoted\" \\ back/slash", "\u{7F} é 😀 \u{2028} \u{FEFF}", "", "O'Brien-Núñez", "ends in a line\n", "a\u{0}b\u{1F}\"", "\\"] {
            try same(text)
            try same(Strings(text: text, list: [text, text.uppercased()]), text)
        }
    }

    struct Numbers: Encodable {
        var doubles: [Double]
        var int: Int
        var negative: Int64
        var small: Int8
        var unsigned: UInt64
        var optionalInt: Int?
    }

    @Test("numbers: coordinates and doubles in every exponent range, integers of each width")
    func numbers() throws {
        var generator = SystemRandomNumberGenerator()
        var doubles = [0, -0.0, 1, 100, 0.1, -2.5, 1e-7, 1e21, 1e16, 2.5e15, 1.5e17, 123456789.125, 5e-324, .greatestFiniteMagnitude, 39.0997, -94.5786]
        for _ in 0..<500 {
            doubles.append(Double.random(in: -180...180, using: &generator))
            doubles.append(Double(sign: .plus, exponent: Int.random(in: -60...60, using: &generator), significand: Double.random(in: 1..<2, using: &generator)))
        }
        try same(Numbers(doubles: doubles, int: .max, negative: .min, small: -128, unsigned: .max, optionalInt: nil))
        try same(Numbers(doubles: [], int: 0, negative: -1, small: 0, unsigned: 0, optionalInt: 7))
    }

    struct Shapes: Encodable {
        var dates: [Date]
        var byNumber: [Int: String]
        var byName: [String: [Int]]
        var explicitNull: String?
        var absent: String?
        var empty: [String]
        var id = UUID(uuidString: "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")!
        var twice: String?? = .some(nil)

        enum CodingKeys: String, CodingKey { case dates, byNumber, byName, explicitNull, absent, empty, zFirstEncodedLast, nested, id, twice }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Encoded in an order of its own, one member twice (the last value stays).
            try container.encode("first", forKey: .zFirstEncodedLast)
            try container.encode(dates, forKey: .dates)
            try container.encode(byNumber, forKey: .byNumber)
            try container.encode(byName, forKey: .byName)
            try container.encodeNil(forKey: .explicitNull)
            try container.encodeIfPresent(absent, forKey: .absent)
            try container.encode(empty, forKey: .empty)
            try container.encode(id, forKey: .id)
            try container.encode(twice, forKey: .twice)
            var nested = container.nestedContainer(keyedBy: CodingKeys.self, forKey: .nested)
            try nested.encode(true, forKey: .empty)
            var list = nested.nestedUnkeyedContainer(forKey: .byName)
            try list.encode(1)
            try list.encodeNil()
            var deeper = list.nestedContainer(keyedBy: CodingKeys.self)
            try deeper.encode("x", forKey: .absent)
            try container.encode("last", forKey: .zFirstEncodedLast)
        }
    }

    final class Base: Encodable {
        var base = "base"
    }

    final class Derived: Encodable {
        var own = 1
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(own, forKey: AnyKey("own"))
            try Base().encode(to: container.superEncoder())
            try Base().encode(to: container.superEncoder(forKey: AnyKey("parent")))
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Twenty members, then the fourth and the twentieth again: the last values stay.
    struct Wide: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for index in 0..<20 { try container.encode(index, forKey: AnyKey("m\(index)")) }
            try container.encode("again", forKey: AnyKey("m3"))
            try container.encode("again", forKey: AnyKey("m19"))
        }
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test("instants, dictionaries, nulls, nested and super encoders, members encoded twice, empty values")
    func shapes() throws {
        let instants = [Date(timeIntervalSince1970: 1_740_000_000), Date(timeIntervalSince1970: 1_740_000_000.25)]
        try same(Shapes(
            dates: instants, byNumber: [10: "ten", 2: "two", -1: "minus"], byName: ["b": [2], "B": [], "a10": [1], "a2": [3]],
            explicitNull: nil, absent: nil, empty: []))
        // A dictionary too large to search member by member.
        try same(Dictionary(uniqueKeysWithValues: (0..<2_000).map { ("key\($0)", $0) }))
        try same(Dictionary(uniqueKeysWithValues: (0..<2_000).map { ($0 * 7 - 5_000, "v\($0)") }))
        try same(Wide())
        #expect(String(decoding: try StableJSONEncoder().encode(Wide()), as: UTF8.self).contains(#""m19":"again""#))
        try same(Derived())
        // Nothing at all at the top: Foundation refuses it, and so does encodeJSON.
        #expect(throws: EncodingError.self) { try EventCodec.foundationJSON(Nothing()) }
        #expect(throws: EncodingError.self) { try EventCodec.encodeJSON(Nothing()) }
        try same([Nothing()])
        try same(["key": Nothing()])
    }

    @Test("what it does not write as Foundation would goes to Foundation, with the same result")
    func fallsBack() throws {
        struct Odd: Encodable {
            var data = Data([1, 2, 3])
            var url = URL(string: "https://example.org/a/b")!
            var float: Float = 1.5
        }
        #expect(throws: StableJSONEncoder.Unsupported.self) { try StableJSONEncoder().encode(Odd()) }
        #expect(try EventCodec.encodeJSON(Odd()) == EventCodec.foundationJSON(Odd()))
        #expect(throws: (any Error).self) { try EventCodec.encodeJSON([Double.nan]) }
    }
}
