import Contracts
import Testing

/// `pattern` follows ECMA-262 where ICU alone would accept more.
struct PatternTests {
    func matches(_ pattern: String, _ value: String) throws -> Bool {
        try JSONSchema(["pattern": .string(pattern)]).isValid(.string(value))
    }

    @Test func searchIsUnanchored() throws {
        #expect(try matches("[0-9]{3}", "ID 12345 issued"))
        #expect(try !matches("^[0-9]{3}$", "ID 12345 issued"))
    }

    @Test func dollarMatchesOnlyAtTheEnd() throws {
        #expect(try matches("^[A-Z]{2}[0-9]{6}$", "MO123456"))
        #expect(try !matches("^[A-Z]{2}[0-9]{6}$", "MO123456\n"))
        #expect(try matches("^[$]{2}$", "$$"))  // a literal inside a class
        #expect(try matches(#"^\$[0-9]+$"#, "$12"))  // an escaped literal
    }

    @Test func digitAndWordClassesAreASCII() throws {
        #expect(try matches(#"^\d{4}$"#, "2024"))
        #expect(try !matches(#"^\d{4}$"#, "২০২৪"))  // Bengali digits
        #expect(try !matches(#"^\w+$"#, "José"))
        #expect(try matches(#"^[\d-]+$"#, "2024-05"))
        #expect(try !matches(#"^[\d-]+$"#, "২০২৪"))
        #expect(try matches(#"^\D+$"#, "abc"))
        #expect(try matches(#"^\W$"#, "é"))
    }

    @Test func unicodePatternsWork() throws {
        #expect(try matches("^é+$", "ééé"))
        #expect(try matches(#"^\p{L}+$"#, "José"))
    }
}
