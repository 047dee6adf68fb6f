/// Why an input line was refused: the line (1-based), the field (a JSON path such as
/// `dateOfBirth` or `identifiers.passport`) and the reason. The description never repeats a
/// value, so it can be logged without disclosing personal data.
public struct PersonRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The line is not a JSON object.
        case notAnObject
        /// A required field is absent, null or empty.
        case missing
        /// The field holds another JSON type than the one named.
        case wrongType(expected: String)
        /// Not a real date in `YYYY-MM-DD` form.
        case badDate
        /// A key the format does not define (a typo would otherwise lose data silently).
        case unknownKey
        /// An identifier type the index does not know.
        case unknownIdentifierType
        /// A value outside the allowed set or shape (named in the text).
        case invalidValue(String)
        /// The record id was already used on an earlier line (named).
        case duplicateRecordId(firstLine: Int)
    }

    public var line: Int
    public var field: String
    public var reason: Reason

    public init(line: Int, field: String, reason: Reason) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        let why: String = switch reason {
        case .notAnObject: "the line is not a JSON object"
        case .missing: "required, but missing or empty"
        case .wrongType(let expected): "expected \(expected)"
        case .badDate: "not a real date in YYYY-MM-DD form"
        case .unknownKey: "unknown key"
        case .unknownIdentifierType: "unknown identifier type (known: \(PersonIdentifiers.keys.joined(separator: ", ")))"
        case .invalidValue(let allowed): "invalid value: \(allowed)"
        case .duplicateRecordId(let firstLine): "the same recordId as line \(firstLine)"
        }
        return "line \(line), field \(field): \(why)"
    }
}
