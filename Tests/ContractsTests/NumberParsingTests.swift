import Contracts
import Testing

/// Decimals parse to the same `Double` as the standard library's correctly rounded conversion,
/// whichever path the parser takes (the exact fast path or the text conversion).
struct NumberParsingTests {
    func parsed(_ text: String) throws -> Double {
        guard case .number(let number) = try JSONValue(parsing: text) else {
            Issue.record("\(text) is not a number")
            return .nan
        }
        return number.doubleValue
    }

    @Test func coordinatesAndSmallDecimals() throws {
        for text in ["39.0703", "-94.5649", "0.1", "0.2", "0.3", "-0.0", "1.5e3", "2E-5", "123456789012345.6", "0.0000001"] {
            let value = try parsed(text)
            #expect(value == Double(text)!, "\(text)")
            #expect(value.sign == Double(text)!.sign, "\(text) keeps its sign")
        }
    }

    @Test func beyondTheFastPathStillRoundsCorrectly() throws {
        for text in [
            "9007199254740993.5", "1.7976931348623157e308", "4.9e-324", "1e23", "1e-23", "0.30000000000000004441",
            "123456789012345678901234567890.5", "2.2250738585072014e-308",
        ] {
            #expect(try parsed(text) == Double(text)!, "\(text)")
        }
    }

    @Test func randomDecimalsMatchTheStandardLibrary() throws {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<20_000 {
            let integerDigits = Int(next() % 12)
            let fractionDigits = 1 + Int(next() % 12)
            var text = next() % 2 == 0 ? "-" : ""
            text += integerDigits == 0 ? "0" : String(1 + next() % 9) + String((1..<integerDigits).map { _ in Character(String(next() % 10)) })
            text += "." + String((0..<fractionDigits).map { _ in Character(String(next() % 10)) })
            if next() % 3 == 0 { text += "e" + String(Int(next() % 60) - 30) }
            #expect(try parsed(text) == Double(text)!, "\(text)")
        }
    }
}
