import Foundation

extension JSONSchema {
    /// A `pattern` (or `patternProperties` key) compiled once, when the schema is.
    ///
    /// JSON Schema patterns are ECMA-262 regular expressions; we run them on ICU through
    /// `NSRegularExpression`, after rewriting the constructs where ICU would accept more than
    /// ECMA-262 does, since that is where a contract would silently let bad data through:
    /// `$` matches only at the very end (ICU also matches before a final newline, so
    /// `^[0-9]{6}$` would pass `"123456\n"`), and `\d` and `\w` are ASCII-only (ICU's also match
    /// other scripts' digits and letters). Matching is an unanchored search, as the spec says.
    ///
    /// Patterns of the simple kind contracts use are also compiled to an ``ASCIIPattern``,
    /// which answers for ASCII strings (identifiers, codes) without ICU; ICU answers the rest.
    ///
    /// A class (every member a constant): the byte validator reads one per checked string, and a
    /// value would be copied out of its table each time, retaining each of its arrays.
    final class Pattern: Sendable {
        let source: String
        let regex: NSRegularExpression
        let ascii: ASCIIPattern?

        /// `nil` if `source` is not a valid regular expression.
        init?(_ source: String) {
            guard let regex = try? NSRegularExpression(pattern: Self.icuPattern(fromECMAScript: source)) else {
                return nil
            }
            self.source = source
            self.regex = regex
            self.ascii = ASCIIPattern(source)
        }

        /// Whether the UTF-8 `bytes` match: the ASCII matcher where it answers, else ICU.
        func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if let answer = ascii?.matches(bytes: bytes) { return answer }
            return icuMatches(String(decoding: bytes, as: UTF8.self))
        }

        func matches(_ string: String) -> Bool {
            if let ascii, let answer = ascii.matches(string) { return answer }
            return icuMatches(string)
        }

        /// The answer of ICU alone (tests compare it with the ASCII matcher's).
        func icuMatches(_ string: String) -> Bool {
            let range = NSRange(location: 0, length: string.utf16.count)
            return regex.firstMatch(in: string, options: [], range: range) != nil
        }

        /// Rewrites the ECMA-262 constructs whose ICU meaning is broader; see the type's comment.
        static func icuPattern(fromECMAScript source: String) -> String {
            var out = ""
            var inClass = false
            var characters = source.makeIterator()
            while let c = characters.next() {
                switch c {
                case "\\":
                    guard let escaped = characters.next() else {
                        out.append(c)  // a trailing backslash: let ICU report the error
                        continue
                    }
                    switch (escaped, inClass) {
                    case ("d", false): out += "[0-9]"
                    case ("D", false): out += "[^0-9]"
                    case ("w", false): out += "[A-Za-z0-9_]"
                    case ("W", false): out += "[^A-Za-z0-9_]"
                    case ("d", true): out += "0-9"
                    case ("w", true): out += "A-Za-z0-9_"
                    default: out += "\\" + String(escaped)
                    }
                case "[" where !inClass:
                    inClass = true
                    out.append(c)
                case "]" where inClass:
                    inClass = false
                    out.append(c)
                case "$" where !inClass:
                    out += "\\z"
                default:
                    out.append(c)
                }
            }
            return out
        }
    }
}
