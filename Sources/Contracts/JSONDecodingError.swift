/// Why bytes could not be read as a JSON document, and where.
///
/// The position lets a partner find the fault in their payload; the description never quotes
/// the document's content (it may hold personal data), only the offending byte when it is a
/// structural ASCII character.
public struct JSONDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The document is larger than ``JSONDecodingLimits/maxDocumentBytes``.
        case documentTooLarge(byteCount: Int, limit: Int)
        /// Arrays and objects nest deeper than ``JSONDecodingLimits/maxNestingDepth``.
        case nestingTooDeep(limit: Int)
        /// The document ended in the middle of a value (or was empty).
        case unexpectedEndOfInput
        /// A byte that cannot start or continue the current construct; `expected` says what could.
        case unexpectedByte(UInt8, expected: String)
        /// A number that breaks JSON's number grammar (leading zeros, a bare `.`, …).
        case invalidNumber
        /// A number too large for a `Double` (such as `1e400`).
        case numberOutOfRange
        /// A backslash escape JSON does not define, or a malformed `\u` escape.
        case invalidEscape
        /// A `\u` escape naming half of a UTF-16 surrogate pair without the other half.
        case unpairedSurrogate
        /// Bytes that are not valid UTF-8 inside a string.
        case invalidUTF8
        /// A raw control character (below U+0020) inside a string; JSON requires an escape.
        case controlCharacterInString
        /// An object names the same member twice. Rejected because different readers would
        /// pick different values, so what we validate might not be what a consumer sees.
        case duplicateKey(String)
        /// Something other than whitespace follows the document.
        case trailingCharacters
    }

    /// What went wrong.
    public var reason: Reason
    /// Zero-based byte offset of the fault; `nil` for ``Reason/documentTooLarge(byteCount:limit:)``.
    public var byteOffset: Int?
    /// One-based line of the fault, when there is a position.
    public var line: Int?
    /// One-based column (in bytes) of the fault, when there is a position.
    public var column: Int?

    public init(reason: Reason, byteOffset: Int? = nil, line: Int? = nil, column: Int? = nil) {
        self.reason = reason
        self.byteOffset = byteOffset
        self.line = line
        self.column = column
    }

    public var description: String {
        let what: String
        switch reason {
        case .documentTooLarge(let count, let limit):
            return "JSON document is \(count) bytes, more than the limit of \(limit) bytes"
        case .nestingTooDeep(let limit):
            what = "arrays and objects nest more than \(limit) levels deep"
        case .unexpectedEndOfInput:
            what = "the document ends before the value is complete"
        case .unexpectedByte(let byte, let expected):
            what = "expected \(expected) but found \(Self.describe(byte))"
        case .invalidNumber:
            what = "malformed number"
        case .numberOutOfRange:
            what = "number is too large to represent"
        case .invalidEscape:
            what = "invalid escape sequence in string"
        case .unpairedSurrogate:
            what = "\\u escape is half of a UTF-16 surrogate pair without its other half"
        case .invalidUTF8:
            what = "string contains bytes that are not valid UTF-8"
        case .controlCharacterInString:
            what = "unescaped control character in string"
        case .duplicateKey(let key):
            let shown = key.count > 40 ? String(key.prefix(40)) + "…" : key
            what = "object has member \"\(shown)\" more than once"
        case .trailingCharacters:
            what = "unexpected characters after the end of the document"
        }
        guard let byteOffset, let line, let column else { return "invalid JSON: \(what)" }
        return "invalid JSON at line \(line), column \(column) (byte \(byteOffset)): \(what)"
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" : "") + hex
    }
}
