@testable import Contracts
import Foundation
import Testing

/// The ASCII matcher must give ICU's answer (after the ECMA-262 rewrites) for every pattern it
/// accepts: it replaces ICU on the hot path, so any difference would change which events pass.
struct ASCIIPatternTests {
    /// Every `pattern` in the contracts' generated schemas.
    static let contractPatterns: [String] = {
        let schemas = repositoryTopics.appendingPathComponent("schemas")
        let files = (try? FileManager.default.contentsOfDirectory(at: schemas, includingPropertiesForKeys: nil)) ?? []
        var found = Set<String>()
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if case .string(let pattern)? = members["pattern"] { found.insert(pattern) }
                members.values.forEach(collect)
            case .array(let elements): elements.forEach(collect)
            default: break
            }
        }
        for file in files where file.pathExtension == "json" {
            if let data = try? Data(contentsOf: file), let value = try? JSONValue(parsing: data) { collect(value) }
        }
        return found.sorted()
    }()

    /// Patterns beyond the contracts', exercising each construct the matcher takes.
    static let constructs = [
        "a", "^a", "a$", "^a$", "abc|def", "^(abc|def)$", "^(?:ab)+$", "^(a|ab)(c|bcd)(d*)$", "x{2}", "^x{2,}$",
        "^x{2,3}$", "^[a-c]*$", "^[^a-c]+$", "^[-a]$", "^[a-]$", "^\\d+\\D$", "^\\w\\W$", "^\\s\\S$", "^[\\s]+$",
        "^[\\d-]+$", "^\\$[0-9]+$", "^[$]{2}$", "^\\.\\+\\*\\?\\(\\)\\[\\]\\{\\}\\|\\^\\\\$", "(a*)*b", "^(a?){3}a{3}$",
        "^(|a)+$", "^(a|)*b$", "^[\\t\\n\\r\\f\\v]$", "[0-9]{3}", "^$", "^(ab|a)*$",
    ]

    /// Patterns the matcher must leave to ICU.
    static let declined = [
        ".", "a.b", "\\bword", "(?=a)a", "(?!a)b", "(a)\\1", "a+?", "\\p{L}", "\\u0041", "\\x41", "[]", "[^]",
        "é", "{2}", "a{2,1}", "[[a]]", "(?<name>a)", "]",
    ]

    static let samples: [String] = {
        var samples = [
            "", "a", "aa", "ab", "abc", "def", "abcdef", "abcd", "abbcd", "xx", "xxx", "xxxx", "b", "aab", "aaab",
            "MO-KCPD", "MO-KCPD-2", "MO--KCPD", "mo-kcpd", "MO-KCPD-", "MO1234", "MO12", "64109", "64109-1234",
            "64109-12", "6410", "a@b", "a@@b", "a b@c", "officer:PP-KC-118", "operator:x", "officer: x",
            "unit:ab", "facility:MO-JCDC", "+1 (816) 555-0100", "816-555", "custody.release.scheduled",
            "custody.", ".release", "2024-05", "$12", "$$", ".+*?()[]{}|^\\", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
            "ID 12345 issued", "\t", "\n", "\r", "\u{0B}", "\u{0C}", " ", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ab-cd.ef_gh", "A1", "1A", "a_", "a\n",
        ]
        // Every ASCII character alone, and between two letters.
        for byte in UInt8(0)..<128 {
            let c = String(UnicodeScalar(byte))
            samples.append(c)
            samples.append("a" + c + "b")
        }
        return samples
    }()

    func icu(_ source: String) throws -> JSONSchema.Pattern {
        try #require(JSONSchema.Pattern(source), "ICU rejects \(source)")
    }

    @Test func everyContractPatternIsTakenByTheASCIIMatcher() throws {
        #expect(Self.contractPatterns.count >= 10)
        for source in Self.contractPatterns {
            #expect(ASCIIPattern(source) != nil, "\(source) falls back to ICU")
        }
    }

    @Test(arguments: contractPatterns + constructs)
    func answersAsICUDoes(source: String) throws {
        let pattern = try icu(source)
        let ascii = try #require(ASCIIPattern(source), "\(source) is not taken")
        for sample in Self.samples {
            let answer = ascii.matches(sample)
            // `nil` hands the string to ICU (past the step limit): same answer by definition.
            // The contracts' own patterns never need that on these samples.
            if answer == nil, !Self.contractPatterns.contains(source) { continue }
            #expect(answer == pattern.icuMatches(sample), "\(source) on \(sample.debugDescription)")
        }
    }

    /// Most contract patterns are decided in one pass (`LinearPattern`); those that are give
    /// the backtracking matcher's answer on every sample and on random strings, and patterns
    /// whose choices need more than the next byte are left to it.
    @Test func onePassPatternsAnswerAsBacktrackingDoes() throws {
        let linear = Self.contractPatterns.filter { ASCIIPattern($0)?.linear != nil }
        #expect(linear.contains("^[A-Z]{2}-[A-Z0-9]+(-[A-Z0-9]+)*$") && linear.contains("^[0-9]{5}(-[0-9]{4})?$"), "\(linear)")
        #expect(linear.count * 2 > Self.contractPatterns.count, "\(linear.count) of \(Self.contractPatterns.count)")
        for source in ["^(a|ab)(c|bcd)(d*)$", "^[a-c]*a$", "^(ab)*a$", "^(a?){3}a{3}$", "^x{2,}x$", "abc", "^a"] {
            #expect(ASCIIPattern(source)?.linear == nil, "\(source) needs more than the next byte")
        }
        var generator = SplitMix(seed: 7)
        let alphabet = Array("AZaz09-_.:@ +()$x")
        var samples = Self.samples
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 20)
            samples.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        for source in Self.contractPatterns + Self.constructs {
            guard let pattern = ASCIIPattern(source), let onePass = pattern.linear else { continue }
            for sample in samples where sample.utf8.allSatisfy({ $0 < 0x80 }) {
                var text = sample
                let (fast, slow) = text.withUTF8 { (onePass.matches($0), pattern.backtrackingMatches($0)) }
                #expect(slow == nil || fast == slow, "\(source) on \(sample.debugDescription)")
            }
        }
    }

    @Test(arguments: declined)
    func leavesOtherConstructsToICU(source: String) {
        #expect(ASCIIPattern(source) == nil, "\(source) should go to ICU")
    }

    @Test func aNonASCIIStringIsLeftToICU() throws {
        let ascii = try #require(ASCIIPattern("^[^@ ]+@[^@ ]+$"))
        #expect(ascii.matches("josé@example.org") == nil)
        #expect(try icu("^[^@ ]+@[^@ ]+$").matches("josé@example.org"))
    }

    @Test func aSearchBeyondTheStepLimitIsLeftToICU() throws {
        // Nested quantifiers on a string that almost matches: exponential backtracking.
        let source = "^(a|aa)+$"
        let ascii = try #require(ASCIIPattern(source))
        let input = String(repeating: "a", count: 60) + "!"
        #expect(ascii.matches(input) == nil)
        #expect(try !icu(source).matches(input))
        #expect(ascii.matches(String(repeating: "a", count: 60)) == true)
    }

    /// Random strings over the characters the contract patterns care about.
    @Test func randomStringsGetICUsAnswer() throws {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("AZaz09-_.:@ +()\t\n$")
        let patterns = try (Self.contractPatterns + Self.constructs).map { (try icu($0), try #require(ASCIIPattern($0))) }
        for _ in 0..<3_000 {
            let length = Int(generator.next() % 24)
            let sample = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            for (pattern, ascii) in patterns {
                guard let answer = ascii.matches(sample) else { continue }  // ICU answers
                #expect(answer == pattern.icuMatches(sample), "\(pattern.source) on \(sample.debugDescription)")
            }
        }
    }
}

/// A small seeded generator, so a failure can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
