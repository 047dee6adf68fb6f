import Contracts
import Foundation
import Testing

struct JSONValueTests {
    // MARK: Parsing

    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(
            parsing: #" { "a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"} } "#)
        #expect(
            value == [
                "a": [1, -2.5, 300, true, false, nil],
                "b": ["c": "d\né😀"],
            ])
        #expect(value["b"]?["c"] == "d\né😀")
        #expect(value["a"]?[1] == -2.5)
        #expect(value["a"]?[9] == nil)
    }

    @Test func parsesFromData() throws {
        let value = try JSONValue(parsing: Data(#"{"eventId":"x"}"#.utf8))
        #expect(value == ["eventId": "x"])
    }

    @Test func skipsByteOrderMark() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }

    @Test func keepsIntegersExact() throws {
        let value = try JSONValue(parsing: "[9223372036854775807, -9223372036854775808, 9007199254740993]")
        guard case .array(let items) = value, case .number(let max) = items[0], case .number(let min) = items[1],
            case .number(let beyondDouble) = items[2]
        else {
            Issue.record("not three numbers")
            return
        }
        #expect(max.int64Value == Int64.max)
        #expect(min.int64Value == Int64.min)
        #expect(beyondDouble.int64Value == 9_007_199_254_740_993)
        #expect(beyondDouble.description == "9007199254740993")
    }

    @Test func keepsHugeIntegersAsIntegralDoubles() throws {
        let value = try JSONValue(parsing: "18446744073709551616")
        guard case .number(let n) = value else {
            Issue.record("not a number")
            return
        }
        #expect(n.isInteger)
        #expect(value.kind == .integer)
        #expect(n.doubleValue == 18_446_744_073_709_551_616.0)
        #expect(n > JSONNumber(Int64.max))
    }

    // MARK: Equality

    @Test func numbersCompareByValue() throws {
        #expect(try JSONValue(parsing: "1") == JSONValue(parsing: "1.0"))
        #expect(try JSONValue(parsing: "-0") == JSONValue(parsing: "0.0"))
        #expect(try JSONValue(parsing: "1") != JSONValue(parsing: "1.5"))
        #expect(Set<JSONValue>([1, 1.0, 2]).count == 2)
        #expect(JSONNumber(Int64.max) != JSONNumber(9_223_372_036_854_775_807.0)!)  // 2^63 as a double
        #expect(JSONNumber(3) < JSONNumber(3.5)!)
        #expect(JSONNumber(-3) > JSONNumber(-3.5)!)
    }

    @Test func objectsIgnoreMemberOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":[true]}"#) == JSONValue(parsing: #"{"b":[true],"a":1.0}"#))
    }

    @Test func stringsCompareByCodePoints() {
        let precomposed: JSONValue = "\u{E9}"
        let combining: JSONValue = "e\u{301}"
        #expect(precomposed != combining)
        #expect(precomposed == "\u{E9}")
    }

    @Test func booleansAreNotNumbers() {
        #expect(JSONValue.bool(true) != 1)
        #expect(JSONValue.bool(false) != 0)
    }

    @Test func describesAsCompactSortedJSON() throws {
        let value = try JSONValue(parsing: #"{"b": [1, 2.5, "x\"y"], "a": null}"#)
        #expect(value.description == #"{"a":null,"b":[1,2.5,"x\"y"]}"#)
    }

    // MARK: Errors

    @Test(arguments: [
        ("", JSONDecodingError.Reason.unexpectedEndOfInput),
        ("[1, 2", .unexpectedEndOfInput),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]"), expected: "a value")),
        ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1"), expected: "':' after the member name")),
        ("{\"a\": 1 \"b\": 2}", .unexpectedByte(UInt8(ascii: "\""), expected: "',' or '}' after an object member")),
        ("{a: 1}", .unexpectedByte(UInt8(ascii: "a"), expected: "a member name in double quotes")),
        ("01", .invalidNumber),
        ("1.", .invalidNumber),
        ("-", .invalidNumber),
        ("1e400", .numberOutOfRange),
        ("\"\\x\"", .invalidEscape),
        ("\"\\ud800\"", .unpairedSurrogate),
        ("\"\\udc00\"", .unpairedSurrogate),
        ("\"a\tb\"", .controlCharacterInString),
        ("{\"id\": 1, \"id\": 2}", .duplicateKey("id")),
        ("[1] [2]", .trailingCharacters),
        ("tru", .unexpectedEndOfInput),
        ("nul", .unexpectedEndOfInput),
        ("trux", .unexpectedByte(UInt8(ascii: "x"), expected: "a value")),
    ])
    func rejectsMalformedDocuments(text: String, reason: JSONDecodingError.Reason) {
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            (error as? JSONDecodingError)?.reason == reason
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect {
            try JSONValue(parsing: [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")])
        } throws: { error in
            (error as? JSONDecodingError)?.reason == .invalidUTF8
        }
    }

    @Test func reportsLineAndColumn() {
        let text = "{\n  \"a\": 1,\n  \"b\": [1,,2]\n}"
        do {
            _ = try JSONValue(parsing: text)
            Issue.record("parsed")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 11)
            #expect(error.byteOffset == 22)
            #expect(error.description == "invalid JSON at line 3, column 11 (byte 22): expected a value but found ','")
        }
    }

    @Test func duplicateKeyDescriptionNamesTheKey() {
        do {
            _ = try JSONValue(parsing: #"{"eventId": "a", "eventId": "b"}"#)
            Issue.record("parsed")
        } catch {
            #expect(
                error.description
                    == #"invalid JSON at line 1, column 18 (byte 17): object has member "eventId" more than once"#)
        }
    }

    // MARK: Limits

    @Test func defaultSizeLimitIs256KiB() throws {
        #expect(JSONDecodingLimits.events.maxDocumentBytes == 262_144)
        // A string document of exactly the limit is accepted…
        let atLimit =
            [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "a"), count: 262_142) + [UInt8(ascii: "\"")]
        #expect(throws: Never.self) { try JSONValue(parsing: atLimit) }
        // …and one byte more is refused before parsing, with both sizes in the message.
        let overLimit = atLimit + [UInt8(ascii: " ")]
        do {
            _ = try JSONValue(parsing: overLimit)
            Issue.record("parsed")
        } catch {
            #expect(error.reason == .documentTooLarge(byteCount: 262_145, limit: 262_144))
            #expect(error.byteOffset == nil)
            #expect(error.description == "JSON document is 262145 bytes, more than the limit of 262144 bytes")
        }
    }

    @Test func sizeLimitIsConfigurable() {
        let limits = JSONDecodingLimits(maxDocumentBytes: 8)
        #expect(throws: Never.self) { try JSONValue(parsing: "[1,2,3]", limits: limits) }
        #expect {
            try JSONValue(parsing: "[1,2,3,4]", limits: limits)
        } throws: { error in
            (error as? JSONDecodingError)?.reason == .documentTooLarge(byteCount: 9, limit: 8)
        }
    }

    @Test func nestingLimit() {
        let limits = JSONDecodingLimits(maxNestingDepth: 3)
        #expect(throws: Never.self) { try JSONValue(parsing: #"[{"a":[]}]"#, limits: limits) }
        #expect {
            try JSONValue(parsing: #"[{"a":[[]]}]"#, limits: limits)
        } throws: { error in
            (error as? JSONDecodingError)?.reason == .nestingTooDeep(limit: 3)
        }
        // The default protects the stack from hostile input.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            try JSONValue(parsing: deep)
        } throws: { error in
            (error as? JSONDecodingError)?.reason == .nestingTooDeep(limit: 64)
        }
    }
}
